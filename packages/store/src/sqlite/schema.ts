import type { Database } from 'better-sqlite3';
import { WardstreamError } from '@wardstream/domain';
import { decodeChunk } from './chunk-codec.js';
import { chunkQuality } from './chunk-quality.js';

/**
 * The database layout of `SqliteReadingStore`, version 2.
 *
 * series       one row per (patient or none, device, code); ids are assigned by the store.
 * chunk        a run of one series' samples (≤ chunkSamples, all within one aligned hour) as a blob,
 *              with its summary: count, min, max and exact sum of every sample, and what its
 *              quality flags are (chunk-quality.ts) — so an aggregate knows whether the summary
 *              may stand for the chunk, and the rebuild at open where each series' latest reading
 *              lies, without reading the blob. `flush_id` is the flush that wrote it (for a merge,
 *              the latest of its inputs); the query side shows only rows of flushes it knows
 *              committed, so no sample is ever seen twice (in memory and on disk) in the moment
 *              between a commit on the writer thread and the main thread hearing of it.
 *              Level 0 rows, written by flushes, are indexed by flush first (`chunk_fresh`): a flush
 *              appends its thousands of rows at the end of that index instead of touching one
 *              page per series. Queries find a series' level-0 rows with one probe per recent
 *              flush. Level 1 rows, written by compaction a few times an hour per series, are
 *              indexed by series and time (`chunk_by_series`). Both indexes cover what range
 *              queries, compaction planning and the rebuild at open need, so none reads a blob to plan.
 * waveform     one row per waveform segment of a message.
 * seq_set      per (device, boot), the seqs of every stored message, as an interval blob.
 * store_state  one row: the processor's checkpoint of the durable data (JSON) and the last flush id.
 *
 * Version 1 lacked the chunk columns `flags`, `last_unskewed_at` and `last_skewed_received_at`
 * (and their place in the indexes); opening such a file upgrades it once, in one transaction that
 * decodes every chunk (see `upgradeFromVersion1`).
 */
export const SCHEMA_VERSION = 2;

/** Added in version 2, after `data` so that an upgraded file has the layout of a new one. */
const CHUNK_QUALITY_COLUMNS = [
  'flags INTEGER NOT NULL DEFAULT 0',
  'last_unskewed_at INTEGER',
  'last_skewed_received_at INTEGER',
];

const CHUNK_INDEXES = `
CREATE INDEX chunk_fresh ON chunk (flush_id, series_id, end_at, start_at, count, written_at,
  last_unskewed_at, last_skewed_received_at) WHERE level = 0;
CREATE INDEX chunk_by_series ON chunk (series_id, end_at, start_at, count, flush_id,
  last_unskewed_at, last_skewed_received_at) WHERE level = 1;
`;

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
  data BLOB NOT NULL,
  ${CHUNK_QUALITY_COLUMNS.join(',\n  ')}
);
${CHUNK_INDEXES}
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
 * flush runs them), creates the schema of an empty file and upgrades a version-1 file. Throws
 * `WardstreamError('CORRUPT')` for a file of another schema version, or a version-1 file with a
 * chunk failing its checksum (the file is then left as it was).
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
  } else if (version === 1) {
    upgradeFromVersion1(db);
  } else if (version !== SCHEMA_VERSION) {
    throw new WardstreamError(
      'CORRUPT',
      `reading store ${db.name}: schema version ${version}, this build reads ${SCHEMA_VERSION}`,
    );
  }
}

/**
 * Version 1 → 2, in one transaction: adds the chunk quality columns, fills them from every
 * chunk's blob (a one-time read of the whole file) and rebuilds the indexes that cover them.
 */
function upgradeFromVersion1(db: Database): void {
  db.transaction(() => {
    for (const column of CHUNK_QUALITY_COLUMNS) db.exec(`ALTER TABLE chunk ADD COLUMN ${column}`);
    db.exec('DROP INDEX chunk_fresh; DROP INDEX chunk_by_series;');
    const ids = db.prepare<[], number>('SELECT id FROM chunk').pluck().all();
    const data = db.prepare<[number], Uint8Array>('SELECT data FROM chunk WHERE id = ?').pluck();
    const update = db.prepare<[number, number | null, number | null, number]>(
      'UPDATE chunk SET flags = ?, last_unskewed_at = ?, last_skewed_received_at = ? WHERE id = ?',
    );
    for (const id of ids) {
      const chunk = decodeChunk(data.get(id) ?? new Uint8Array(0), `chunk ${id}`);
      const quality = chunkQuality(chunk, 0, chunk.length);
      update.run(quality.flags, quality.lastUnskewedAt, quality.lastSkewedReceivedAt, id);
    }
    db.exec(CHUNK_INDEXES);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/** Sets a query connection up: large page cache and memory-mapped reads. */
export function prepareReader(db: Database): void {
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 1073741824');
}
