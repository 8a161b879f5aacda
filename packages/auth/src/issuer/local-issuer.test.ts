import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { AuthError, JwtVerifier, type AuthFailure } from '../jwt-verifier.js';
import { LocalIssuer, readIssuerRecord, SIGNING_KEYS_FILE } from './local-issuer.js';

const ISSUER = 'http://127.0.0.1:8080';
const AUDIENCE = 'wardstream';
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function keyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ws-oidc-'));
  dirs.push(dir);
  return join(dir, 'data-keys');
}

/** A clock the test moves: the issuer and the verifier read the same one. */
function clock(start = Date.UTC(2026, 0, 5, 8)) {
  let nowMs = start;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

async function refusal(promise: Promise<unknown>): Promise<AuthFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthError, String(error));
    return error.reason;
  }
  assert.fail('the token was accepted');
}

const claims = { sub: 'nurse.jones', roles: ['nurse'], wards: ['w1', 'w2'], name: 'J. Jones' };

describe('LocalIssuer', () => {
  it('creates its keys at first open, 0600 in a 0700 directory, and reopens the same ones', () => {
    const dir = keyDir();
    const first = LocalIssuer.openOrCreate({ keyDir: dir, issuer: ISSUER, audience: AUDIENCE });
    const path = join(dir, 'oidc', SIGNING_KEYS_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'oidc')).mode & 0o777, 0o700);
    const again = LocalIssuer.openOrCreate({ keyDir: dir, issuer: ISSUER, audience: AUDIENCE });
    assert.equal(again.currentKid, first.currentKid);
    assert.deepEqual(readIssuerRecord(dir), { issuer: ISSUER, audience: AUDIENCE });
    const { keys } = first.jwks();
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.kid, first.currentKid);
    assert.equal(keys[0]!.alg, 'ES256');
    assert.equal(keys[0]!.d, undefined, 'the published key set holds no private part');
  });

  it('signs tokens a JwtVerifier fed by jwks() accepts, with the claims, iat/nbf/exp/jti, iss and aud', async () => {
    const t = clock();
    const issuer = LocalIssuer.openOrCreate({ keyDir: keyDir(), issuer: ISSUER, audience: AUDIENCE, now: t.now });
    const verifier = new JwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], now: t.now },
      { kind: 'provider', keys: () => issuer.jwks() },
    );
    const token = await issuer.sign(claims, 900);
    assert.deepEqual(await verifier.verify(token), {
      subject: 'nurse.jones',
      issuer: ISSUER,
      roles: ['nurse'],
      wards: ['w1', 'w2'],
      name: 'J. Jones',
      expiresAt: t.now() + 900_000,
    });
    assert.equal(decodeProtectedHeader(token).kid, issuer.currentKid);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(payload['nbf'], payload['iat']);
    assert.match(String(payload['jti']), /^[0-9a-f-]{36}$/);
    t.advance(901_000 + 30_000);
    assert.equal(await refusal(verifier.verify(token)), 'expired');
  });

  it('refuses a lifetime beyond the longest one, which would outlive a retired key', async () => {
    const issuer = LocalIssuer.openOrCreate({ keyDir: keyDir(), issuer: ISSUER, audience: AUDIENCE });
    await assert.rejects(issuer.sign(claims, 3601), RangeError);
    await assert.rejects(issuer.sign(claims, 0), RangeError);
  });

  it('rotates without a restart: the same verifier takes new tokens and old ones until the old key retires', async () => {
    const t = clock();
    const dir = keyDir();
    const platform = LocalIssuer.openOrCreate({ keyDir: dir, issuer: ISSUER, audience: AUDIENCE, now: t.now });
    const verifier = new JwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], now: t.now },
      { kind: 'provider', keys: () => platform.jwks() },
    );
    const oldToken = await platform.sign(claims, 3600);
    const oldKid = platform.currentKid;
    await verifier.verify(oldToken);

    // `wardstream keys rotate` in another process: its own LocalIssuer on the same directory
    const cli = LocalIssuer.open({ keyDir: dir, issuer: ISSUER, audience: AUDIENCE, now: t.now });
    await cli.rotate();
    assert.notEqual(cli.currentKid, oldKid);

    // the running platform follows at its next sign() / jwks(), with no restart
    const newToken = await platform.sign({ ...claims, sub: 'dr.who' }, 900);
    assert.equal(decodeProtectedHeader(newToken).kid, cli.currentKid);
    assert.equal((await verifier.verify(newToken)).subject, 'dr.who');
    assert.equal((await verifier.verify(oldToken)).subject, 'nurse.jones', 'a retired key still verifies');
    assert.equal(platform.jwks().keys.length, 2);

    // past the longest token lifetime (and the margin) the retired key leaves the set
    t.advance((3600 + 121) * 1000);
    assert.deepEqual(
      platform.jwks().keys.map((k) => k.kid),
      [cli.currentKid],
    );
    const stillNew = await platform.sign(claims, 60);
    assert.equal((await verifier.verify(stillNew)).subject, 'nurse.jones');
    // the old token has expired by now anyway; one forged with the old key id is an unknown key
    const verifierLater = new JwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], now: () => t.now() - 3600_000 },
      { kind: 'provider', keys: () => platform.jwks() },
    );
    assert.equal(await refusal(verifierLater.verify(oldToken)), 'unknown-key');

    // a later rotation drops the retired key from the file too
    await platform.rotate();
    const file = JSON.parse(readFileSync(join(dir, 'oidc', SIGNING_KEYS_FILE), 'utf8')) as { keys: { kid: string }[] };
    assert.equal(file.keys.length, 2);
    assert.ok(!file.keys.some((k) => k.kid === oldKid));
  });

  it('refuses a key file others may read, a corrupt one, and opening keys that do not exist', () => {
    const dir = keyDir();
    LocalIssuer.openOrCreate({ keyDir: dir, issuer: ISSUER, audience: AUDIENCE });
    const path = join(dir, 'oidc', SIGNING_KEYS_FILE);
    chmodSync(path, 0o644);
    assert.throws(() => LocalIssuer.open({ keyDir: dir, issuer: ISSUER, audience: AUDIENCE }), /may be read by others/);
    writeFileSync(path, '{"version": 1, "keys": [{"kid": "x"}]}', { mode: 0o600 });
    chmodSync(path, 0o600);
    assert.throws(
      () => LocalIssuer.open({ keyDir: dir, issuer: ISSUER, audience: AUDIENCE }),
      /not a token-signing key set/,
    );
    assert.throws(
      () => LocalIssuer.open({ keyDir: keyDir(), issuer: ISSUER, audience: AUDIENCE }),
      /no token-signing keys/,
    );
  });
});
