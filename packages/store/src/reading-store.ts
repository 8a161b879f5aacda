import {
  QualityFlag,
  type CanonicalReading,
  type DeviceId,
  type IngestRecord,
  type PatientId,
} from '@wardstream/domain';

/**
 * The reading-store port: the hot store of readings and waveforms (DESIGN 1, 3.2, 3.6).
 * Adapters: `SqliteReadingStore` (embedded, this package), PostgreSQL (scaled out).
 * Every adapter passes `describeReadingStoreContract`.
 *
 * Idempotency: a message is identified by (deviceId, boot, seq); the readings of one message are
 * written or skipped as a unit, so the key (deviceId, boot, seq, code) of DESIGN 3.4 is unique in
 * the store. Writing a message whose key is already stored changes nothing and counts a duplicate.
 *
 * Durability: `write` makes records visible to queries at once. They are durable when a flush
 * has completed — the adapter flushes on its own at least every `flushIntervalMs`, and `flush()`
 * forces one. The checkpoint given with a write becomes durable in the same flush as the data, so
 * after a crash `checkpoint()` names exactly the log position the durable data reflects.
 *
 * Quality flags: the store keeps every reading with its flags and never alters either; `range`
 * returns them all. `latest` passes over readings flagged `clockSkew` while a code has any other
 * reading, and `aggregate` leaves out readings flagged `implausible` or `artifact` and counts them
 * in `excluded` (see each method).
 */

/**
 * Readings flagged with any of these are left out of aggregates (`Bucket.excluded` counts them):
 * their values are not measurements of the patient. Readings flagged only `late` or `clockSkew`
 * are aggregated.
 */
export const AGGREGATE_EXCLUDED_FLAGS: number = QualityFlag.implausible | QualityFlag.artifact;

/** Where the processor is in the log, stored atomically with the data it produced. */
export interface Checkpoint {
  /** Partition → next log offset to process. */
  readonly offsets: Readonly<Record<number, number>>;
  /** Processor state that a replay needs to decide alike (watermarks); JSON-serialisable. */
  readonly state: unknown;
}

export interface WriteResult {
  /** Messages newly stored. */
  readonly stored: number;
  /** Messages skipped because their (deviceId, boot, seq) was already stored. */
  readonly duplicates: number;
  /** Numeric readings newly stored. */
  readonly readings: number;
}

/** Select by patient or by device (exactly one of them). */
export type Subject = { readonly patientId: PatientId } | { readonly deviceId: DeviceId };

export interface RangeQuery {
  readonly subject: Subject;
  /** Canonical code; all codes when absent. */
  readonly code?: string;
  /** Inclusive start and exclusive end of event time, epoch ms. */
  readonly fromAt: number;
  readonly toAt: number;
  /** Page size; the adapter caps it. */
  readonly limit?: number;
  /** The `next` cursor of the previous page. */
  readonly cursor?: string;
}

export interface RangePage {
  /** Ordered by (observedAt, deviceId, code, boot, seq). */
  readonly readings: CanonicalReading[];
  /** Present when more readings match. */
  readonly next?: string;
}

export type BucketSize = 1_000 | 60_000 | 3_600_000;

export interface AggregateQuery {
  readonly subject: Subject;
  readonly code: string;
  readonly fromAt: number;
  readonly toAt: number;
  readonly bucketMs: BucketSize;
}

/**
 * The readings of one code of a subject whose observedAt lies in one bucket. Readings flagged
 * `implausible` or `artifact` (`AGGREGATE_EXCLUDED_FLAGS`) are not aggregated; a bucket holding
 * only such readings is still returned, with `count` 0, `excluded` > 0 and null statistics.
 */
export interface Bucket {
  /** Start of the bucket, epoch ms, aligned to a multiple of `bucketMs`. */
  readonly startAt: number;
  /** Readings aggregated: those not flagged `implausible` or `artifact`. */
  readonly count: number;
  /** Readings of the bucket left out because they are flagged `implausible` or `artifact`. */
  readonly excluded: number;
  /** Smallest, largest and mean value of the aggregated readings; null when `count` is 0. */
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

export interface StoredWaveform {
  readonly deviceId: DeviceId;
  readonly patientId: PatientId | null;
  readonly code: string;
  readonly unit: string;
  readonly fsHz: number;
  readonly startAt: number;
  readonly samples: number[];
  readonly boot: string;
  readonly seq: number;
  readonly quality: number;
}

export interface WaveformQuery {
  readonly subject: Subject;
  readonly code?: string;
  readonly fromAt: number;
  readonly toAt: number;
}

export interface UnassignedDevice {
  readonly deviceId: DeviceId;
  readonly readings: number;
  readonly lastObservedAt: number;
}

export interface StoreStats {
  readonly readings: number;
  readonly messages: number;
  readonly series: number;
  readonly bytes: number;
  /** Records written but not yet durable (recoverable from the log meanwhile). */
  readonly pendingReadings: number;
}

/** The reading-store port (see the module comment for idempotency and durability). Instants are epoch ms. */
export interface ReadingStore {
  /**
   * Writes records (already flagged by the processor; the store never alters a value or flag)
   * and advances the checkpoint. Resolves once they are visible to queries.
   */
  write(records: readonly IngestRecord[], checkpoint: Checkpoint): Promise<WriteResult>;

  /** Makes everything written so far durable, with its checkpoint. */
  flush(): Promise<void>;

  /** The checkpoint of the durable data, or undefined for an empty store. */
  checkpoint(): Promise<Checkpoint | undefined>;

  range(query: RangeQuery): Promise<RangePage>;

  /**
   * The latest reading of each code of a subject, sorted by code. The latest reading of a code is
   * the one with the greatest observedAt (ties: last in range order) among its readings NOT
   * flagged `clockSkew` — a device clock running ahead must not hide the correct readings after
   * it. Only when a code has no such reading is it the clock-skewed one received last (greatest
   * receivedAt; ties: last in range order). Readings flagged `implausible`, `artifact` or `late`
   * are eligible like any other and come with their flags, so a late reading shows only when it
   * is also the newest.
   */
  latest(subject: Subject): Promise<CanonicalReading[]>;

  /** `latest` of each patient listed (a ward's view). */
  latestForPatients(patientIds: readonly PatientId[]): Promise<Map<PatientId, CanonicalReading[]>>;

  /**
   * Count, min, max and mean of one code of a subject per bucket of `bucketMs` over
   * [fromAt, toAt), buckets aligned to multiples of `bucketMs` in epoch time, in time order. Only
   * buckets holding readings are returned, including those whose readings were all excluded (see
   * `Bucket`). Means are of the exact sum, rounded once. Rejects INVALID_INPUT for another
   * bucket size.
   */
  aggregate(query: AggregateQuery): Promise<Bucket[]>;

  waveforms(query: WaveformQuery): Promise<StoredWaveform[]>;

  /** Devices that sent readings while bound to no patient. */
  unassignedDevices(): Promise<UnassignedDevice[]>;

  stats(): Promise<StoreStats>;

  /** Flushes, then closes. */
  close(): Promise<void>;
}
