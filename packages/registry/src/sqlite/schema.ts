import type { Database } from 'better-sqlite3';
import { migrateUserVersion } from '@wardstream/domain';

/**
 * The database layout of `SqliteRegistry`. Instants are INTEGER epoch ms.
 *
 * patients   id, display name, ward.
 * devices    id, model, first and last connection; zero-touch enrollment (version 2): `enrollment`
 *            (NULL for a device registered by an admin or first seen), when it enrolled, the
 *            manufacturer and bootstrap certificate serial it enrolled with, the admin decision.
 * bindings   device → patient from `from_at` until `to_at` (NULL while open).
 *
 * The version is SQLite's `user_version`; `MIGRATIONS[n]` takes a file from version n to n + 1.
 * Files written before versioning are at 0 with the version 1 tables already there, hence the
 * `IF NOT EXISTS` of version 1.
 */
const VERSION_1 = `
CREATE TABLE IF NOT EXISTS patients (
  id TEXT PRIMARY KEY, display_name TEXT, ward_id TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS patients_ward ON patients(ward_id);
CREATE TABLE IF NOT EXISTS devices (
  id TEXT PRIMARY KEY, model TEXT, created_at INTEGER NOT NULL, last_connected_at INTEGER);
CREATE TABLE IF NOT EXISTS bindings (
  id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES devices(id), patient_id TEXT NOT NULL REFERENCES patients(id),
  from_at INTEGER NOT NULL, to_at INTEGER);
CREATE INDEX IF NOT EXISTS bindings_device ON bindings(device_id, from_at);
CREATE INDEX IF NOT EXISTS bindings_patient ON bindings(patient_id, from_at);
`;

const VERSION_2 = `
ALTER TABLE devices ADD COLUMN enrollment TEXT CHECK (enrollment IN ('pending', 'approved', 'rejected'));
ALTER TABLE devices ADD COLUMN enrolled_at INTEGER;
ALTER TABLE devices ADD COLUMN manufacturer TEXT;
ALTER TABLE devices ADD COLUMN bootstrap_serial TEXT;
ALTER TABLE devices ADD COLUMN decided_by TEXT;
ALTER TABLE devices ADD COLUMN decided_at INTEGER;
ALTER TABLE devices ADD COLUMN decision_reason TEXT;
CREATE INDEX devices_enrollment ON devices(enrollment, enrolled_at) WHERE enrollment IS NOT NULL;
`;

const MIGRATIONS: readonly ((db: Database) => void)[] = [(db) => db.exec(VERSION_1), (db) => db.exec(VERSION_2)];

/** The version this build writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the file to `SCHEMA_VERSION`, each step in one transaction with its `user_version`; throws
 * `WardstreamError('CORRUPT')` for a file written by a newer build.
 */
export function migrate(db: Database, name: string): void {
  migrateUserVersion(db, `registry ${name}`, MIGRATIONS);
}
