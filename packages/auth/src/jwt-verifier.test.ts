import assert from 'node:assert/strict';
import { createHmac, createPublicKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { AuthError, JwtVerifier, type AuthFailure } from './jwt-verifier.js';

const ISSUER = 'https://idp.hospital.example/realms/ward';
const AUDIENCE = 'wardstream-api';

interface Key {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly spki: string;
}

async function rsaKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwk, spki: await exportSPKI(publicKey) };
}

const nowS = (): number => Math.floor(Date.now() / 1000);

function token(key: Key, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const { iss = ISSUER, aud = AUDIENCE, sub = 'nurse.jones', exp = nowS() + 300, ...rest } = claims;
  const jwt = new SignJWT({ roles: ['nurse'], wards: ['w1'], name: 'J. Jones', ...rest })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, ...header })
    .setIssuedAt();
  // null leaves the claim out
  if (iss !== null) jwt.setIssuer(iss as string);
  if (aud !== null) jwt.setAudience(aud as string);
  if (sub !== null) jwt.setSubject(sub as string);
  if (exp !== null) jwt.setExpirationTime(exp as number);
  return jwt.sign(key.privateKey);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusal(promise: Promise<unknown>): Promise<AuthFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthError, String(error));
    return error.reason;
  }
  assert.fail('the token was accepted');
}

describe('JwtVerifier against an issuer JWKS served over HTTP', () => {
  let server: Server;
  let jwks: { keys: JWK[] } = { keys: [] };
  let fetches = 0;
  let keyA: Key;
  let keyB: Key;
  let verifier: JwtVerifier;

  before(async () => {
    keyA = await rsaKey('key-a');
    keyB = await rsaKey('key-b');
    jwks = { keys: [keyA.jwk] };
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    verifier = new JwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE },
      { kind: 'remote', url: `http://127.0.0.1:${port}/jwks`, cooldownMs: 0 },
    );
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a valid token and gives its subject, roles, wards and expiry', async () => {
    const exp = nowS() + 300;
    const principal = await verifier.verifyHeader(`Bearer ${await token(keyA, { exp })}`);
    assert.deepEqual(principal, {
      subject: 'nurse.jones',
      issuer: ISSUER,
      roles: ['nurse'],
      wards: ['w1'],
      name: 'J. Jones',
      expiresAt: exp * 1000,
    });
  });

  it('refuses each bad token with its reason', async () => {
    const valid = await token(keyA);
    const [h, p] = valid.split('.');
    const cases: [string, Promise<string>, AuthFailure][] = [
      ['wrong audience', token(keyA, { aud: 'another-api' }), 'wrong-audience'],
      ['wrong issuer', token(keyA, { iss: 'https://evil.example' }), 'wrong-issuer'],
      ['expired (beyond the 30 s leeway)', token(keyA, { exp: nowS() - 60 }), 'expired'],
      ['not yet valid', token(keyA, { nbf: nowS() + 120 }), 'not-yet-valid'],
      ['no subject', token(keyA, { sub: null }), 'missing-claim'],
      ['no expiry', token(keyA, { exp: null }), 'missing-claim'],
      ['unknown key id', token(keyA, {}, { kid: 'key-zzz' }), 'unknown-key'],
      // payload changed after signing: the signature no longer covers it
      [
        'bad signature',
        Promise.resolve(
          `${h}.${b64({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), roles: ['admin'] })}.${valid.split('.')[2]}`,
        ),
        'bad-signature',
      ],
      ['alg: none', Promise.resolve(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.`), 'algorithm-not-allowed'],
      [
        'HS256 "signed" with the RSA public key',
        Promise.resolve(
          (() => {
            const head = b64({ alg: 'HS256', kid: 'key-a' });
            const mac = createHmac('sha256', keyA.spki).update(`${head}.${p}`).digest('base64url');
            return `${head}.${p}.${mac}`;
          })(),
        ),
        'algorithm-not-allowed',
      ],
      ['not a JWT', Promise.resolve('abc.def'), 'malformed-token'],
    ];
    for (const [label, pending, reason] of cases) {
      assert.equal(await refusal(verifier.verify(await pending)), reason, label);
    }
  });

  it('tolerates 30 s of clock skew on expiry', async () => {
    const principal = await verifier.verify(await token(keyA, { exp: nowS() - 10 }));
    assert.equal(principal.subject, 'nurse.jones');
  });

  it('answers a missing or malformed Authorization header', async () => {
    assert.equal(await refusal(verifier.verifyHeader(undefined)), 'missing-token');
    assert.equal(await refusal(verifier.verifyHeader('Basic dXNlcjpwYXNz')), 'malformed-token');
  });

  it('follows a key rotation without a restart: the new key works, the retired one no longer', async () => {
    const before = fetches;
    jwks = { keys: [keyB.jwk] };
    const principal = await verifier.verify(await token(keyB, { sub: 'dr.who', roles: ['physician'] }));
    assert.deepEqual([principal.subject, principal.roles], ['dr.who', ['physician']]);
    assert.ok(fetches > before, 'the new key id made the verifier fetch the key set again');
    assert.equal(await refusal(verifier.verify(await token(keyA))), 'unknown-key');
  });

  it('refuses, with keys-unavailable, when the issuer cannot be reached', async () => {
    const offline = new JwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE },
      { kind: 'remote', url: 'http://127.0.0.1:9/jwks', timeoutMs: 500 },
    );
    assert.equal(await refusal(offline.verify(await token(keyA))), 'keys-unavailable');
  });

  it('verifies against a local key set (the embedded issuer), with pinned algorithms', async () => {
    const local = new JwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] },
      { kind: 'local', jwks: { keys: [keyA.jwk] } },
    );
    // keyA is RS256: refused by the pinned list before any key is used
    assert.equal(await refusal(local.verify(await token(keyA))), 'algorithm-not-allowed');
    assert.ok(createPublicKey(keyA.spki).asymmetricKeyType === 'rsa');
  });
});
