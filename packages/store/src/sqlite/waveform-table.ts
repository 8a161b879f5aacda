import type { Database, Statement } from 'better-sqlite3';
import { WardstreamError, type DeviceId, type PatientId } from '@wardstream/domain';
import type { StoredWaveform, WaveformQuery } from '../reading-store.js';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import { verifiedBody, withChecksum } from './checksum.js';
import { readNumberColumn, writeNumberColumn } from './number-column.js';

/**
 * Waveform segments: one row per segment of a message, samples exact (number-column encoding with
 * a CRC-32 trailer). A segment covers [startAt, startAt + samples / fsHz) in event time.
 */

interface WaveformRow {
  device_id: string;
  patient_id: string | null;
  code: string;
  unit: string;
  fs_hz: number;
  start_at: number;
  boot: string;
  seq: number;
  quality: number;
  samples: Uint8Array;
}

/** Exclusive end of a segment in event time, epoch ms. */
export function waveformEndAt(w: StoredWaveform): number {
  return w.startAt + (w.samples.length * 1000) / w.fsHz;
}

/** True when the segment has a sample in [fromAt, toAt). */
export function waveformOverlaps(w: StoredWaveform, fromAt: number, toAt: number): boolean {
  return w.startAt < toAt && (waveformEndAt(w) > fromAt || w.startAt >= fromAt);
}

/** Orders segments by (startAt, deviceId, code, boot, seq). */
export function compareWaveforms(a: StoredWaveform, b: StoredWaveform): number {
  if (a.startAt !== b.startAt) return a.startAt < b.startAt ? -1 : 1;
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  if (a.boot !== b.boot) return a.boot < b.boot ? -1 : 1;
  return a.seq - b.seq;
}

/** Writes segments (on the writer connection, inside the flush transaction). */
export class WaveformWriter {
  private readonly insert: Statement;

  constructor(db: Database) {
    this.insert = db.prepare(
      `INSERT INTO waveform (device_id, patient_id, code, unit, fs_hz, start_at, end_at, boot, seq, quality, flush_id, samples)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  write(w: StoredWaveform, flushId: number): void {
    const blob = new ByteWriter(16 + w.samples.length * 3);
    blob.varint(w.samples.length);
    writeNumberColumn(blob, w.samples, 0, w.samples.length);
    this.insert.run(
      w.deviceId,
      w.patientId,
      w.code,
      w.unit,
      w.fsHz,
      w.startAt,
      waveformEndAt(w),
      w.boot,
      w.seq,
      w.quality,
      flushId,
      withChecksum(blob),
    );
  }
}

/** Reads segments (on the query connection). */
export class WaveformReader {
  private readonly byPatient: Statement<[string, number, number, number], WaveformRow>;
  private readonly byDevice: Statement<[string, number, number, number], WaveformRow>;

  /** `visibleFlushId`: the latest flush the main thread knows committed (see schema.ts). */
  constructor(
    db: Database,
    private readonly visibleFlushId: () => number,
  ) {
    const columns = 'device_id, patient_id, code, unit, fs_hz, start_at, boot, seq, quality, samples';
    this.byPatient = db.prepare(
      `SELECT ${columns} FROM waveform WHERE patient_id = ? AND end_at >= ? AND start_at < ? AND flush_id <= ?`,
    );
    this.byDevice = db.prepare(
      `SELECT ${columns} FROM waveform WHERE device_id = ? AND end_at >= ? AND start_at < ? AND flush_id <= ?`,
    );
  }

  /** Durable segments of the query (unsorted across devices); throws CORRUPT on a bad blob. */
  read(query: WaveformQuery): StoredWaveform[] {
    const { subject, fromAt, toAt } = query;
    const rows =
      'patientId' in subject
        ? this.byPatient.all(subject.patientId, fromAt, toAt, this.visibleFlushId())
        : this.byDevice.all(subject.deviceId, fromAt, toAt, this.visibleFlushId());
    const out: StoredWaveform[] = [];
    for (const row of rows) {
      if (query.code !== undefined && row.code !== query.code) continue;
      const segment = toWaveform(row);
      if (waveformOverlaps(segment, fromAt, toAt)) out.push(segment);
    }
    return out;
  }
}

function toWaveform(row: WaveformRow): StoredWaveform {
  const label = `waveform ${row.device_id}/${row.boot}/${row.seq}/${row.code}`;
  let samples: number[];
  try {
    const r = new ByteReader(verifiedBody(row.samples, label));
    samples = Array.from(readNumberColumn(r, r.varint()));
  } catch (err) {
    if (err instanceof WardstreamError) throw err;
    throw new WardstreamError('CORRUPT', `${label}: undecodable samples`, { cause: err });
  }
  return {
    deviceId: row.device_id as DeviceId,
    patientId: row.patient_id as PatientId | null,
    code: row.code,
    unit: row.unit,
    fsHz: row.fs_hz,
    startAt: row.start_at,
    samples,
    boot: row.boot,
    seq: row.seq,
    quality: row.quality,
  };
}
