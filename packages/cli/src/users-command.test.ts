import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  isOAuthError,
  IssuerService,
  JwtVerifier,
  LocalIssuer,
  SqliteIdentityStore,
  type OAuthError,
  type TokenResponse,
} from '@wardstream/auth';
import { clientsCommand, usersCommand } from './users-command.js';
import { runCommand } from './testing/run-command.js';

const ISSUER = 'http://127.0.0.1:18080';

const run = (argv: string[], stdin?: string) =>
  runCommand(argv[0] === 'clients' ? clientsCommand : usersCommand, argv.slice(1), {
    ...(stdin === undefined ? {} : { stdin: [stdin] }),
  });

describe('wardstream users and clients', () => {
  const root = mkdtempSync(join(tmpdir(), 'ws-users-'));
  const dataDir = join(root, 'data');
  after(() => rmSync(root, { recursive: true, force: true }));

  /** The platform's token endpoint logic over the same files, as `wardstream up` would open them. */
  function platform() {
    const issuer = LocalIssuer.openOrCreate({ keyDir: `${dataDir}-keys`, issuer: ISSUER, audience: 'wardstream' });
    const identity = SqliteIdentityStore.open({ path: join(dataDir, 'identity.db') });
    const service = new IssuerService({ issuer, identity });
    const verifier = new JwtVerifier(
      { issuer: ISSUER, audience: 'wardstream', algorithms: ['ES256'] },
      { kind: 'provider', keys: () => issuer.jwks() },
    );
    return { service, verifier, close: () => identity.close() };
  }

  const token = (result: TokenResponse | OAuthError): string => {
    assert.ok(!isOAuthError(result), JSON.stringify(result));
    return result.access_token;
  };

  it('create-admin prints a new 24-character password once, which then gets an admin token', async () => {
    const created = await run(['users', 'create-admin', 'alice', '--data-dir', dataDir]);
    assert.equal(created.code, 0, created.stderr);
    const password = created.stdout.trim();
    assert.match(password, /^[A-Za-z2-9]{24}$/);
    assert.equal(created.stdout, `${password}\n`, 'stdout holds the password alone');
    assert.match(created.stderr, /curl -s -d grant_type=password -d username=alice .*\/oauth\/token/);
    assert.ok(!created.stderr.includes(password), 'the password is printed once');

    const p = platform();
    const principal = await p.verifier.verify(
      token(await p.service.token({ grant_type: 'password', username: 'alice', password })),
    );
    assert.deepEqual([principal.subject, principal.roles], ['alice', ['admin']]);
    p.close();

    const again = await run(['users', 'create-admin', 'alice', '--data-dir', dataDir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists already/);
    assert.equal(again.stdout, '');
  });

  it('takes a password from stdin, refusing one under 12 characters', async () => {
    const short = await run(['users', 'create-admin', 'bob', '--data-dir', dataDir, '--password-stdin'], 'too short\n');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 12 characters/);
    const ok = await run(
      ['users', 'create-admin', 'bob', '--data-dir', dataDir, '--password-stdin'],
      'a long enough secret\n',
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, '');
  });

  it('adds, lists, disables and re-passwords users', async () => {
    const added = await run([
      'users',
      'add',
      'nurse.jones',
      '--role',
      'nurse',
      '--wards',
      'w1,w2',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(added.code, 0, added.stderr);
    const listed = await run(['users', 'list', '--data-dir', dataDir]);
    assert.match(listed.stdout, /^nurse\.jones\s+nurse\s+w1,w2\s+enabled/m);
    assert.ok(!/scrypt/.test(listed.stdout));

    const p = platform();
    assert.equal((await run(['users', 'disable', 'nurse.jones', '--data-dir', dataDir])).code, 0);
    const refused = await p.service.token({
      grant_type: 'password',
      username: 'nurse.jones',
      password: added.stdout.trim(),
    });
    assert.ok(isOAuthError(refused) && refused.error === 'invalid_grant', 'a disabled user gets no token');
    assert.equal((await run(['users', 'enable', 'nurse.jones', '--data-dir', dataDir])).code, 0);
    const changed = await run(
      ['users', 'set-password', 'nurse.jones', '--data-dir', dataDir, '--password-stdin'],
      'the new long password\n',
    );
    assert.equal(changed.code, 0, changed.stderr);
    const principal = await p.verifier.verify(
      token(
        await p.service.token({ grant_type: 'password', username: 'nurse.jones', password: 'the new long password' }),
      ),
    );
    assert.deepEqual(principal.wards, ['w1', 'w2']);
    p.close();
  });

  it('adds a service client whose secret, printed once, gets a token', async () => {
    const added = await run(['clients', 'add', 'bench', '--role', 'service', '--data-dir', dataDir]);
    assert.equal(added.code, 0, added.stderr);
    const secret = added.stdout.trim();
    const p = platform();
    const principal = await p.verifier.verify(
      token(await p.service.token({ grant_type: 'client_credentials' }, { id: 'bench', secret })),
    );
    assert.deepEqual([principal.subject, principal.roles], ['bench', ['service']]);
    p.close();
    const listed = await run(['clients', 'list', '--data-dir', dataDir]);
    assert.match(listed.stdout, /^bench\s+service\s+-\s+enabled$/m);
    assert.ok(!listed.stdout.includes(secret));
  });

  it('answers a bad command line with exit 2 and a missing data directory with exit 1', async () => {
    const noRole = await run(['users', 'add', 'x', '--data-dir', dataDir]);
    assert.deepEqual([noRole.code, /--role is required/.test(noRole.stderr)], [2, true]);
    assert.equal((await run(['users', 'add', 'x', '--role', 'wizard', '--data-dir', dataDir])).code, 2);
    assert.equal((await run(['users', 'frobnicate', '--data-dir', dataDir])).code, 2);
    assert.equal((await run(['users', 'set-password', 'alice', '--data-dir', dataDir])).code, 2);
    assert.equal((await run(['users', 'list', '--bogus'])).code, 2);
    const missing = await run(['users', 'list', '--data-dir', join(root, 'nowhere')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no accounts at/);
  });
});
