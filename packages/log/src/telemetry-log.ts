/**
 * The telemetry log port: a durable, partitioned, ordered log of ingest records between the
 * gateway and the processor (DESIGN 1, 3.4). Adapters: `FileTelemetryLog` (embedded, this
 * package), JetStream (scaled out). Every adapter passes `describeTelemetryLogContract`.
 */

/** One record to append. The idempotency key is (deviceId, boot, seq). */
export interface AppendRequest {
  /** Partition key: the patient id when the device is bound, else the device id. */
  readonly key: string;
  readonly deviceId: string;
  readonly boot: string;
  readonly seq: number;
  /**
   * A hash of the device's original payload. A second append of the same key with the same hash
   * is a duplicate (a device re-send); with a different hash it is a conflict (a device fault).
   */
  readonly contentHash: number;
  /** The encoded record (see `encodeIngestRecord`); opaque to the log. */
  readonly payload: Uint8Array;
}

/**
 * What became of one append request, with the position of the record concerned where there is
 * one:
 * - `appended`: the record is now durable; it may be acknowledged to the device.
 * - `duplicate`: a record with the same key and content hash is already in the log (a re-send);
 *   nothing was appended, and it may be acknowledged.
 * - `conflict`: a record with the same key and another content hash is in the log (a device
 *   fault); nothing was appended, and it must not be acknowledged as stored.
 * - `retired`: the key was used by a record the log no longer retains (retention deleted it), so
 *   the two cannot be compared; the record is NOT appended, and must not be acknowledged as
 *   stored. Either a very late re-send (its original was stored downstream) or a device re-using
 *   the key for new data (a collision: new data needs a new boot). An adapter that keeps every
 *   key forever, or forgets none it deleted, may never answer it; one that forgets deleted keys
 *   must not answer `appended` for them either, since consumers may already hold the key.
 */
export type AppendOutcome =
  | { readonly kind: 'appended'; readonly partition: number; readonly offset: number }
  | { readonly kind: 'duplicate'; readonly partition: number; readonly offset: number }
  | { readonly kind: 'conflict'; readonly partition: number; readonly offset: number }
  | { readonly kind: 'retired' };

/** A record read back from the log. */
export interface LogEntry {
  readonly partition: number;
  /** Position within the partition: 0, 1, 2, … without gaps. */
  readonly offset: number;
  readonly deviceId: string;
  readonly boot: string;
  readonly seq: number;
  readonly payload: Uint8Array;
}

export interface FetchOptions {
  /** Upper bound on entries returned, over all partitions. */
  readonly maxRecords: number;
  /** How long to wait for the first entry when none is available; 0 returns at once. */
  readonly maxWaitMs: number;
  /** Aborting ends the wait early with whatever is available (possibly nothing). */
  readonly signal?: AbortSignal;
}

/** Per-partition positions: partition → next offset to read (or that a consumer has processed). */
export type Offsets = ReadonlyMap<number, number>;

export type LogState =
  { readonly kind: 'ok' } | { readonly kind: 'unavailable'; readonly reason: string; readonly since: number };

export interface LogStatus {
  readonly state: LogState;
  /** Next offset to be assigned, per partition. */
  readonly endOffsets: Offsets;
  /** Bytes held on disk (or in the server) for this log. */
  readonly bytes: number;
}

/** The telemetry log port (see the module comment): durable, partitioned, idempotent on (deviceId, boot, seq). */
export interface TelemetryLog {
  readonly partitionCount: number;

  /**
   * Appends records. The promise resolves only when every record whose outcome is `appended` is
   * durable (fsynced locally, or acknowledged by a quorum) — group commit batches concurrent calls.
   * Outcomes are in request order. Records with the same key as one in flight wait for it.
   * Rejects with `LogUnavailableError` when the log cannot accept (disk full, write or fsync
   * error): then nothing in the call may be acknowledged. The log recovers by itself once the
   * cause is gone, and reports its state in `status()` meanwhile.
   */
  append(records: readonly AppendRequest[]): Promise<AppendOutcome[]>;

  /**
   * Reads entries at or after the given offsets of the listed partitions, each partition in offset
   * order. Waits up to `maxWaitMs` when none is available. Throws `LogCorruptionError` on an entry
   * whose checksum does not match: corrupt data is never returned and never skipped silently.
   */
  fetch(from: Offsets, options: FetchOptions): Promise<LogEntry[]>;

  /** Records that `consumer` has processed everything below `offsets`; retention respects it. */
  commit(consumer: string, offsets: Offsets): Promise<void>;

  /** The offsets last committed by `consumer` (partitions never committed are absent). */
  committed(consumer: string): Promise<Map<number, number>>;

  status(): LogStatus;

  /** Finishes in-flight appends, then closes. Appends after close reject. */
  close(): Promise<void>;
}
