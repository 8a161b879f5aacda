import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IssuerService, SqliteIdentityStore, LocalIssuer } from '@wardstream/auth';
import { WardstreamError } from '@wardstream/domain';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { problemForCode, RequestProblem } from '../problem.js';
import { IDENTITY_PATHS } from './identity-openapi.js';
import { mountOAuthRoutes } from './oauth.js';
import { mountUserRoutes } from './users.js';

const PASSWORD = 'correct horse battery';

/** The user routes with the API's error mapping (app.ts does the same for the whole API). */
function app(): { app: Hono; identity: SqliteIdentityStore } {
  const identity = SqliteIdentityStore.open({ path: ':memory:' });
  const hono = new Hono();
  mountUserRoutes(hono, identity);
  hono.onError((err, c) => {
    const doc =
      err instanceof RequestProblem
        ? err.problem
        : err instanceof WardstreamError
          ? problemForCode(err.code, err.message)
          : assert.fail(err);
    return c.json(doc, doc.status as ContentfulStatusCode, { 'content-type': 'application/problem+json' });
  });
  return { app: hono, identity };
}

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('user and client routes', () => {
  it('creates, lists, reads and changes users without ever showing a hash', async () => {
    const { app: api, identity } = app();
    const created = await api.request(
      '/api/v1/users',
      json('POST', {
        username: 'nurse.jones',
        role: 'nurse',
        wards: ['w1'],
        displayName: 'J. Jones',
        password: PASSWORD,
      }),
    );
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/api/v1/users/nurse.jones');
    const text = await created.text();
    assert.ok(!/scrypt|hash|password/i.test(text), text);
    assert.deepEqual(
      (({ createdAt: _c, updatedAt: _u, ...rest }) => rest)(JSON.parse(text) as Record<string, unknown>),
      { username: 'nurse.jones', role: 'nurse', wards: ['w1'], displayName: 'J. Jones', disabled: false },
    );

    const list = await (await api.request('/api/v1/users')).text();
    assert.ok(!/scrypt|hash|password/i.test(list));
    assert.deepEqual(
      (JSON.parse(list) as { users: { username: string }[] }).users.map((u) => u.username),
      ['nurse.jones'],
    );

    const patched = await api.request(
      '/api/v1/users/nurse.jones',
      json('PATCH', { wards: ['w2'], disabled: true, password: 'a new long password' }),
    );
    assert.equal(patched.status, 200);
    const after = (await patched.json()) as { wards: string[]; disabled: boolean };
    assert.deepEqual([after.wards, after.disabled], [['w2'], true]);
    assert.equal((await identity.authenticateUser('nurse.jones', 'a new long password'))?.disabled, true);

    assert.equal((await api.request('/api/v1/users/nurse.jones')).status, 200);
    const missing = await api.request('/api/v1/users/ghost');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
    identity.close();
  });

  it('refuses a short password, bad fields and unknown ones with a 422 naming each, and a taken name with 409', async () => {
    const { app: api, identity } = app();
    const short = await api.request(
      '/api/v1/users',
      json('POST', { username: 'a', role: 'nurse', password: '12345678901' }),
    );
    assert.equal(short.status, 422);
    const doc = (await short.json()) as { type: string; errors: { name: string; reason: string }[] };
    assert.equal(doc.type, 'urn:wardstream:problem:invalid-body');
    assert.deepEqual(doc.errors, [{ name: 'password', reason: 'a password has at least 12 characters' }]);

    const bad = await api.request(
      '/api/v1/users',
      json('POST', { username: 'x y', role: 'wizard', wards: 'w1', password: PASSWORD, ward: 'w1' }),
    );
    assert.equal(bad.status, 422);
    assert.deepEqual(
      ((await bad.json()) as { errors: { name: string }[] }).errors.map((e) => e.name),
      ['ward', 'wards'],
    );
    const policy = await api.request(
      '/api/v1/users',
      json('POST', { username: 'x y', role: 'wizard', password: PASSWORD }),
    );
    assert.deepEqual(
      ((await policy.json()) as { errors: { name: string }[] }).errors.map((e) => e.name),
      ['username', 'role'],
    );

    assert.equal(
      (await api.request('/api/v1/users', json('POST', { username: 'a', role: 'admin', password: PASSWORD }))).status,
      201,
    );
    const taken = await api.request(
      '/api/v1/users',
      json('POST', { username: 'a', role: 'nurse', password: PASSWORD }),
    );
    assert.equal(taken.status, 409);
    const lastAdmin = await api.request('/api/v1/users/a', json('PATCH', { disabled: true }));
    assert.equal(lastAdmin.status, 409);
    const weak = await api.request('/api/v1/users/a', json('PATCH', { password: 'short' }));
    assert.equal(weak.status, 422);
    assert.equal((await api.request('/api/v1/users/a', json('PATCH', {}))).status, 422);
    identity.close();
  });

  it('creates a client and shows its secret once, which then authenticates', async () => {
    const { app: api, identity } = app();
    const res = await api.request(
      '/api/v1/clients',
      json('POST', { clientId: 'bench', role: 'service', wards: ['w1'] }),
    );
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { clientId: string; role: string; clientSecret: string };
    assert.deepEqual([body.clientId, body.role], ['bench', 'service']);
    assert.equal((await identity.authenticateClient('bench', body.clientSecret))?.clientId, 'bench');
    assert.equal(
      (await api.request('/api/v1/clients', json('POST', { clientId: 'bench', role: 'service' }))).status,
      409,
    );
    assert.equal((await api.request('/api/v1/clients', json('POST', { clientId: 'n', role: 'nurse' }))).status, 422);
    identity.close();
  });
});

describe('identity routes in the OpenAPI document', () => {
  it('documents every route mountOAuthRoutes and mountUserRoutes mount, and no other', () => {
    const identity = SqliteIdentityStore.open({ path: ':memory:' });
    const hono = new Hono();
    const keyDir = mkdtempSync(join(tmpdir(), 'ws-openapi-'));
    const issuer = LocalIssuer.openOrCreate({ keyDir, issuer: 'http://127.0.0.1:8080', audience: 'wardstream' });
    mountOAuthRoutes(hono, new IssuerService({ issuer, identity }));
    mountUserRoutes(hono, identity);
    const mounted = hono.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    const documented = Object.entries(IDENTITY_PATHS).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    assert.deepEqual([...new Set(mounted)].sort(), documented.sort());
    identity.close();
    rmSync(keyDir, { recursive: true, force: true });
  });
});
