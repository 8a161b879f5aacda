import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { IssuerService, JwtVerifier, LocalIssuer, SqliteIdentityStore, type LoginEvent } from '@wardstream/auth';
import { Hono } from 'hono';
import { mountOAuthRoutes } from './oauth.js';

const AUDIENCE = 'wardstream';
const PASSWORD = 'correct horse battery';
const FORM = 'application/x-www-form-urlencoded';

describe('OAuth routes over real HTTP on 127.0.0.1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-oauth-'));
  let server: ServerType;
  let base = '';
  let identity: SqliteIdentityStore;
  let service: IssuerService;
  let verifier: JwtVerifier;
  let secret = '';
  const events: LoginEvent[] = [];

  before(async () => {
    const app = new Hono();
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const issuer = LocalIssuer.openOrCreate({ keyDir: join(dir, 'keys'), issuer: base, audience: AUDIENCE });
    identity = SqliteIdentityStore.open({ path: join(dir, 'identity.db') });
    service = new IssuerService({ issuer, identity, onEvent: (e) => events.push(e) });
    mountOAuthRoutes(app, service);
    await identity.createUser({ username: 'dr.who', role: 'physician', wards: ['w1'], password: PASSWORD });
    ({ secret } = await identity.createClient({ clientId: 'bench', role: 'service' }));
    // a verifier that knows only the JWKS URL, as a scaled-out API process would
    verifier = new JwtVerifier(
      { issuer: base, audience: AUDIENCE, algorithms: ['ES256'] },
      { kind: 'remote', url: `${base}/oauth/jwks.json` },
    );
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    identity.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/oauth/token`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });

  it('serves discovery metadata whose URLs lead to the keys and the token endpoint', async () => {
    const res = await fetch(`${base}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc['issuer'], base);
    assert.equal(doc['token_endpoint'], `${base}/oauth/token`);
    assert.deepEqual(doc['id_token_signing_alg_values_supported'], ['ES256']);
    const jwks = await fetch(String(doc['jwks_uri']));
    assert.equal(jwks.headers.get('cache-control'), 'public, max-age=300');
    const { keys } = (await jwks.json()) as { keys: { kid: string; d?: string }[] };
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.d, undefined);
  });

  it('issues a token for the password grant, never cached, that verifies against the served JWKS', async () => {
    const res = await post(
      new URLSearchParams({ grant_type: 'password', username: 'dr.who', password: PASSWORD }).toString(),
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.deepEqual([body.token_type, body.expires_in], ['Bearer', 900]);
    const principal = await verifier.verify(body.access_token);
    assert.deepEqual([principal.subject, principal.roles, principal.wards], ['dr.who', ['physician'], ['w1']]);
  });

  it('answers a wrong password with 400 invalid_grant, no-store', async () => {
    const res = await post(`grant_type=password&username=dr.who&password=${encodeURIComponent('not it at all')}`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { error: 'invalid_grant', error_description: 'wrong username or password' });
  });

  it('takes client credentials by Basic (URL-encoded inside) or in the body; a bad secret by Basic is a 401 with a challenge', async () => {
    const basic = (id: string, s: string) =>
      `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(s)}`).toString('base64')}`;
    const byBasic = await post('grant_type=client_credentials', { authorization: basic('bench', secret) });
    assert.equal(byBasic.status, 200);
    const { access_token: token } = (await byBasic.json()) as { access_token: string };
    assert.equal((await verifier.verify(token)).subject, 'bench');

    const byPost = await post(`grant_type=client_credentials&client_id=bench&client_secret=${secret}`);
    assert.equal(byPost.status, 200);

    const wrong = await post('grant_type=client_credentials', { authorization: basic('bench', 'wrong') });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic realm="wardstream"/);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_client');
    const garbled = await post('grant_type=client_credentials', { authorization: 'Basic !!!' });
    assert.equal(garbled.status, 401);
  });

  it('refuses an unsupported grant, a repeated parameter, JSON, and an oversized body, each counted', async () => {
    const before = service.stats().refused;
    const cases: [Response, number, string][] = [
      [await post('grant_type=refresh_token&refresh_token=abc'), 400, 'unsupported_grant_type'],
      [await post('grant_type=password&username=a&username=b&password=x'), 400, 'invalid_request'],
      [
        await fetch(`${base}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'password' }),
        }),
        400,
        'invalid_request',
      ],
      [await post(`grant_type=password&username=dr.who&password=${'x'.repeat(10_000)}`), 400, 'invalid_request'],
    ];
    for (const [res, status, error] of cases) {
      assert.equal(res.status, status);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(((await res.json()) as { error: string }).error, error);
    }
    const after = service.stats().refused;
    assert.equal(after['unsupported-grant'] - before['unsupported-grant'], 1);
    assert.equal(after['invalid-request'] - before['invalid-request'], 3);
    assert.equal(events.at(-1)?.kind, 'login-failed');
  });
});
