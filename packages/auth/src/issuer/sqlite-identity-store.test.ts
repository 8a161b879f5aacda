import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WardstreamError } from '@wardstream/domain';
import { IdentityInputError } from './identity-store.js';
import { SqliteIdentityStore } from './sqlite-identity-store.js';

const dir = mkdtempSync(join(tmpdir(), 'ws-identity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORD = 'correct horse battery';

describe('SqliteIdentityStore', () => {
  it('creates, lists, updates and authenticates users, never giving out the hash', async () => {
    let nowMs = 1_000;
    const store = SqliteIdentityStore.open({ path: ':memory:', now: () => nowMs });
    const created = await store.createUser({
      username: 'nurse.jones',
      role: 'nurse',
      wards: ['w1'],
      password: PASSWORD,
    });
    assert.deepEqual(created, {
      username: 'nurse.jones',
      role: 'nurse',
      wards: ['w1'],
      displayName: 'nurse.jones',
      disabled: false,
      createdAt: 1_000,
      updatedAt: 1_000,
    });
    assert.ok(!JSON.stringify(await store.listUsers()).includes('scrypt'));

    assert.equal((await store.authenticateUser('nurse.jones', PASSWORD))?.username, 'nurse.jones');
    assert.equal(await store.authenticateUser('nurse.jones', 'wrong password!!'), undefined);
    assert.equal(await store.authenticateUser('nobody.here', PASSWORD), undefined);

    nowMs = 2_000;
    const updated = await store.updateUser('nurse.jones', {
      wards: ['w2', 'w3'],
      displayName: 'J. Jones',
      disabled: true,
      password: 'another long password',
    });
    assert.deepEqual(
      [updated.wards, updated.displayName, updated.disabled, updated.updatedAt],
      [['w2', 'w3'], 'J. Jones', true, 2_000],
    );
    assert.equal(await store.authenticateUser('nurse.jones', PASSWORD), undefined, 'the old password no longer works');
    assert.equal((await store.authenticateUser('nurse.jones', 'another long password'))?.disabled, true);
    store.close();
  });

  it('refuses a taken name, an unknown one, and input the policy refuses, naming each field', async () => {
    const store = SqliteIdentityStore.open({ path: ':memory:' });
    await store.createUser({ username: 'admin', role: 'admin', password: PASSWORD });
    await assert.rejects(store.createUser({ username: 'admin', role: 'nurse', password: PASSWORD }), (e: unknown) => {
      return e instanceof WardstreamError && e.code === 'CONFLICT';
    });
    await assert.rejects(store.updateUser('ghost', { disabled: true }), (e: unknown) => {
      return e instanceof WardstreamError && e.code === 'NOT_FOUND';
    });
    await assert.rejects(
      store.createUser({ username: 'bad name', role: 'device' as 'nurse', wards: ['ok', 'not ok'], password: 'short' }),
      (e: unknown) => {
        assert.ok(e instanceof IdentityInputError);
        assert.equal(e.code, 'INVALID_INPUT');
        assert.deepEqual(
          e.problems.map((p) => p.name),
          ['username', 'role', 'wards', 'password'],
        );
        return true;
      },
    );
    await assert.rejects(store.updateUser('admin', { disabled: true }), /last enabled admin/);
    await assert.rejects(store.updateUser('admin', { role: 'nurse' }), /last enabled admin/);
    await store.createUser({ username: 'admin2', role: 'admin', password: PASSWORD });
    assert.equal((await store.updateUser('admin', { disabled: true })).disabled, true);
    await assert.rejects(store.createUser({ username: 'p', role: 'nurse', password: '12345678901' }), /at least 12/);
    await store.createUser({ username: 'p', role: 'nurse', password: '123456789012' });
    store.close();
  });

  it('creates clients with a secret given once, checks it, and disables them', async () => {
    const store = SqliteIdentityStore.open({ path: ':memory:' });
    const { client, secret } = await store.createClient({ clientId: 'bench', role: 'service', wards: ['w1'] });
    assert.equal(client.clientId, 'bench');
    assert.ok(secret.length >= 43);
    assert.ok(!JSON.stringify(await store.listClients()).includes('sha256'));
    assert.equal((await store.authenticateClient('bench', secret))?.role, 'service');
    assert.equal(await store.authenticateClient('bench', `${secret}x`), undefined);
    assert.equal(await store.authenticateClient('other', secret), undefined);
    assert.equal((await store.setClientDisabled('bench', true)).disabled, true);
    await assert.rejects(store.createClient({ clientId: 'bench', role: 'service' }), /exists already/);
    await assert.rejects(store.createClient({ clientId: 'x', role: 'nurse' as 'service' }), IdentityInputError);
    store.close();
  });

  it('lets a second connection (the CLI) write while the first (the platform) has the file open', async () => {
    const path = join(dir, 'identity.db');
    const platform = SqliteIdentityStore.open({ path });
    const cli = SqliteIdentityStore.open({ path });
    await cli.createUser({ username: 'nurse.kim', role: 'nurse', password: PASSWORD });
    assert.equal((await platform.authenticateUser('nurse.kim', PASSWORD))?.role, 'nurse');
    await cli.updateUser('nurse.kim', { disabled: true });
    assert.equal((await platform.getUser('nurse.kim'))?.disabled, true);
    // it holds password hashes: the database and its write-ahead log are the owner's alone
    for (const file of ['identity.db', 'identity.db-wal']) {
      assert.ok(existsSync(join(dir, file)), file);
      assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
    }
    cli.close();
    platform.close();
  });
});
