import type { DeviceId, PatientId } from './ids.js';
import type { DeviceStatus, IngestRecord, NormalizedReading, NormalizedWaveform } from './reading.js';

/**
 * The encoding of an `IngestRecord` inside the telemetry log: compact JSON with short keys.
 * The log frames and checksums records; this codec only turns a record into bytes and back,
 * and refuses bytes that do not have the record's shape (it never guesses).
 */
type EncodedReading = [code: string, value: number, unit: string, quality: number];
type EncodedWaveform = [code: string, unit: string, fsHz: number, startAt: number, quality: number, samples: number[]];
interface EncodedRecord {
  d: string;
  p: string | null;
  b: string;
  s: number;
  o: number;
  r: number;
  rd: EncodedReading[];
  wf?: EncodedWaveform[];
  st?: DeviceStatus;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeIngestRecord(record: IngestRecord): Uint8Array {
  const encoded: EncodedRecord = {
    d: record.deviceId,
    p: record.patientId,
    b: record.boot,
    s: record.seq,
    o: record.observedAt,
    r: record.receivedAt,
    rd: record.readings.map((x) => [x.code, x.value, x.unit, x.quality]),
  };
  if (record.waveforms.length > 0) {
    encoded.wf = record.waveforms.map((w) => [w.code, w.unit, w.fsHz, w.startAt, w.quality, [...w.samples]]);
  }
  if (record.status !== undefined) encoded.st = record.status;
  return encoder.encode(JSON.stringify(encoded));
}

/** Decodes bytes written by `encodeIngestRecord`; throws a RangeError naming what is wrong. */
export function decodeIngestRecord(bytes: Uint8Array): IngestRecord {
  const e = JSON.parse(decoder.decode(bytes)) as Partial<EncodedRecord> | null;
  if (
    e === null ||
    typeof e !== 'object' ||
    typeof e.d !== 'string' ||
    !(e.p === null || typeof e.p === 'string') ||
    typeof e.b !== 'string' ||
    typeof e.s !== 'number' ||
    typeof e.o !== 'number' ||
    typeof e.r !== 'number' ||
    !Array.isArray(e.rd)
  ) {
    throw new RangeError('ingest record: missing or mistyped header field');
  }
  const readings: NormalizedReading[] = e.rd.map((x) => {
    if (!Array.isArray(x) || (x as unknown[]).length !== 4) throw new RangeError('ingest record: bad reading');
    const [code, value, unit, quality] = x;
    return { code, value, unit, quality };
  });
  const waveforms: NormalizedWaveform[] = (e.wf ?? []).map((x) => {
    if (!Array.isArray(x) || (x as unknown[]).length !== 6) throw new RangeError('ingest record: bad waveform');
    const [code, unit, fsHz, startAt, quality, samples] = x;
    return { code, unit, fsHz, startAt, quality, samples };
  });
  return {
    deviceId: e.d as DeviceId,
    patientId: e.p as PatientId | null,
    boot: e.b,
    seq: e.s,
    observedAt: e.o,
    receivedAt: e.r,
    readings,
    waveforms,
    ...(e.st === undefined ? {} : { status: decodeStatus(e.st) }),
  };
}

/**
 * The status as encoded: the `DeviceStatus` fields, each optional but `errors`. Records written
 * before `firmware` existed have none and decode as they always did.
 */
function decodeStatus(st: unknown): DeviceStatus {
  const s = st as Partial<Record<keyof DeviceStatus, unknown>> | null;
  if (
    s === null ||
    typeof s !== 'object' ||
    !Array.isArray(s.errors) ||
    !(s.batteryFraction === undefined || typeof s.batteryFraction === 'number') ||
    !(s.rssiDbm === undefined || typeof s.rssiDbm === 'number') ||
    !(s.firmware === undefined || typeof s.firmware === 'string')
  ) {
    throw new RangeError('ingest record: bad status');
  }
  return {
    ...(s.batteryFraction === undefined ? {} : { batteryFraction: s.batteryFraction }),
    ...(s.rssiDbm === undefined ? {} : { rssiDbm: s.rssiDbm }),
    errors: s.errors as string[],
    ...(s.firmware === undefined ? {} : { firmware: s.firmware }),
  };
}
