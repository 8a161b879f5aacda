import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteClinicalStore } from '@wardstream/alerts';
import { main } from './cli.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
  };
  return { code: await main(argv, io), stdout, stderr };
}

test('wardstream audit verify: intact chain exit 0; an edited entry is named, exit 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ws-audit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = SqliteClinicalStore.open({ path: join(dir, 'clinical.db') });
  for (let i = 1; i <= 5; i++) {
    store.appendAudit({
      at: i,
      actor: 'nurse.jones',
      action: 'alarm.acknowledge',
      subject: `alarm:a${i}`,
      details: {},
    });
  }
  store.close();
  const ok = await run(['audit', 'verify', '--data-dir', dir]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^audit: 5 entries, chain intact; last hash [0-9a-f]{64}\n$/);

  const db = new Database(join(dir, 'clinical.db'));
  db.prepare(`UPDATE audit SET json = replace(json, 'nurse.jones', 'dr.nobody') WHERE seq = 2`).run();
  db.close();
  const bad = await run(['audit', 'verify', '--data-dir', dir]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, 'audit: entry 2 altered: record 2 does not match its hash\n');

  const missing = await run(['audit', 'verify', '--data-dir', join(dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no clinical store at .*nope\/clinical\.db/);
  assert.equal((await run(['audit', 'check'])).code, 2);
});
