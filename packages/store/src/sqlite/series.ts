import type { CanonicalReading, DeviceId, PatientId } from '@wardstream/domain';
import type { Subject } from '../reading-store.js';
import { compareLatestRank } from './latest-rule.js';
import { bootAt, SampleBuffer, type SampleColumns, unitAt } from './samples.js';

/**
 * One series — (patient or none, device, code) — with its in-memory state: the head that writes
 * append to, the samples a flush in progress has taken (visible until its commit), its reading
 * count, its greatest observedAt and its latest sample by the port's rule (latest-rule.ts: the
 * newest reading not flagged clockSkew; while there is none, the clock-skewed one received last).
 * The latest sample is kept in fields, not an object, because it changes with nearly every reading.
 */
export class Series {
  /** Written, not yet taken by a flush. */
  head = new SampleBuffer();
  /** Taken by the flush in progress; dropped when the main thread hears of its commit. */
  flushing: SampleBuffer | undefined;
  /** The buffer of the previous flush, emptied, to become the next head (no allocation per flush). */
  spare: SampleBuffer | undefined;
  /** True once the series row is durable. */
  persisted: boolean;
  /** Readings held, durable or not. */
  count = 0;
  /** True while the series is on the list of series with head samples. */
  queued = false;
  /** The greatest observedAt of its readings, whatever their flags; -Infinity when it has none. */
  lastObservedAt = -Infinity;

  latestAt = NaN;
  latestValue = 0;
  latestReceivedAt = 0;
  latestSeq = 0;
  latestQuality = 0;
  latestBoot = '';
  latestUnit = '';

  constructor(
    readonly id: number,
    readonly patientId: PatientId | null,
    readonly deviceId: DeviceId,
    readonly code: string,
    persisted: boolean,
  ) {
    this.persisted = persisted;
  }

  get hasLatest(): boolean {
    return !Number.isNaN(this.latestAt);
  }

  /** Appends a reading to the head and counts it. */
  append(
    observedAt: number,
    value: number,
    receivedAt: number,
    seq: number,
    quality: number,
    boot: string,
    unit: string,
  ): void {
    this.head.add(observedAt, value, receivedAt, seq, quality, boot, unit);
    this.count++;
    if (observedAt > this.lastObservedAt) this.lastObservedAt = observedAt;
    if (this.replacesLatest(observedAt, receivedAt, quality, boot, seq)) {
      this.latestAt = observedAt;
      this.latestValue = value;
      this.latestReceivedAt = receivedAt;
      this.latestSeq = seq;
      this.latestQuality = quality;
      this.latestBoot = boot;
      this.latestUnit = unit;
    }
  }

  /** Makes sample i of `columns` the latest when the rule prefers it to the current one (rebuild at open). */
  offerLatest(columns: SampleColumns, i: number): void {
    const at = columns.observedAt[i] as number;
    const receivedAt = columns.receivedAt[i] as number;
    const quality = columns.quality[i] as number;
    const boot = bootAt(columns, i);
    const seq = columns.seq[i] as number;
    if (!this.replacesLatest(at, receivedAt, quality, boot, seq)) return;
    this.latestAt = at;
    this.latestValue = columns.value[i] as number;
    this.latestReceivedAt = receivedAt;
    this.latestSeq = seq;
    this.latestQuality = quality;
    this.latestBoot = boot;
    this.latestUnit = unitAt(columns, i);
  }

  /** True when the reading wins over the current latest: by rank (latest-rule.ts), then series order. */
  private replacesLatest(at: number, receivedAt: number, quality: number, boot: string, seq: number): boolean {
    if (!this.hasLatest) return true;
    const rank = compareLatestRank(quality, receivedAt, this.latestQuality, this.latestReceivedAt);
    if (rank !== 0) return rank > 0;
    if (at !== this.latestAt) return at > this.latestAt;
    return boot > this.latestBoot || (boot === this.latestBoot && seq > this.latestSeq);
  }

  latest(): CanonicalReading {
    return {
      deviceId: this.deviceId,
      patientId: this.patientId,
      code: this.code,
      value: this.latestValue,
      unit: this.latestUnit,
      observedAt: this.latestAt,
      receivedAt: this.latestReceivedAt,
      boot: this.latestBoot,
      seq: this.latestSeq,
      quality: this.latestQuality,
    };
  }

  /** Moves the head to `flushing` and starts a new head. */
  takeHead(): SampleBuffer {
    const taken = this.head;
    this.flushing = taken;
    this.head = this.spare ?? new SampleBuffer(taken.length);
    this.spare = undefined;
    return taken;
  }

  /** Drops the flushed samples (now durable), keeping their buffer unless it is oversized. */
  flushed(): void {
    const buffer = this.flushing;
    this.flushing = undefined;
    this.persisted = true;
    if (buffer === undefined || buffer.allocated > 4 * Math.max(256, buffer.length)) return;
    buffer.clear();
    this.spare = buffer;
  }

  /** The in-memory sample sets (flushing, head) that are not empty. */
  memory(): SampleColumns[] {
    const out: SampleColumns[] = [];
    if (this.flushing !== undefined && this.flushing.length > 0) out.push(this.flushing);
    if (this.head.length > 0) out.push(this.head);
    return out;
  }
}

/** The series of one (patient or none, device), by code. */
export type SeriesByCode = Map<string, Series>;

/** Every series the store knows, findable by (patient, device, code), by patient and by device. */
export class SeriesRegistry {
  /** device → patient ('' for none) → code → series: no key strings are built per reading. */
  private readonly byDeviceAndPatient = new Map<string, Map<string, SeriesByCode>>();
  private readonly byPatient = new Map<string, Series[]>();
  private readonly byDevice = new Map<string, Series[]>();
  private readonly list: Series[] = [];
  private nextId = 1;

  get size(): number {
    return this.list.length;
  }

  all(): readonly Series[] {
    return this.list;
  }

  /** The series of (patient, device) by code; look codes up in it, and `create` the missing. */
  codesOf(patientId: PatientId | null, deviceId: DeviceId): SeriesByCode {
    let patients = this.byDeviceAndPatient.get(deviceId);
    if (patients === undefined) {
      patients = new Map();
      this.byDeviceAndPatient.set(deviceId, patients);
    }
    const patientKey = patientId ?? '';
    let codes = patients.get(patientKey);
    if (codes === undefined) {
      codes = new Map();
      patients.set(patientKey, codes);
    }
    return codes;
  }

  /** Creates the (not yet persisted) series of (patient, device, code). */
  create(patientId: PatientId | null, deviceId: DeviceId, code: string): Series {
    const series = new Series(this.nextId, patientId, deviceId, code, false);
    this.add(series);
    return series;
  }

  /** Registers a series (new, or loaded from the database). */
  add(series: Series): void {
    this.codesOf(series.patientId, series.deviceId).set(series.code, series);
    this.list.push(series);
    this.nextId = Math.max(this.nextId, series.id + 1);
    if (series.patientId !== null) append(this.byPatient, series.patientId, series);
    append(this.byDevice, series.deviceId, series);
  }

  /** The series of a subject, optionally of one code. */
  forSubject(subject: Subject, code?: string): Series[] {
    const list = 'patientId' in subject ? this.byPatient.get(subject.patientId) : this.byDevice.get(subject.deviceId);
    if (list === undefined) return [];
    return code === undefined ? list : list.filter((s) => s.code === code);
  }
}

function append(map: Map<string, Series[]>, key: string, series: Series): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [series]);
  else list.push(series);
}
