import type { DeviceId, PatientId } from './ids.js';
import type { Quality } from './quality.js';

/** A numeric reading after validation: canonical code, value in the code's canonical unit. */
export interface NormalizedReading {
  readonly code: string;
  readonly value: number;
  readonly unit: string;
  readonly quality: Quality;
}

/** A waveform segment after validation; `samples` are in the code's canonical unit. */
export interface NormalizedWaveform {
  readonly code: string;
  readonly unit: string;
  readonly fsHz: number;
  /** Event time of the first sample, epoch ms. */
  readonly startAt: number;
  readonly samples: readonly number[];
  readonly quality: Quality;
}

/** Device status that rides along with telemetry (DESIGN 3.1 `status`). */
export interface DeviceStatus {
  /** Remaining battery as a fraction 0..1. */
  readonly batteryFraction?: number;
  readonly rssiDbm?: number;
  readonly errors: readonly string[];
  /** The device's firmware version as it reports it (1-64 printable ASCII characters). */
  readonly firmware?: string;
}

/** One validated device message: the unit of idempotency is (deviceId, boot, seq). */
export interface DeviceMessage {
  readonly deviceId: DeviceId;
  /** The device's boot id; '' when the device sends none. */
  readonly boot: string;
  readonly seq: number;
  /** Event time of the readings, epoch ms. */
  readonly observedAt: number;
  readonly readings: readonly NormalizedReading[];
  readonly waveforms: readonly NormalizedWaveform[];
  readonly status?: DeviceStatus;
}

/** What the gateway appends to the telemetry log: a message, its patient and its ingest time. */
export interface IngestRecord extends DeviceMessage {
  /** The patient bound to the device at `observedAt`, or null when the device is unassigned. */
  readonly patientId: PatientId | null;
  /** Ingest time at the gateway, epoch ms. */
  readonly receivedAt: number;
}

/** The canonical reading (DESIGN 3.2), as stored and served. */
export interface CanonicalReading {
  readonly deviceId: DeviceId;
  readonly patientId: PatientId | null;
  readonly code: string;
  readonly value: number;
  readonly unit: string;
  readonly observedAt: number;
  readonly receivedAt: number;
  readonly boot: string;
  readonly seq: number;
  readonly quality: Quality;
}

/** Flattens a record's numeric readings into canonical readings, adding `extraQuality` flags. */
export function canonicalReadings(record: IngestRecord, extraQuality: Quality = 0): CanonicalReading[] {
  return record.readings.map((r) => ({
    deviceId: record.deviceId,
    patientId: record.patientId,
    code: r.code,
    value: r.value,
    unit: r.unit,
    observedAt: record.observedAt,
    receivedAt: record.receivedAt,
    boot: record.boot,
    seq: record.seq,
    quality: r.quality | extraQuality,
  }));
}
