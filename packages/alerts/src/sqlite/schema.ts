import type { Database } from 'better-sqlite3';
import { canonicalJson, chainHash, GENESIS_HASH } from '@wardstream/auth';
import { migrateUserVersion } from '@wardstream/domain';

/**
 * The database layout of `SqliteClinicalStore`. Instants are INTEGER epoch ms; every row keeps its
 * record as JSON (`json`), the other columns are what the queries filter and sort on.
 *
 * alarms        the latest snapshot of each alarm; `version` is the seq of the event that wrote it.
 * alarm_events  every alarm event with the alarm as it stood after it (the audit trail of alarms).
 * scores        the score time series, one row per (patient, score, at).
 * charted       clinician-recorded observations.
 * rule_sets     one row per scope: `default`, `ward:<id>`, `patient:<id>`.
 * audit         user changes; AUTOINCREMENT so a seq is never handed out twice, even after a delete.
 * checkpoint    one row: the engine's last checkpoint.
 * ecg_metrics   ECG heart rate, HRV and signal quality, one row per (device, lead, at) (version 2).
 * audit_checkpoint  signed (seq, hash) of the audit chain, so a cut tail shows (version 4).
 * audit.hash    the audit trail as a hash chain (version 3): SHA-256 of the previous row's hash, the
 *               seq and the entry as canonical JSON (`@wardstream/auth` audit-chain).
 *
 * The version is SQLite's `user_version`; `MIGRATIONS[n]` takes a file from version n to n + 1.
 */
const VERSION_1 = `
CREATE TABLE alarms (
  id TEXT PRIMARY KEY,
  patient_id TEXT,
  device_id TEXT,
  state TEXT NOT NULL,
  raised_at INTEGER NOT NULL,
  version INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX alarms_by_raised ON alarms (raised_at, id);
CREATE INDEX alarms_by_patient ON alarms (patient_id, raised_at, id) WHERE patient_id IS NOT NULL;
CREATE INDEX alarms_by_device ON alarms (device_id, raised_at, id) WHERE device_id IS NOT NULL;
CREATE INDEX alarms_open ON alarms (raised_at, id) WHERE state <> 'resolved';
CREATE TABLE alarm_events (
  event_id TEXT PRIMARY KEY,
  alarm_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  "by" TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX alarm_events_by_alarm ON alarm_events (alarm_id, seq);
CREATE INDEX alarm_events_by_at ON alarm_events (at, alarm_id, seq);
CREATE TABLE scores (
  patient_id TEXT NOT NULL,
  score TEXT NOT NULL,
  at INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (patient_id, score, at)
) WITHOUT ROWID;
CREATE TABLE charted (
  id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL,
  observed_at INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX charted_by_patient ON charted (patient_id, observed_at, id);
CREATE TABLE rule_sets (
  scope_key TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE TABLE checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  saved_at INTEGER NOT NULL,
  json TEXT NOT NULL
);
`;

const VERSION_2 = `
CREATE TABLE ecg_metrics (
  device_id TEXT NOT NULL,
  code TEXT NOT NULL,
  at INTEGER NOT NULL,
  patient_id TEXT,
  json TEXT NOT NULL,
  PRIMARY KEY (device_id, code, at)
) WITHOUT ROWID;
CREATE INDEX ecg_metrics_by_patient ON ecg_metrics (patient_id, at) WHERE patient_id IS NOT NULL;
`;

/** Version 3: the audit trail becomes a hash chain; rows already there are chained in seq order. */
function version3(db: Database): void {
  db.exec('ALTER TABLE audit ADD COLUMN hash TEXT');
  const rows = db.prepare<[], { seq: number; json: string }>('SELECT seq, json FROM audit ORDER BY seq').all();
  const update = db.prepare<[string, number]>('UPDATE audit SET hash = ? WHERE seq = ?');
  let previous = GENESIS_HASH;
  for (const row of rows) {
    previous = chainHash(previous, row.seq, canonicalJson(JSON.parse(row.json)));
    update.run(previous, row.seq);
  }
}

/** `MIGRATIONS[n]` upgrades a file of version n to n + 1; version 0 is an empty file. Append, never edit. */
const MIGRATIONS: readonly ((db: Database) => void)[] = [
  (db) => db.exec(VERSION_1),
  (db) => db.exec(VERSION_2),
  version3,
  (db) =>
    db.exec(`CREATE TABLE audit_checkpoint (
      seq INTEGER PRIMARY KEY,
      hash TEXT NOT NULL,
      at INTEGER NOT NULL,
      signature TEXT NOT NULL
    )`),
];

/** The version this build writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the file to `SCHEMA_VERSION`, each step in one transaction with its `user_version`; throws
 * `WardstreamError('CORRUPT')` for a file written by a newer build.
 */
export function migrate(db: Database, name: string): void {
  migrateUserVersion(db, `clinical store ${name}`, MIGRATIONS);
}
