import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { deviceId, patientId, WardstreamError } from '@wardstream/domain';
import { SCHEMA_VERSION } from './schema.js';
import { SqliteRegistry } from './sqlite-registry.js';

/** The layout every registry file had before schema versions (user_version 0), as it shipped. */
const UNVERSIONED_SCHEMA = `
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

async function withFile(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-registry-migrate-'));
  try {
    await fn(join(dir, 'registry.db'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('SqliteRegistry schema', () => {
  it('upgrades a file written before enrollment, keeping its devices (not enrolled) and bindings', () =>
    withFile(async (path) => {
      const old = new Database(path);
      old.exec(UNVERSIONED_SCHEMA);
      old.prepare("INSERT INTO devices VALUES ('mon-1', 'M1', 1, 5)").run();
      old.prepare("INSERT INTO patients VALUES ('p-1', 'Ada', 'w-4', 1, 1)").run();
      old.prepare("INSERT INTO bindings VALUES ('b-1', 'mon-1', 'p-1', 100, NULL)").run();
      old.close();

      const registry = await SqliteRegistry.open({ path });
      try {
        const device = await registry.getDevice(deviceId('mon-1'));
        assert.deepEqual(device, {
          id: 'mon-1',
          model: 'M1',
          createdAt: 1,
          lastConnectedAt: 5,
          enrollment: null,
          enrolledAt: null,
          manufacturer: null,
          bootstrapSerial: null,
          enrollmentDecision: null,
        });
        assert.equal((await registry.bindings({ patientId: patientId('p-1'), openOnly: true })).length, 1);
        const enrolled = await registry.enrollDevice(
          { deviceId: deviceId('acme-SN1'), manufacturer: 'acme', bootstrapSerial: 'AA01', state: 'pending' },
          200,
        );
        assert.equal(enrolled.enrollment, 'pending');
      } finally {
        await registry.close();
      }
      const check = new Database(path, { readonly: true });
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      check.close();
    }));

  it('refuses a file written by a newer build', () =>
    withFile(async (path) => {
      const newer = new Database(path);
      newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      newer.close();
      await assert.rejects(
        SqliteRegistry.open({ path }),
        (err: unknown) =>
          err instanceof WardstreamError && err.code === 'CORRUPT' && /schema version/.test(err.message),
      );
    }));
});
