import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JwtVerifier, type AuthFailure } from '@wardstream/auth';
import { startHttpServer, type HttpServer } from '../server.js';
import { TEST_AUDIENCE, TEST_ISSUER, type TestIssuer } from '../testing/auth.js';
import { ClinicalApi } from '../testing/clinical-api.js';
import { CALLERS, twoWards, type TwoWards } from '../testing/two-wards.js';

const USER_AGENT = 'jwt-http-test/1';

describe('access: bearer JWTs over real HTTP', () => {
  let fx: TwoWards;
  let server: HttpServer;
  let issuer: TestIssuer;
  let rsaKid: string;

  const call = (authorization?: string) =>
    fetch(`http://127.0.0.1:${server.port}/api/v1/patients/pa`, {
      headers: { 'user-agent': USER_AGENT, ...(authorization === undefined ? {} : { authorization }) },
    });

  before(async () => {
    fx = await twoWards();
    issuer = fx.api.auth.issuer;
    // An RSA key in the JWKS: what the HS256 key-confusion forgery abuses. The ES256 key signs on.
    rsaKid = issuer.addKey('RS256');
    issuer.addKey('ES256');
    server = await startHttpServer(fx.api.app, { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
    await fx.api.close();
  });

  it('serves a valid token of the patient ward', async () => {
    const res = await call(`Bearer ${issuer.token(CALLERS.nurseA)}`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { id: string }).id, 'pa');
  });

  const forged: [string, () => string | undefined, AuthFailure][] = [
    ['no token', () => undefined, 'missing-token'],
    ['not a bearer header', () => 'Basic bnVyc2U6cGFzc3dvcmQ=', 'malformed-token'],
    ['the wrong audience', () => `Bearer ${issuer.token({ ...CALLERS.nurseA, aud: 'another-api' })}`, 'wrong-audience'],
    [
      'the wrong issuer',
      () => `Bearer ${issuer.token({ ...CALLERS.nurseA, iss: 'https://evil.example/' })}`,
      'wrong-issuer',
    ],
    // Past the 30 s leeway either way.
    ['an expired token', () => `Bearer ${issuer.token({ ...CALLERS.nurseA, ttlSec: -120 })}`, 'expired'],
    ['a token not valid yet', () => `Bearer ${issuer.token({ ...CALLERS.nurseA, nbfSec: 120 })}`, 'not-yet-valid'],
    ['alg: none', () => `Bearer ${issuer.unsignedToken(CALLERS.nurseA)}`, 'algorithm-not-allowed'],
    [
      'HS256 signed with the RSA public key',
      () => `Bearer ${issuer.hs256WithPublicKey(rsaKid, CALLERS.nurseA)}`,
      'algorithm-not-allowed',
    ],
    ['an unknown key id', () => `Bearer ${issuer.tokenOfUnknownKey(CALLERS.nurseA)}`, 'unknown-key'],
    ['a bad signature', () => `Bearer ${issuer.tokenWithBadSignature(CALLERS.nurseA)}`, 'bad-signature'],
  ];

  for (const [what, header, reason] of forged) {
    it(`refuses ${what}: 401 ${reason}, counted and audited once`, async () => {
      fx.api.auth.audit.clear();
      const failures = fx.api.auth.authFailures.length;
      const res = await call(header());
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const challenge = res.headers.get('www-authenticate') ?? '';
      if (reason === 'missing-token') assert.equal(challenge, 'Bearer realm="wardstream"');
      else assert.equal(challenge, `Bearer realm="wardstream", error="invalid_token", error_description="${reason}"`);
      const body = (await res.json()) as Record<string, unknown>;
      assert.deepEqual(
        [body['type'], body['status'], body['detail']],
        ['urn:wardstream:problem:unauthorized', 401, reason],
      );
      assert.doesNotMatch(JSON.stringify(body), /"id":"pa"/);
      assert.deepEqual(fx.api.auth.authFailures.slice(failures), [reason]);
      const [record, ...more] = fx.api.auth.audit.records;
      assert.equal(more.length, 0);
      assert.ok(record);
      assert.equal(record.outcome, 'unauthenticated');
      assert.equal(record.action, 'deny');
      assert.equal(record.reason, reason);
      assert.equal(record.subject, null);
      assert.deepEqual(record.patients, ['pa']);
      assert.deepEqual(record.object, { method: 'GET', path: '/api/v1/patients/pa' });
      assert.equal(record.route, 'GET /api/v1/patients/:patientId');
      assert.match(record.client.address ?? '', /127\.0\.0\.1$/);
      assert.equal(record.client.userAgent, USER_AGENT);
    });
  }
});

describe('access: a key rotated by the issuer works without a restart', () => {
  let api: ClinicalApi;
  let jwks: Server;
  let fetches = 0;
  let verifier: JwtVerifier | undefined;

  before(async () => {
    api = await ClinicalApi.open({
      authenticate: (header) => {
        if (verifier === undefined) throw new Error('the verifier is made after the API');
        return verifier.verifyHeader(header);
      },
    });
    await api.patient('pa', 'w-a');
    jwks = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(api.auth.issuer.jwks()));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    verifier = new JwtVerifier(
      { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, now: () => api.clock.now() },
      { kind: 'remote', url: `http://127.0.0.1:${port}/oauth/jwks.json`, cooldownMs: 0 },
    );
  });
  after(async () => {
    await new Promise((resolve) => jwks.close(resolve));
    await api.close();
  });

  it('fetches the JWKS again on a new kid, and serves tokens of the new and the old key', async () => {
    const first = api.auth.issuer.token(CALLERS.nurseA);
    assert.equal((await api.get('/api/v1/patients/pa', CALLERS.nurseA)).status, 200);
    assert.equal(fetches, 1);
    const rotated = api.auth.issuer.addKey('ES256');
    const res = await api.get('/api/v1/patients/pa', CALLERS.nurseA);
    assert.equal(res.status, 200);
    assert.equal(fetches, 2);
    const header = JSON.parse(
      Buffer.from(api.auth.issuer.token(CALLERS.nurseA).split('.')[0] ?? '', 'base64url').toString(),
    ) as {
      kid: string;
    };
    assert.equal(header.kid, rotated);
    // The previous key is still published (tokens it signed are still alive).
    const old = await api.request('GET', '/api/v1/patients/pa', undefined, { authorization: `Bearer ${first}` }, null);
    assert.equal(old.status, 200);
  });
});
