import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { JwtVerifier, LocalIssuer } from '@wardstream/auth';
import { keysCommand } from './keys-command.js';
import { runCommand } from './testing/run-command.js';

describe('wardstream keys rotate', () => {
  it('signs with a new key while a running verifier still accepts tokens of the old one', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-keys-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const keyDir = join(dir, 'data-keys');
    const options = { keyDir, issuer: 'http://127.0.0.1:8080', audience: 'wardstream' };
    // The running platform: its issuer and the verifier the API uses, kept across the rotation.
    const running = LocalIssuer.openOrCreate(options);
    const verifier = new JwtVerifier(
      { issuer: options.issuer, audience: options.audience, algorithms: ['ES256'] },
      { kind: 'provider', keys: () => running.jwks() },
    );
    const oldToken = await running.sign({ sub: 'nurse.a', roles: ['nurse'], wards: ['w1'] }, 600);
    const oldKid = running.currentKid;

    const out = await runCommand(keysCommand, ['rotate', '--data-dir', join(dir, 'data')]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`^rotated the token-signing key: ${oldKid} -> (\\S+)\\n`));

    const newToken = await running.sign({ sub: 'nurse.b', roles: ['nurse'], wards: ['w1'] }, 600);
    assert.notEqual(running.currentKid, oldKid, 'the running issuer follows the rotation without a restart');
    assert.equal((await verifier.verify(newToken)).subject, 'nurse.b');
    assert.equal((await verifier.verify(oldToken)).subject, 'nurse.a', 'tokens of the old key stay valid');
  });

  it('explains what is wrong with the command line or the key directory', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-keys-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const empty = await runCommand(keysCommand, []);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /wardstream keys: say what to do: rotate/);
    const missing = await runCommand(keysCommand, ['rotate', '--key-dir', dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no token issuer in .*\/oidc \(the platform creates it at first start\)/);
  });
});
