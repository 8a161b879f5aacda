import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { WardstreamError, type DeviceId, type PatientId } from '@wardstream/domain';
import type { Checkpoint } from '../reading-store.js';
import { decodeChunk } from './chunk-codec.js';
import { MemoryState } from './memory-state.js';
import { prepareWriter } from './schema.js';
import { SeqSet } from './seq-set.js';
import { Series } from './series.js';

interface SeriesRow {
  id: number;
  device_id: string;
  code: string;
  patient_id: string | null;
}

interface TotalsRow {
  series_id: number;
  readings: number;
  last_at: number;
}

interface FreshRow {
  id: number;
  series_id: number;
  end_at: number;
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
 * (from the covering index, without reading blobs), the latest sample of each series (from the
 * chunks holding its last observedAt), the message keys, the checkpoint and the latest flush id. Throws
 * `WardstreamError('CORRUPT')` when a blob fails its checksum.
 */
export function loadState(db: Database.Database): MemoryState {
  const state = new MemoryState();
  const seriesById = new Map<number, Series>();
  for (const row of db.prepare<[], SeriesRow>('SELECT id, device_id, code, patient_id FROM series').all()) {
    const series = new Series(row.id, row.patient_id as PatientId | null, row.device_id as DeviceId, row.code, true);
    state.registry.add(series);
    seriesById.set(row.id, series);
  }

  // Per series: readings and latest observedAt, from both covering indexes (no blob is read).
  const totals = (level: 0 | 1) =>
    db
      .prepare<[], TotalsRow>(
        `SELECT series_id, sum(count) AS readings, max(end_at) AS last_at FROM chunk WHERE level = ${level} GROUP BY series_id`,
      )
      .all();
  const lastAt = new Map<number, number>();
  for (const row of [...totals(1), ...totals(0)]) {
    const series = seriesById.get(row.series_id);
    if (series === undefined) throw new WardstreamError('CORRUPT', `chunks of unknown series ${row.series_id}`);
    series.count += row.readings;
    state.readings += row.readings;
    lastAt.set(row.series_id, Math.max(lastAt.get(row.series_id) ?? -Infinity, row.last_at));
  }
  // The latest sample of each series is the last of a chunk ending at its latest observedAt.
  const lastIds: number[] = [];
  const compacted = db.prepare<[number, number], number>(
    'SELECT id FROM chunk WHERE level = 1 AND series_id = ? AND end_at = ?',
  );
  compacted.pluck();
  for (const [seriesId, at] of lastAt) lastIds.push(...compacted.all(seriesId, at));
  const fresh = db.prepare<[], FreshRow>('SELECT id, series_id, end_at FROM chunk WHERE level = 0');
  for (const row of fresh.iterate()) if (lastAt.get(row.series_id) === row.end_at) lastIds.push(row.id);
  const data = db.prepare<[number], { series_id: number; data: Uint8Array }>(
    'SELECT series_id, data FROM chunk WHERE id = ?',
  );
  for (const id of lastIds) {
    const row = data.get(id);
    if (row === undefined) continue;
    const chunk = decodeChunk(row.data, `chunk ${id}`);
    seriesById.get(row.series_id)?.offerLatest(chunk, chunk.length - 1);
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
