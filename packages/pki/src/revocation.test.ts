import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateAuthority } from './certificate-authority.js';
import { PkiError } from './errors.js';
import { RevocationWatcher } from './revocation-watcher.js';
import { waitFor } from './testing/wait.js';

async function setUp(
  t: { after: (fn: () => Promise<void>) => void },
  now?: () => number,
): Promise<CertificateAuthority> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-pki-revoke-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return CertificateAuthority.openOrCreate(join(dir, 'ca'), now === undefined ? {} : { now });
}

function refusedWith(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof PkiError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

/** Replaces a file whole, as an editor or a restore from backup would: a reader never sees half of it. */
async function replace(path: string, text: string): Promise<void> {
  await writeFile(`${path}.new`, text);
  await rename(`${path}.new`, path);
}

/** A serial as `openssl x509 -serial` or a browser shows it: lower case, colon-separated bytes. */
function colonForm(serial: string): string {
  return serial.toLowerCase().replace(/(..)(?=.)/g, '$1:');
}

test('revoke by serial (any form) or by device id; list shows each certificate’s state', async (t) => {
  let now = Date.parse('2026-05-01T08:00:00Z');
  const ca = await setUp(t, () => now);
  const pumpOld = await ca.issueDevice('pump-1');
  const pumpNew = await ca.issueDevice('pump-1');
  const monitor = await ca.issueDevice('monitor-9');
  const server = await ca.issueServer(['127.0.0.1']);

  now += 60_000;
  const bySerial = await ca.revoke(colonForm(monitor.serial), 'returned to the vendor');
  assert.deepEqual(
    bySerial.map((c) => [c.serial, c.revokedAt, c.revocationReason]),
    [[monitor.serial, now, 'returned to the vendor']],
  );

  now += 60_000;
  const byDevice = await ca.revoke('pump-1', 'stolen from ward 4');
  assert.deepEqual(
    byDevice.map((c) => c.serial),
    [pumpOld.serial, pumpNew.serial],
  );
  assert.ok(byDevice.every((c) => c.revokedAt === now && c.revocationReason === 'stolen from ward 4'));

  const state = new Map(ca.list().map((c) => [c.serial, c.revokedAt === null ? 'valid' : 'revoked']));
  assert.deepEqual(Object.fromEntries(state), {
    [pumpOld.serial]: 'revoked',
    [pumpNew.serial]: 'revoked',
    [monitor.serial]: 'revoked',
    [server.serial]: 'valid',
  });
  const file = JSON.parse(await readFile(join(ca.dir, 'revoked.json'), 'utf8')) as {
    version: number;
    updatedAt: number;
    serials: Record<string, { revokedAt: number; reason: string }>;
  };
  assert.equal(file.version, 1);
  assert.equal(file.updatedAt, now);
  assert.deepEqual(file.serials[monitor.serial], { revokedAt: now - 60_000, reason: 'returned to the vendor' });
});

test('revoking again changes nothing; an unknown serial or device, or no reason, is refused', async (t) => {
  let now = 1_780_000_000_000;
  const ca = await setUp(t, () => now);
  const pump = await ca.issueDevice('pump-1');
  const first = await ca.revoke(pump.serial, 'lost');
  now += 3_600_000;
  assert.deepEqual(await ca.revoke(pump.serial, 'found again?'), first);
  assert.deepEqual(await ca.revoke('pump-1', 'still lost'), first);

  await assert.rejects(ca.revoke('pump-2', 'never issued'), refusedWith('unknown-certificate'));
  await assert.rejects(ca.revoke('ABCDEF0123', 'never issued'), refusedWith('unknown-certificate'));
  await assert.rejects(ca.revoke(pump.serial, '  '), refusedWith('invalid-reason'));
  // a server certificate is revoked by serial only: a device id never reaches it
  const server = await ca.issueServer(['mqtt.local']);
  await assert.rejects(ca.revoke('mqtt.local', 'moved'), refusedWith('unknown-certificate'));
  assert.equal((await ca.revoke(server.serial, 'moved'))[0]?.revocationReason, 'moved');
});

test('a RevocationWatcher sees a revocation made by another CA instance (another process) at its next check', async (t) => {
  const ca = await setUp(t);
  const device = await ca.issueDevice('bed-3.monitor');
  const changes: number[] = [];
  const watcher = RevocationWatcher.start(ca.dir, {
    intervalMs: 10,
    onChange: (serials) => changes.push(serials.size),
  });
  t.after(() => watcher.close());
  assert.equal(watcher.isRevoked(device.serial), false, 'no revoked.json yet: nothing revoked');

  const cli = await CertificateAuthority.open(ca.dir);
  await cli.revoke('bed-3.monitor', 'decommissioned');

  await waitFor('the watcher to read the revocation', () => watcher.isRevoked(device.serial));
  assert.ok(watcher.isRevoked(colonForm(device.serial)), 'any serial form');
  assert.ok(watcher.isRevoked(`00${device.serial}`), 'with a DER sign byte');
  assert.equal(watcher.isRevoked('not-a-serial'), false);
  assert.deepEqual(watcher.revocation(device.serial)?.reason, 'decommissioned');
  assert.deepEqual(changes, [1]);
});

test('a damaged or vanished revoked.json keeps the last good list and is reported, never read as "none revoked"', async (t) => {
  const ca = await setUp(t);
  const pump = await ca.issueDevice('pump-1');
  const monitor = await ca.issueDevice('monitor-1');
  await ca.revoke('pump-1', 'lost');
  const errors: PkiError[] = [];
  const watcher = RevocationWatcher.start(ca.dir, { intervalMs: 10, onError: (e) => errors.push(e) });
  t.after(() => watcher.close());
  assert.ok(watcher.isRevoked(pump.serial));
  const path = join(ca.dir, 'revoked.json');
  const good = await readFile(path, 'utf8');

  await replace(path, good.slice(0, good.length / 2));
  await waitFor('the damaged file to be reported', () => errors.length === 1);
  assert.equal(errors[0]?.code, 'inventory-corrupt');
  assert.match(errors[0].message, /revoked\.json is not valid JSON.*the 1 revocations read before stay in force/);
  assert.ok(watcher.isRevoked(pump.serial));
  // the CA will not overwrite a list it cannot read either (it would drop the revocations in it)
  await assert.rejects(ca.revoke('monitor-1', 'broken'), refusedWith('inventory-corrupt'));

  await rm(path);
  await waitFor('the vanished file to be reported', () => errors.length === 2);
  assert.match(errors[1]!.message, /has disappeared; the 1 revocations read before stay in force/);
  assert.ok(watcher.isRevoked(pump.serial));

  await replace(path, good);
  await ca.revoke('monitor-1', 'broken');
  await waitFor('the repaired list to be read', () => watcher.isRevoked(monitor.serial));
  assert.ok(watcher.isRevoked(pump.serial));
  assert.equal(errors.length, 2, 'each problem reported once, not at every check');
});

test('a watcher refuses to start on a damaged list: there is no earlier list to keep', async (t) => {
  const ca = await setUp(t);
  await writeFile(join(ca.dir, 'revoked.json'), '{"version": 1, "serials": {"zz": {}}}');
  assert.throws(() => RevocationWatcher.start(ca.dir), refusedWith('inventory-corrupt'));
});
