import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteMounter } from '../deps.js';
import { ClinicalApi } from '../testing/clinical-api.js';
import { standInRoutes } from '../testing/two-wards.js';
import { mountedRoutes } from './guard-routes.js';
import { ROUTE_POLICIES } from './route-policies.js';

describe('access: deny by default, enforced where routes are mounted', () => {
  let api: ClinicalApi;
  const calls: string[] = [];

  before(async () => {
    api = await ClinicalApi.open({ routes: standInRoutes(calls) });
  });
  after(() => api.close());

  it('has a policy for every mounted route and a mounted route for every policy', () => {
    const mounted = mountedRoutes(api.app);
    const declared = Object.keys(ROUTE_POLICIES);
    assert.deepEqual(
      mounted.filter((route) => !declared.includes(route)),
      [],
    );
    assert.deepEqual(
      declared.filter((route) => !mounted.includes(route)),
      [],
    );
  });

  it('refuses to build the API when a route has no declared policy', async () => {
    await assert.rejects(
      ClinicalApi.open({ routes: { identity: (app) => app.get('/api/v1/secrets', (c) => c.text('all of them')) } }),
      /GET \/api\/v1\/secrets has no access policy/,
    );
    await assert.rejects(
      // A declared path under another method is still undeclared.
      ClinicalApi.open({ routes: { enrollment: (app) => app.delete('/api/v1/users', (c) => c.body(null, 204)) } }),
      /DELETE \/api\/v1\/users has no access policy/,
    );
  });

  it('refuses the registration methods that would bypass the policy lookup', async () => {
    const bypasses: [string, RouteMounter][] = [
      ['use', (app) => app.use('/api/v1/patients/*', (c) => Promise.resolve(c.text('leak')))],
      ['all', (app) => app.all('/api/v1/users', (c) => c.text('leak'))],
      ['on', (app) => app.on('GET', '/api/v1/users', (c) => c.text('leak'))],
      ['route', (app) => app.route('/x', app)],
    ];
    for (const [name, mount] of bypasses) {
      await assert.rejects(ClinicalApi.open({ routes: { identity: mount } }), new RegExp(`app\\.${name} is refused`));
    }
  });

  it('runs the guard before the handler: a refused or unauthenticated request never reaches it', async () => {
    calls.length = 0;
    const nurse = { sub: 'nurse.a', roles: ['nurse'], wards: ['w-a'] };
    const res = await api.app.request('/api/v1/users', { headers: api.authorization(nurse) });
    assert.equal(res.status, 403);
    assert.equal((await api.app.request('/api/v1/users')).status, 401);
    assert.deepEqual(calls, []);
    const admin = await api.app.request('/api/v1/users', { headers: api.authorization({ roles: ['admin'] }) });
    assert.equal(admin.status, 204);
    assert.deepEqual(calls, ['GET /api/v1/users']);
  });

  it('refuses a token whose roles are none of ours, and a device everywhere but public routes', async () => {
    const stranger = await api.get('/api/v1/patients', { roles: ['superuser', 'root'], wards: ['w-a'] });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.type, 'application/problem+json');
    assert.equal(stranger.body['type'], 'urn:wardstream:problem:forbidden');
    assert.match(String(stranger.body['detail']), /none known/);
    const device = await api.get('/api/v1/devices', { sub: 'mon-1', roles: ['device'] });
    assert.equal(device.status, 403);
    assert.equal((await api.get('/healthz', { roles: ['device'] })).status, 200);
  });
});
