import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { problemNames, T0, type Json } from './testing/clinical-api.js';
import { CALLERS, twoWards, type TwoWards } from './testing/two-wards.js';

const HR = 'MDC_ECG_HEART_RATE';
const REASON = 'covering the rapid response call on ward A';

const ids = (answer: { body: Json }): string[] => (answer.body['alarms'] as Json[]).map((a) => String(a['id']));

describe("clinical API: a patient's alarms (GET /api/v1/patients/{id}/alarms)", () => {
  let fx: TwoWards;
  /** pa's alarms, newest raised first: low SpO₂ (the fixture's, from T0) and tachycardia (from T0+30 s). */
  let paAlarms: string[];

  before(async () => {
    fx = await twoWards();
    fx.api.feed('pa', 'mon-a', HR, T0 + 30_000, 20, 150);
    fx.api.clock.set(T0 + 60_000);
    paAlarms = ids(await fx.api.get('/api/v1/alarms?patientId=pa&limit=1000', CALLERS.service));
  });
  after(() => fx.api.close());

  it("answers the ward's nurse the patient's alarms as the list does, newest raised first, filtered by state", async () => {
    const { api } = fx;
    assert.ok(paAlarms.length >= 2, `pa has alarms of two conditions: ${paAlarms.join(', ')}`);
    assert.ok(paAlarms.includes(fx.alarmA));
    const all = await api.get('/api/v1/patients/pa/alarms', CALLERS.nurseA);
    assert.equal(all.status, 200);
    assert.deepEqual(all.body, (await api.get('/api/v1/alarms?patientId=pa', CALLERS.nurseA)).body);
    const raised = (all.body['alarms'] as Json[]).map((a) => Date.parse(String(a['raisedAt'])));
    assert.deepEqual(
      raised,
      [...raised].sort((a, b) => b - a),
      'newest raised first',
    );
    assert.ok((all.body['alarms'] as Json[]).every((a) => a['patientId'] === 'pa'));
    assert.deepEqual(ids(await api.get('/api/v1/patients/pa/alarms?limit=1', CALLERS.nurseA)), paAlarms.slice(0, 1));
    assert.deepEqual(ids(await api.get('/api/v1/patients/pa/alarms?open=true', CALLERS.nurseA)), paAlarms);
    assert.deepEqual(ids(await api.get('/api/v1/patients/pa/alarms?state=resolved', CALLERS.nurseA)), []);
  });

  it('answers bad parameters with one problem naming each, an unknown patient with 404', async () => {
    const { api } = fx;
    const bad = await api.get('/api/v1/patients/pa/alarms?state=active,sleeping&limit=0', CALLERS.nurseA);
    assert.equal(bad.status, 400);
    assert.deepEqual(problemNames(bad), ['limit', 'state']);
    assert.deepEqual(problemNames(await api.get('/api/v1/patients/pa/alarms?state=active&open=true', CALLERS.nurseA)), [
      'open',
    ]);
    const unknown = await api.get('/api/v1/patients/ghost/alarms', CALLERS.service);
    assert.equal(unknown.status, 404);
  });

  it("shows a break-glass holder the patient's active alarms, which the filtered list never does", async () => {
    const { api } = fx;
    // Without a grant: refused (the list, filtered to ward B, says nothing of pa).
    assert.equal((await api.get('/api/v1/patients/pa/alarms', CALLERS.nurseB)).status, 403);
    const grant = await api.post(
      '/api/v1/break-glass',
      { patientId: 'pa', reason: REASON, minutes: 5 },
      CALLERS.nurseB,
    );
    assert.equal(grant.status, 201);
    // The list honours no grant: still nothing for pa, though its alarms are active.
    assert.deepEqual(ids(await api.get('/api/v1/alarms?patientId=pa', CALLERS.nurseB)), []);
    api.auth.audit.clear();
    const read = await api.get('/api/v1/patients/pa/alarms?open=true', CALLERS.nurseB);
    assert.equal(read.status, 200);
    assert.deepEqual(ids(read), paAlarms);
    // Audited as a break-glass read of pa, with the grant's id.
    const [record] = api.auth.audit.records;
    assert.deepEqual(
      [record?.outcome, record?.patients, record?.reason, record?.severity, record?.grantId],
      ['allowed', ['pa'], 'break-glass', 'high', grant.body['id']],
    );
    // An admin: refused without a grant, answered with one (the fixture's, for pa).
    assert.equal((await api.get('/api/v1/alarms?patientId=pa', CALLERS.adminBreakGlass)).status, 403);
    assert.deepEqual(ids(await api.get('/api/v1/patients/pa/alarms', CALLERS.adminBreakGlass)), paAlarms);
    assert.equal((await api.get('/api/v1/patients/pa/alarms', CALLERS.admin)).status, 403);
  });
});
