import type { Database } from 'better-sqlite3';
import { WardstreamError, type DeviceId, type PatientId } from '@wardstream/domain';
import type { Checkpoint } from '../reading-store.js';
import { decodeChunk } from './chunk-codec.js';
import { MemoryState } from './memory-state.js';
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

interface SeqSetRow {
  device_id: string;
  boot: string;
  intervals: Uint8Array;
}

/**
 * Rebuilds the in-memory state from the durable data at open: the series, their reading counts
 * (from the covering index, without reading blobs), the latest sample of each series (from the
 * chunks holding its last observedAt), the message keys, the checkpoint and the latest flush id. Throws
 * `WardstreamError('CORRUPT')` when a blob fails its checksum.
 */
export function loadState(db: Database): MemoryState {
  const state = new MemoryState();
  const seriesById = new Map<number, Series>();
  for (const row of db.prepare<[], SeriesRow>('SELECT id, device_id, code, patient_id FROM series').all()) {
    const series = new Series(row.id, row.patient_id as PatientId | null, row.device_id as DeviceId, row.code, true);
    state.registry.add(series);
    seriesById.set(row.id, series);
  }

  const totals = db
    .prepare<[], TotalsRow>(
      'SELECT series_id, sum(count) AS readings, max(end_at) AS last_at FROM chunk GROUP BY series_id',
    )
    .all();
  const lastChunks = db.prepare<[number, number], Uint8Array>(
    'SELECT data FROM chunk WHERE series_id = ? AND end_at = ?',
  );
  lastChunks.pluck();
  for (const row of totals) {
    const series = seriesById.get(row.series_id);
    if (series === undefined) throw new WardstreamError('CORRUPT', `chunks of unknown series ${row.series_id}`);
    series.count = row.readings;
    state.readings += row.readings;
    for (const data of lastChunks.all(row.series_id, row.last_at)) {
      const chunk = decodeChunk(data, `last chunk of series ${row.series_id}`);
      series.offerLatest(chunk, chunk.length - 1);
    }
  }

  for (const row of db.prepare<[], SeqSetRow>('SELECT device_id, boot, intervals FROM seq_set').all()) {
    state.keys.load(row.device_id, row.boot, SeqSet.decode(row.intervals, `seq set ${row.device_id}/${row.boot}`));
  }

  const lastFlush = db
    .prepare<[], number | null>(
      'SELECT max(coalesce((SELECT max(flush_id) FROM chunk), 0), coalesce((SELECT max(flush_id) FROM waveform), 0))',
    )
    .pluck()
    .get();
  state.lastFlushId = lastFlush ?? 0;

  const checkpoint = db.prepare<[], string>('SELECT json FROM checkpoint WHERE id = 1').pluck().get();
  if (checkpoint !== undefined) state.durableCheckpoint = parseCheckpoint(checkpoint);
  return state;
}

function parseCheckpoint(json: string): Checkpoint {
  try {
    return JSON.parse(json) as Checkpoint;
  } catch (err) {
    throw new WardstreamError('CORRUPT', 'stored checkpoint is not JSON', { cause: err });
  }
}
