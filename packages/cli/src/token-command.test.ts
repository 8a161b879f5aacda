import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AuthError, JwtVerifier, LocalIssuer } from '@wardstream/auth';
import { parseTtl, tokenCommand } from './token-command.js';
import { runCommand } from './testing/run-command.js';

const run = (argv: string[], env: Record<string, string> = {}) => runCommand(tokenCommand, argv.slice(1), { env });

describe('wardstream token', () => {
  const root = mkdtempSync(join(tmpdir(), 'ws-token-'));
  const dataDir = join(root, 'data');
  after(() => rmSync(root, { recursive: true, force: true }));

  it('prints only a token, signed with the platform key, for the issuer and audience the platform recorded', async () => {
    const issuer = LocalIssuer.openOrCreate({
      keyDir: `${dataDir}-keys`,
      issuer: 'http://127.0.0.1:18081',
      audience: 'ws-api',
    });
    const out = await run([
      'token',
      '--subject',
      'sim',
      '--role',
      'service',
      '--wards',
      'w1,w2',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const verifier = new JwtVerifier(
      { issuer: 'http://127.0.0.1:18081', audience: 'ws-api', algorithms: ['ES256'] },
      { kind: 'provider', keys: () => issuer.jwks() },
    );
    const principal = await verifier.verify(out.stdout.trim());
    assert.deepEqual([principal.subject, principal.roles, principal.wards], ['sim', ['service'], ['w1', 'w2']]);
    const payload = JSON.parse(Buffer.from(out.stdout.split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    assert.equal(payload.exp - payload.iat, 900, 'default lifetime 15 min');

    // after a rotation the command signs with the new key, which the running verifier follows
    await issuer.rotate();
    const rotated = await run([
      'token',
      '--subject',
      'sim',
      '--role',
      'admin',
      '--ttl',
      '30m',
      '--key-dir',
      `${dataDir}-keys`,
    ]);
    assert.equal((await verifier.verify(rotated.stdout.trim())).roles[0], 'admin');
  });

  it('takes --issuer and --audience over the recorded ones', async () => {
    const issuer = LocalIssuer.open({ keyDir: `${dataDir}-keys`, issuer: 'x', audience: 'y' });
    const out = await run([
      'token',
      '--subject',
      's',
      '--role',
      'nurse',
      '--data-dir',
      dataDir,
      '--issuer',
      'https://ward.example',
      '--audience',
      'other',
    ]);
    const wrong = new JwtVerifier(
      { issuer: 'http://127.0.0.1:18081', audience: 'ws-api' },
      { kind: 'provider', keys: () => issuer.jwks() },
    );
    await assert.rejects(
      wrong.verify(out.stdout.trim()),
      (e: unknown) => e instanceof AuthError && e.reason === 'wrong-issuer',
    );
    const right = new JwtVerifier(
      { issuer: 'https://ward.example', audience: 'other' },
      { kind: 'provider', keys: () => issuer.jwks() },
    );
    assert.equal((await right.verify(out.stdout.trim())).subject, 's');
  });

  it('refuses a bad command line with exit 2 and a key directory without keys with exit 1', async () => {
    for (const argv of [
      ['--role', 'nurse'],
      ['--subject', 's', '--role', 'wizard'],
      ['--subject', 's', '--role', 'nurse', '--ttl', '2h'],
      ['--subject', 's', '--role', 'nurse', '--wards', 'bad ward'],
      ['--subject', 's', '--role', 'nurse', '--data-dir', 'a', '--key-dir', 'b'],
    ]) {
      const out = await run(['token', ...argv]);
      assert.equal(out.code, 2, argv.join(' '));
      assert.equal(out.stdout, '');
    }
    const none = await run([
      'token',
      '--subject',
      's',
      '--role',
      'nurse',
      '--key-dir',
      join(root, 'empty'),
      '--issuer',
      'http://x',
    ]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no token-signing keys/);
    const noIssuer = await run(['token', '--subject', 's', '--role', 'nurse', '--key-dir', join(root, 'empty')]);
    assert.equal(noIssuer.code, 1);
    assert.match(noIssuer.stderr, /pass --issuer/);
  });

  it('reads lifetimes in s, m and h up to an hour', () => {
    assert.deepEqual(['900', '90s', '15m', '1h', '61m', '0', '1d', ''].map(parseTtl), [
      900,
      90,
      900,
      3600,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
