import type { Database } from 'better-sqlite3';
import { WardstreamError } from '@wardstream/domain';

/**
 * The database layout of `SqliteReadingStore`, version 1.
 *
 * series       one row per (patient or none, device, code); ids are assigned by the store.
 * chunk        a run of one series' samples (≤ chunkSamples, all within one aligned hour) as a blob,
 *              with its summary. `flush_id` is the flush that wrote it (for a merge, the latest of
 *              its inputs); the query side shows only rows of flushes it knows committed, so no
 *              sample is ever seen twice (in memory and on disk) in the moment between a commit on
 *              the writer thread and the main thread hearing of it.
 *              Level 0 rows, written by flushes, are indexed by flush first (`chunk_fresh`): a flush
 *              appends its thousands of rows at the end of that index instead of touching one
 *              page per series. Queries find a series' level-0 rows with one probe per recent
 *              flush. Level 1 rows, written by compaction a few times an hour per series, are
 *              indexed by series and time (`chunk_by_series`). Both indexes cover what range
 *              queries and the rebuild at open need, so neither reads a blob to plan.
 * waveform     one row per waveform segment of a message.
 * seq_set      per (device, boot), the seqs of every stored message, as an interval blob.
 * store_state  one row: the processor's checkpoint of the durable data (JSON) and the last flush id.
 */
export const SCHEMA_VERSION = 1;

/** Every chunk lies within one aligned hour, so a chunk spans less than this. */
export const CHUNK_SPAN_LIMIT_MS = 3_600_000;

const DDL = `
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  code TEXT NOT NULL,
  patient_id TEXT
);
CREATE TABLE chunk (
  id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL,
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  count INTEGER NOT NULL,
  level INTEGER NOT NULL,
  written_at INTEGER NOT NULL,
  flush_id INTEGER NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  sum REAL NOT NULL,
  sum_parts BLOB NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX chunk_fresh ON chunk (flush_id, series_id, end_at, start_at, count, written_at) WHERE level = 0;
CREATE INDEX chunk_by_series ON chunk (series_id, end_at, start_at, count, flush_id) WHERE level = 1;
CREATE TABLE waveform (
  id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  patient_id TEXT,
  code TEXT NOT NULL,
  unit TEXT NOT NULL,
  fs_hz REAL NOT NULL,
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  boot TEXT NOT NULL,
  seq INTEGER NOT NULL,
  quality INTEGER NOT NULL,
  flush_id INTEGER NOT NULL,
  samples BLOB NOT NULL
);
CREATE INDEX waveform_by_patient ON waveform (patient_id, end_at) WHERE patient_id IS NOT NULL;
CREATE INDEX waveform_by_device ON waveform (device_id, end_at);
CREATE TABLE seq_set (
  device_id TEXT NOT NULL,
  boot TEXT NOT NULL,
  intervals BLOB NOT NULL,
  PRIMARY KEY (device_id, boot)
) WITHOUT ROWID;
CREATE TABLE store_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  checkpoint TEXT,
  last_flush_id INTEGER NOT NULL
);
`;

/**
 * Sets a writing connection up (WAL, full fsync at commit, no automatic WAL checkpoints: the
 * flush runs them) and creates the schema of an empty file. Throws `WardstreamError('CORRUPT')`
 * for a file of another schema version.
 */
export function prepareWriter(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0) db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('journal_size_limit = 67108864');
  db.pragma('cache_size = -32768');
  db.pragma('temp_store = MEMORY');
  if (version === 0) {
    db.transaction(() => {
      db.exec(DDL);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  } else if (version !== SCHEMA_VERSION) {
    throw new WardstreamError(
      'CORRUPT',
      `reading store ${db.name}: schema version ${version}, this build reads ${SCHEMA_VERSION}`,
    );
  }
}

/** Sets a query connection up: large page cache and memory-mapped reads. */
export function prepareReader(db: Database): void {
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 1073741824');
}
