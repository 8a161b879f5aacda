import type { CanonicalReading, DeviceId, PatientId } from '@wardstream/domain';
import type { Subject } from '../reading-store.js';

/** The columns every reading query selects, in the order `toReading` expects. */
export const READING_COLUMNS = 'observed_at, device_id, code, boot, seq, patient_id, value, unit, received_at, quality';

/** Port order (observedAt, deviceId, code, boot, seq); text columns are COLLATE "C", as JS compares. */
export const RANGE_ORDER = 'observed_at, device_id, code, boot, seq';

export interface ReadingRow {
  readonly observed_at: number;
  readonly device_id: string;
  readonly code: string;
  readonly boot: string;
  /** int8 comes back as a string; seqs are safe integers (checked on write). */
  readonly seq: string;
  readonly patient_id: string | null;
  readonly value: number;
  readonly unit: string;
  readonly received_at: number;
  readonly quality: number;
}

export function toReading(row: ReadingRow): CanonicalReading {
  return {
    deviceId: row.device_id as DeviceId,
    patientId: row.patient_id as PatientId | null,
    code: row.code,
    value: row.value,
    unit: row.unit,
    observedAt: row.observed_at,
    receivedAt: row.received_at,
    boot: row.boot,
    seq: Number(row.seq),
    quality: row.quality,
  };
}

/** The WHERE term selecting a subject, with its id as parameter `$n`. */
export function subjectFilter(subject: Subject, n: number): { sql: string; id: string } {
  return 'patientId' in subject
    ? { sql: `patient_id = $${n}`, id: subject.patientId }
    : { sql: `device_id = $${n}`, id: subject.deviceId };
}
