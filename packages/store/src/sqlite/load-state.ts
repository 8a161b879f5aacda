import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { WardstreamError, type DeviceId, type PatientId } from '@wardstream/domain';
import type { Checkpoint } from '../reading-store.js';
import { decodeChunk } from './chunk-codec.js';
import { MemoryState } from './memory-state.js';
import { lowerBound } from './samples.js';
import { prepareWriter } from './schema.js';
import { SeqSet } from './seq-set.js';
import { Series } from './series.js';

interface SeriesRow {
  id: number;
  device_id: string;
  code: string;
  patient_id: string | null;
}

/** A chunk as its covering index gives it (no blob read). */
interface ChunkIndexRow {
  id: number;
  series_id: number;
  count: number;
  end_at: number;
  last_unskewed_at: number | null;
  last_skewed_received_at: number | null;
}

/** The chunks with the greatest value offered so far. */
class Greatest {
  value = -Infinity;
  readonly ids: number[] = [];

  offer(id: number, value: number | null): void {
    if (value === null || value < this.value) return;
    if (value > this.value) {
      this.value = value;
      this.ids.length = 0;
    }
    this.ids.push(id);
  }
}

/**
 * Per series, while the chunk indexes are scanned: the chunks that may hold its latest reading.
 * By the port's rule that is the unskewed reading with the greatest observedAt, so it lies in the
 * chunks with the greatest `last_unskewed_at`; only for a series with no unskewed reading at all,
 * in those with the greatest `last_skewed_received_at`.
 */
class LatestChunks {
  private readonly unskewed = new Greatest();
  private readonly skewed = new Greatest();

  offer(row: ChunkIndexRow): void {
    this.unskewed.offer(row.id, row.last_unskewed_at);
    this.skewed.offer(row.id, row.last_skewed_received_at);
  }

  /** The chunks to decode, and the observedAt before which none of their samples can be it. */
  chunks(): { ids: readonly number[]; fromAt: number } {
    if (this.unskewed.ids.length > 0) return { ids: this.unskewed.ids, fromAt: this.unskewed.value };
    return { ids: this.skewed.ids, fromAt: -Infinity };
  }
}

interface StateRow {
  checkpoint: string | null;
  last_flush_id: number;
}

interface SeqSetRow {
  device_id: string;
  boot: string;
  intervals: Uint8Array;
}

/**
 * Creates the database when missing (and its directory), checks its schema and rebuilds the
 * in-memory state from it; see `loadState`. Throws CORRUPT or UNAVAILABLE.
 */
export function loadStateFromFile(path: string): MemoryState {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      prepareWriter(db);
      return loadState(db);
    } finally {
      db.close();
    }
  } catch (err) {
    if (err instanceof WardstreamError) throw err;
    throw new WardstreamError('UNAVAILABLE', `cannot open reading store ${path}`, { cause: err });
  }
}

/**
 * Rebuilds the in-memory state from the durable data at open: the series, their reading counts
 * and greatest observedAt (from the covering indexes, without reading blobs), the latest reading of
 * each series by the port's rule (from the chunks the indexes say hold it), the message keys, the
 * checkpoint and the latest flush id. Throws `WardstreamError('CORRUPT')` when a blob it reads
 * fails its checksum.
 */
export function loadState(db: Database.Database): MemoryState {
  const state = new MemoryState();
  const seriesById = new Map<number, Series>();
  for (const row of db.prepare<[], SeriesRow>('SELECT id, device_id, code, patient_id FROM series').all()) {
    const series = new Series(row.id, row.patient_id as PatientId | null, row.device_id as DeviceId, row.code, true);
    state.registry.add(series);
    seriesById.set(row.id, series);
  }

  // Per series: readings, greatest observedAt and where its latest reading lies, from both
  // covering indexes (no blob is read); then only the chunks holding a latest reading are decoded.
  const latest = new Map<Series, LatestChunks>();
  for (const level of [1, 0]) {
    const rows = db.prepare<[], ChunkIndexRow>(
      `SELECT id, series_id, count, end_at, last_unskewed_at, last_skewed_received_at FROM chunk WHERE level = ${level}`,
    );
    for (const row of rows.iterate()) {
      const series = seriesById.get(row.series_id);
      if (series === undefined) throw new WardstreamError('CORRUPT', `chunks of unknown series ${row.series_id}`);
      series.count += row.count;
      state.readings += row.count;
      series.lastObservedAt = Math.max(series.lastObservedAt, row.end_at);
      let chunks = latest.get(series);
      if (chunks === undefined) {
        chunks = new LatestChunks();
        latest.set(series, chunks);
      }
      chunks.offer(row);
    }
  }
  const data = db.prepare<[number], Uint8Array>('SELECT data FROM chunk WHERE id = ?').pluck();
  for (const [series, chunks] of latest) {
    const { ids, fromAt } = chunks.chunks();
    for (const id of ids) {
      const chunk = decodeChunk(data.get(id) ?? new Uint8Array(0), `chunk ${id}`);
      for (let i = lowerBound(chunk, fromAt); i < chunk.length; i++) series.offerLatest(chunk, i);
    }
  }

  for (const row of db.prepare<[], SeqSetRow>('SELECT device_id, boot, intervals FROM seq_set').all()) {
    state.keys.load(row.device_id, row.boot, SeqSet.decode(row.intervals, `seq set ${row.device_id}/${row.boot}`));
  }

  const stored = db.prepare<[], StateRow>('SELECT checkpoint, last_flush_id FROM store_state WHERE id = 1').get();
  state.lastFlushId = stored?.last_flush_id ?? 0;
  if (stored?.checkpoint != null) state.durableCheckpoint = parseCheckpoint(stored.checkpoint);
  return state;
}

function parseCheckpoint(json: string): Checkpoint {
  try {
    return JSON.parse(json) as Checkpoint;
  } catch (err) {
    throw new WardstreamError('CORRUPT', 'stored checkpoint is not JSON', { cause: err });
  }
}
