import {
  canonicalReadings,
  deviceId,
  patientId,
  type CanonicalReading,
  type IngestRecord,
  type NormalizedWaveform,
} from '@wardstream/domain';
import type { Checkpoint, RangeQuery, ReadingStore } from '../reading-store.js';

/** An hour-aligned instant (2025-11-24T16:00:00Z) that test data starts from. */
export const T0 = 1_764_000_000_000;

/** Codes and canonical units used by the contract tests. */
export const HR = { code: 'MDC_ECG_HEART_RATE', unit: '/min' } as const;
export const SPO2 = { code: 'MDC_PULS_OXIM_SAT_O2', unit: '%' } as const;
export const TEMP = { code: 'MDC_TEMP_BODY', unit: 'Cel' } as const;
export const RR = { code: 'MDC_RESP_RATE', unit: '/min' } as const;
export const ECG = { code: 'MDC_ECG_ELEC_POTL_II', unit: 'mV' } as const;

export interface TestReading {
  readonly code: string;
  readonly value: number;
  readonly unit?: string;
  readonly quality?: number;
}

/** What a test record varies; everything else has a default. */
export interface TestRecordSpec {
  /** Default 'dev-1'. */
  readonly device?: string;
  /** Default 'pat-1'; null for a device bound to no patient. */
  readonly patient?: string | null;
  /** Default 'b1'. */
  readonly boot?: string;
  readonly seq: number;
  readonly observedAt: number;
  /** Default observedAt + 40. */
  readonly receivedAt?: number;
  /** Default: one heart-rate reading of 60 + seq % 40 /min. */
  readonly readings?: readonly TestReading[];
  readonly waveforms?: readonly NormalizedWaveform[];
}

/** Builds an `IngestRecord` for tests (ids validated like real ones). */
export function testRecord(spec: TestRecordSpec): IngestRecord {
  const patient = spec.patient === undefined ? 'pat-1' : spec.patient;
  const readings = spec.readings ?? [{ code: HR.code, value: 60 + (spec.seq % 40) }];
  return {
    deviceId: deviceId(spec.device ?? 'dev-1'),
    patientId: patient === null ? null : patientId(patient),
    boot: spec.boot ?? 'b1',
    seq: spec.seq,
    observedAt: spec.observedAt,
    receivedAt: spec.receivedAt ?? spec.observedAt + 40,
    readings: readings.map((r) => ({
      code: r.code,
      value: r.value,
      unit: r.unit ?? unitOf(r.code),
      quality: r.quality ?? 0,
    })),
    waveforms: spec.waveforms ?? [],
  };
}

function unitOf(code: string): string {
  for (const c of [HR, SPO2, TEMP, RR, ECG]) if (c.code === code) return c.unit;
  return '1';
}

/** A checkpoint naming log offset `offset` of partition 0. */
export function checkpointAt(offset: number, state: unknown = { watermark: offset }): Checkpoint {
  return { offsets: { 0: offset }, state };
}

/** Orders readings the way the port does: (observedAt, deviceId, code, boot, seq). */
export function compareReadings(a: CanonicalReading, b: CanonicalReading): number {
  if (a.observedAt !== b.observedAt) return a.observedAt - b.observedAt;
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  if (a.boot !== b.boot) return a.boot < b.boot ? -1 : 1;
  return a.seq - b.seq;
}

/** The canonical readings of `records`, in port order: what a store must return for them. */
export function expectedReadings(records: readonly IngestRecord[]): CanonicalReading[] {
  return records.flatMap((r) => canonicalReadings(r)).sort(compareReadings);
}

/** Follows `next` cursors to the end; returns every reading and the number of pages read. */
export async function readAllPages(
  store: ReadingStore,
  query: RangeQuery,
): Promise<{ readings: CanonicalReading[]; pages: number }> {
  const readings: CanonicalReading[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.range(cursor === undefined ? query : { ...query, cursor });
    readings.push(...page.readings);
    cursor = page.next;
    pages++;
    if (pages > 100_000) throw new Error('paging does not end');
  } while (cursor !== undefined);
  return { readings, pages };
}

/** Every reading of a patient (all codes, all time) in one pass of pages. */
export async function readPatient(store: ReadingStore, patient: string): Promise<CanonicalReading[]> {
  const query = { subject: { patientId: patientId(patient) }, fromAt: -8.64e15, toAt: 8.64e15, limit: 1000 };
  return (await readAllPages(store, query)).readings;
}

/** Every reading of a device (all codes, all time). */
export async function readDevice(store: ReadingStore, device: string): Promise<CanonicalReading[]> {
  const query = { subject: { deviceId: deviceId(device) }, fromAt: -8.64e15, toAt: 8.64e15, limit: 1000 };
  return (await readAllPages(store, query)).readings;
}
