import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteClinicalStore } from '@wardstream/alerts';
import { ManualClock } from '@wardstream/domain';
import { AuditSigner, loadOrCreateAuditKeys, SILENT_LOGGER } from '@wardstream/platform';
import { main } from './cli.js';
import { runCommand } from './testing/run-command.js';

const run = (argv: string[]) => runCommand(main, argv);

/** A copy of the data directory's clinical store, edited through a separate connection. */
async function tampered(dir: string, name: string, sql: string): Promise<string> {
  const copy = join(dir, name);
  await mkdir(copy);
  await copyFile(join(dir, 'clinical.db'), join(copy, 'clinical.db'));
  const db = new Database(join(copy, 'clinical.db'));
  db.prepare(sql).run();
  db.close();
  return copy;
}

test('wardstream audit verify: an intact, signed trail exits 0; an edit or a cut tail is named, exit 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ws-audit-'));
  const keys = `${dir}-keys`;
  t.after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(keys, { recursive: true, force: true });
  });
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
  // the platform's signer, its key outside the data directory
  new AuditSigner(() => store, loadOrCreateAuditKeys(keys), new ManualClock(1000), SILENT_LOGGER).sign();
  store.close();

  const ok = await run(['audit', 'verify', '--data-dir', dir]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^audit: 5 entries, 1 signed checkpoints, chain intact; last hash [0-9a-f]{64}\n$/);

  const publicKey = ['--public-key', join(keys, 'audit-ed25519.pub')];
  const edited = await tampered(
    dir,
    'edited',
    `UPDATE audit SET json = replace(json, 'nurse.jones', 'dr.nobody') WHERE seq = 2`,
  );
  const bad = await run(['audit', 'verify', '--data-dir', edited, ...publicKey]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, 'audit: entry 2 altered: record 2 does not match its hash\n');

  // the last two entries cut off: what remains chains, but the signed checkpoint is not met
  const cut = await tampered(dir, 'cut', 'DELETE FROM audit WHERE seq > 3');
  const truncated = await run(['audit', 'verify', '--data-dir', cut, ...publicKey]);
  assert.equal(truncated.code, 1);
  assert.match(
    truncated.stdout,
    /^audit: entry 4 truncated: a checkpoint signed at .* vouches for 5 records; 3 remain\n$/,
  );

  const missing = await run(['audit', 'verify', '--data-dir', join(dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no clinical store at .*nope\/clinical\.db/);
  assert.equal((await run(['audit', 'check'])).code, 2);
});
