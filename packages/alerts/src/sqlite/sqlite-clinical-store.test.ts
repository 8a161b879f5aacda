import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { verifyChain } from '@wardstream/auth';
import { WardstreamError, type ErrorCode } from '@wardstream/domain';
import type { ClinicalStore } from '../clinical-store.js';
import { alarmFixture, alarmHistory, chartedFixture, describeClinicalStoreContract, T0 } from '../contract.js';
import { SCHEMA_VERSION } from './schema.js';
import { SqliteClinicalStore } from './sqlite-clinical-store.js';

const dir = mkdtempSync(join(tmpdir(), 'ws-clinical-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const paths = new WeakMap<ClinicalStore, string>();
function openFile(path = join(dir, `clinical-${++files}.db`)): SqliteClinicalStore {
  const store = SqliteClinicalStore.open({ path });
  paths.set(store, path);
  return store;
}

describeClinicalStoreContract(
  'SqliteClinicalStore (file)',
  () => openFile(),
  (closed) => openFile(paths.get(closed)),
);
describeClinicalStoreContract('SqliteClinicalStore (:memory:)', () => SqliteClinicalStore.open({ path: ':memory:' }));

function hasCode(code: ErrorCode, includes?: string) {
  return (err: unknown) =>
    err instanceof WardstreamError && err.code === code && (includes === undefined || err.message.includes(includes));
}

/** Runs `edit` on the store's file through a separate connection, with the store closed. */
function editFile(path: string, edit: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    edit(db);
  } finally {
    db.close();
  }
}

function pickReport(report: ReturnType<typeof verifyChain>): string {
  return report.ok ? `ok ${report.records}` : `${report.problem} ${report.seq}`;
}

describe('SqliteClinicalStore', () => {
  it('records its schema version in the file', () => {
    const path = join(dir, 'version.db');
    openFile(path).close();
    editFile(path, (db) => assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION));
    assert.equal(SCHEMA_VERSION, 4);
    openFile(path).close();
  });

  it('upgrades a version 1 file (before ECG metrics), keeping its records', () => {
    const path = join(dir, 'version1.db');
    const store = openFile(path);
    store.addChartedObservation(chartedFixture());
    store.close();
    editFile(path, (db) => {
      db.exec('DROP TABLE ecg_metrics');
      db.exec('ALTER TABLE audit DROP COLUMN hash');
      db.exec('DROP TABLE audit_checkpoint');
      db.pragma('user_version = 1');
    });
    const upgraded = openFile(path);
    try {
      assert.equal(upgraded.chartedObservations('p-1', 0, Number.MAX_SAFE_INTEGER).length, 1);
      assert.deepEqual(upgraded.ecgMetrics({ patientId: 'p-1' }, 0, Number.MAX_SAFE_INTEGER, 10), []);
    } finally {
      upgraded.close();
    }
    editFile(path, (db) => assert.equal(db.pragma('user_version', { simple: true }), 4));
  });

  it('chains the audit trail: untouched it verifies; an edit, a deletion or a reorder is found at its record', () => {
    const path = join(dir, 'audit-chain.db');
    const store = openFile(path);
    for (let i = 1; i <= 6; i++) {
      store.appendAudit({
        at: 1_795_000_000_000 + i,
        actor: `nurse.${i}`,
        action: 'alarm.acknowledge',
        subject: `alarm:a${i}`,
        details: { note: null, i },
      });
    }
    assert.deepEqual(pickReport(verifyChain(store.auditChain())), 'ok 6');
    store.close();
    const check = (edit: (db: Database.Database) => void): string => {
      const copy = join(dir, `audit-${Math.random().toString(36).slice(2)}.db`);
      copyFileSync(path, copy);
      editFile(copy, edit);
      const reopened = openFile(copy);
      try {
        return pickReport(verifyChain(reopened.auditChain()));
      } finally {
        reopened.close();
      }
    };
    assert.equal(
      check(() => undefined),
      'ok 6',
    );
    assert.equal(
      check((db) => db.prepare(`UPDATE audit SET json = replace(json, 'nurse.3', 'nurse.x') WHERE seq = 3`).run()),
      'altered 3',
    );
    assert.equal(
      check((db) => db.prepare('DELETE FROM audit WHERE seq = 4').run()),
      'removed 4',
    );
    // two entries swapped with their numbers: the stored order shows it
    assert.equal(
      check((db) => {
        db.prepare('UPDATE audit SET seq = 100 WHERE seq = 2').run();
        db.prepare('UPDATE audit SET seq = 2 WHERE seq = 5').run();
        db.prepare('UPDATE audit SET seq = 5 WHERE seq = 100').run();
      }),
      'altered 2',
    );
  });

  it("chains an older file's audit entries when it upgrades to version 3", () => {
    const path = join(dir, 'audit-upgrade.db');
    const store = openFile(path);
    store.appendAudit({ at: 1, actor: 'a', action: 'x', subject: 's', details: {} });
    store.appendAudit({ at: 2, actor: 'b', action: 'y', subject: 's', details: { k: [1, 2] } });
    store.close();
    editFile(path, (db) => {
      db.exec('ALTER TABLE audit DROP COLUMN hash');
      db.exec('DROP TABLE audit_checkpoint');
      db.pragma('user_version = 2');
    });
    const upgraded = openFile(path);
    try {
      upgraded.appendAudit({ at: 3, actor: 'c', action: 'z', subject: 's', details: {} });
      assert.equal(pickReport(verifyChain(upgraded.auditChain())), 'ok 3');
    } finally {
      upgraded.close();
    }
  });

  it('refuses a file of a newer schema version, naming both versions', () => {
    const path = join(dir, 'newer.db');
    openFile(path).close();
    editFile(path, (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 1}`));
    assert.throws(() => SqliteClinicalStore.open({ path }), hasCode('CORRUPT', `schema version ${SCHEMA_VERSION + 1}`));
  });

  it('throws CORRUPT naming the table and key for a row whose JSON does not parse', () => {
    const path = join(dir, 'corrupt.db');
    const store = openFile(path);
    for (const event of alarmHistory(alarmFixture(), ['raised'])) store.recordAlarmEvent(event);
    store.addChartedObservation(chartedFixture());
    store.close();
    editFile(path, (db) => {
      db.prepare(`UPDATE alarms SET json = '{"id": "alarm-1", trunc' WHERE id = 'alarm-1'`).run();
      db.prepare(`UPDATE charted SET json = '42' WHERE id = 'charted-1'`).run();
    });
    const reopened = openFile(path);
    try {
      assert.throws(() => reopened.getAlarm('alarm-1'), hasCode('CORRUPT', 'alarms row alarm-1'));
      assert.throws(() => reopened.openAlarms(), hasCode('CORRUPT', 'alarms row alarm-1'));
      assert.throws(() => reopened.chartedObservations('p-1', T0, T0 + 1), hasCode('CORRUPT', 'charted row charted-1'));
      assert.equal(reopened.alarmEvents('alarm-1').length, 1, 'the other tables are still read');
    } finally {
      reopened.close();
    }
  });

  it('refuses a directory path with a clear error, and a file that is not a database', () => {
    assert.throws(() => SqliteClinicalStore.open({ path: dir }), hasCode('INVALID_INPUT', 'is a directory'));
    assert.throws(() => SqliteClinicalStore.open({ path: '' }), hasCode('INVALID_INPUT', 'path'));
    assert.throws(
      () => SqliteClinicalStore.open({ path: join(dir, 'missing', 'clinical.db') }),
      hasCode('UNAVAILABLE', 'missing'),
    );
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database, but long enough to hold a header of one hundred bytes '.repeat(4));
    assert.throws(() => SqliteClinicalStore.open({ path: text }), hasCode('CORRUPT'));
  });

  it('refuses an event whose alarm is another alarm or version, storing nothing', () => {
    const store = SqliteClinicalStore.open({ path: ':memory:' });
    try {
      const [raised] = alarmHistory(alarmFixture(), ['raised']);
      const otherAlarm = { ...raised!, alarm: { ...raised!.alarm, id: 'alarm-2' } };
      const otherVersion = { ...raised!, alarm: { ...raised!.alarm, version: 2 } };
      const fractional = { ...raised!, at: T0 + 0.5 };
      for (const event of [otherAlarm, otherVersion, fractional]) {
        assert.throws(() => store.recordAlarmEvent(event), hasCode('INVALID_INPUT', raised!.id));
      }
      assert.throws(() => store.listAlarms({ limit: -1 }), hasCode('INVALID_INPUT', 'limit'));
      assert.deepEqual(store.alarmEvents('alarm-1'), []);
      assert.equal(store.recordAlarmEvent(raised!), true);
    } finally {
      store.close();
    }
  });

  it('throws CLOSED after close, and closes twice without complaint', () => {
    const store = SqliteClinicalStore.open({ path: ':memory:' });
    store.close();
    store.close();
    assert.throws(() => store.getAlarm('alarm-1'), hasCode('CLOSED'));
    assert.throws(() => store.recordAlarmEvent(alarmHistory(alarmFixture(), ['raised'])[0]!), hasCode('CLOSED'));
    assert.throws(() => store.putRuleSet({ kind: 'default' }, [], 'admin', T0), hasCode('CLOSED'));
  });
});
