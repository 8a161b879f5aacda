import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { patientId } from '@wardstream/domain';
import type { TokenClaims } from '../testing/auth.js';
import type { Json } from '../testing/clinical-api.js';
import { CALLERS, twoWards, type TwoWards } from '../testing/two-wards.js';

const field = (answer: { body: Json }, list: string, key: string) =>
  (answer.body[list] as Json[]).map((item) => item[key]).sort();

describe('access: lists filtered to the caller wards', () => {
  let fx: TwoWards;

  before(async () => {
    fx = await twoWards();
    await fx.api.registry.putPatient({ id: patientId('pz'), displayName: 'on no ward' }, fx.api.clock.now());
  });
  after(() => fx.api.close());

  it("shows a nurse of ward A only ward A's patients, alarms and bindings; an integration everything", async () => {
    const { api } = fx;
    assert.deepEqual(field(await api.get('/api/v1/patients', CALLERS.nurseA), 'patients', 'id'), ['pa']);
    assert.deepEqual(field(await api.get('/api/v1/alarms', CALLERS.nurseA), 'alarms', 'patientId'), ['pa']);
    assert.deepEqual(field(await api.get('/api/v1/bindings', CALLERS.nurseA), 'bindings', 'patientId'), ['pa']);
    assert.deepEqual(field(await api.get('/api/v1/patients', CALLERS.physicianB), 'patients', 'id'), ['pb']);
    assert.deepEqual(field(await api.get('/api/v1/patients', CALLERS.service), 'patients', 'id'), ['pa', 'pb', 'pz']);
    assert.deepEqual(field(await api.get('/api/v1/alarms', CALLERS.service), 'alarms', 'patientId'), ['pa', 'pb']);
  });

  it("filters the filters too: another ward's patient or ward in the query gives an empty list", async () => {
    const { api } = fx;
    assert.deepEqual(field(await api.get('/api/v1/alarms?patientId=pb', CALLERS.nurseA), 'alarms', 'id'), []);
    assert.deepEqual(field(await api.get('/api/v1/alarms?patientId=pa', CALLERS.nurseA), 'alarms', 'id'), [fx.alarmA]);
    assert.deepEqual(field(await api.get('/api/v1/patients?ward=w-b', CALLERS.nurseA), 'patients', 'id'), []);
    assert.deepEqual(field(await api.get('/api/v1/bindings?patientId=pb', CALLERS.nurseA), 'bindings', 'id'), []);
    const none = { sub: 'nurse.new', roles: ['nurse'], wards: [] };
    assert.deepEqual(field(await api.get('/api/v1/alarms', none), 'alarms', 'id'), []);
  });

  it('keeps the limit of a filtered alarm list, newest first', async () => {
    const { api } = fx;
    const both = { sub: 'nurse.ab', roles: ['nurse'], wards: ['w-a', 'w-b'] };
    const all = await api.get('/api/v1/alarms', CALLERS.service);
    const mine = await api.get('/api/v1/alarms', both);
    assert.deepEqual(mine.body['alarms'], all.body['alarms']);
    const one = await api.get('/api/v1/alarms?limit=1', both);
    assert.deepEqual(one.body['alarms'], (all.body['alarms'] as Json[]).slice(0, 1));
  });

  it('records a list as patient * with the wards it was filtered to', async () => {
    const { api } = fx;
    api.auth.audit.clear();
    await api.get('/api/v1/patients', CALLERS.nurseA);
    await api.get('/api/v1/patients', CALLERS.service);
    assert.deepEqual(
      api.auth.audit.records.map((r) => [r.subject, r.patients, r.wards, r.reason]),
      [
        ['nurse.a', ['*'], ['w-a'], 'ward-filter'],
        ['fhir-export', ['*'], ['*'], 'role'],
      ],
    );
  });

  it('lets care staff admit, transfer and move patients only within their wards', async () => {
    const { api } = fx;
    // Moving pa from ward A to ward B needs both wards.
    const move = await api.post('/api/v1/patients', { id: 'pa', wardId: 'w-b' }, CALLERS.nurseA);
    assert.equal(move.status, 403);
    const both = { sub: 'nurse.ab', roles: ['nurse'], wards: ['w-a', 'w-b'] };
    const created = await api.post('/api/v1/patients', { id: 'pc', wardId: 'w-a' }, CALLERS.nurseA);
    assert.equal(created.status, 201);
    // A patient put on no ward is no ward's: only admin and the ADT feed may.
    assert.equal((await api.post('/api/v1/patients', { id: 'pd' }, CALLERS.nurseA)).status, 403);
    assert.equal((await api.post('/api/v1/patients', { id: 'pd' }, CALLERS.service)).status, 201);
    // Transferring mon-b (pb, ward B) to pc (ward A) needs both wards.
    const transfer = (as: TokenClaims) => api.post('/api/v1/devices/mon-b/transfer', { patientId: 'pc' }, as);
    assert.equal((await transfer(CALLERS.nurseA)).status, 403);
    assert.equal((await transfer(both)).status, 201);
  });

  it("refuses care staff taking their ward's patient off every ward (wardId null): admin and ADT only", async () => {
    const { api } = fx;
    const off = (as: TokenClaims) => api.post('/api/v1/patients', { id: 'pa', wardId: null }, as);
    assert.equal((await off(CALLERS.nurseA)).status, 403);
    assert.equal((await api.registry.getPatient(patientId('pa')))?.wardId, 'w-a');
    assert.equal((await off(CALLERS.service)).status, 200);
  });
});
