import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClinicalApi, problemNames, type Json } from '../testing/clinical-api.js';
import { CALLERS, twoWards, type TwoWards } from '../testing/two-wards.js';
import { BreakGlassGrants, BreakGlassLimitError } from './break-glass.js';

const ADMIN = { sub: 'admin.jones', roles: ['admin'] };
const REASON = 'patient collapsed in the corridor, chart needed';

describe('access: break-glass', () => {
  let fx: TwoWards;
  let api: ClinicalApi;

  before(async () => {
    fx = await twoWards();
    api = fx.api;
  });
  after(() => api.close());

  it('refuses an admin patient data without a grant', async () => {
    const res = await api.get('/api/v1/patients/pb', ADMIN);
    assert.equal(res.status, 403);
    assert.match(String(res.body['detail']), /break-glass/);
    assert.equal(api.auth.audit.records.at(-1)?.reason, 'break-glass-required');
  });

  it('wants a reason of 10 to 500 characters and 1 to 60 minutes, and a registered patient', async () => {
    api.auth.audit.clear();
    const short = await api.post('/api/v1/break-glass', { patientId: 'pb', reason: 'need it' }, ADMIN);
    assert.equal(short.status, 422);
    assert.deepEqual(problemNames(short), ['reason']);
    const long = await api.post('/api/v1/break-glass', { patientId: 'pb', reason: REASON, minutes: 61 }, ADMIN);
    assert.deepEqual(problemNames(long), ['minutes']);
    const ghost = await api.post('/api/v1/break-glass', { patientId: 'ghost', reason: REASON }, ADMIN);
    assert.equal(ghost.status, 404);
    assert.equal(api.auth.audit.records.length, 0);
    assert.equal(api.auth.breakGlass.length, 0);
    // An integration or a device never breaks glass.
    assert.equal(
      (await api.post('/api/v1/break-glass', { patientId: 'pb', reason: REASON }, CALLERS.service)).status,
      403,
    );
  });

  it('grants reads of that patient until it expires, audited at high severity and notified once', async () => {
    api.auth.audit.clear();
    const made = await api.post('/api/v1/break-glass', { patientId: 'pb', reason: `  ${REASON}  `, minutes: 5 }, ADMIN);
    assert.equal(made.status, 201);
    const now = api.clock.now();
    assert.deepEqual(
      [made.body['patientId'], made.body['subject'], made.body['reason'], made.body['expiresAt']],
      ['pb', 'admin.jones', REASON, new Date(now + 5 * 60_000).toISOString()],
    );
    const id = String(made.body['id']);
    assert.deepEqual(
      api.auth.breakGlass.map((g) => [g.id, g.patientId, g.subject]),
      [[id, 'pb', 'admin.jones']],
    );
    const [record] = api.auth.audit.records;
    assert.deepEqual(
      [record?.action, record?.severity, record?.outcome, record?.patients, record?.grantId, record?.justification],
      ['break-glass', 'high', 'allowed', ['pb'], id, REASON],
    );
    assert.equal(record?.expiresAt, now + 5 * 60_000);

    api.auth.audit.clear();
    const read = await api.get('/api/v1/patients/pb', ADMIN);
    assert.equal(read.status, 200);
    assert.equal(read.body['id'], 'pb');
    const [access] = api.auth.audit.records;
    assert.deepEqual(
      [access?.reason, access?.severity, access?.grantId, access?.patients],
      ['break-glass', 'high', id, ['pb']],
    );
    // One patient only, and reads only for an admin.
    assert.equal((await api.get('/api/v1/patients/pa', ADMIN)).status, 403);
    const chart = await api.post(
      '/api/v1/patients/pb/observations',
      { kind: 'oxygen', onOxygen: true, recordedBy: 'admin.jones' },
      ADMIN,
    );
    assert.equal(chart.status, 403);
    assert.match(String(chart.body['detail']), /reads/);
    // Lists stay filtered to wards: a grant opens the patient's own routes.
    assert.equal((await api.get('/api/v1/alarms', ADMIN)).status, 403);

    api.clock.advance(5 * 60_000 - 1);
    assert.equal((await api.get('/api/v1/patients/pb/scores', ADMIN)).status, 200);
    api.clock.advance(1);
    const expired = await api.get('/api/v1/patients/pb', ADMIN);
    assert.equal(expired.status, 403);
    assert.equal(api.auth.audit.records.at(-1)?.reason, 'break-glass-required');
    assert.equal(api.auth.breakGlass.length, 1);
  });

  it('lets a nurse of another ward act on the patient (chart, acknowledge) under a grant', async () => {
    const nurse = CALLERS.nurseA;
    const ack = () => api.post(`/api/v1/alarms/${fx.alarmB}/acknowledge`, { by: 'nurse.a' }, nurse);
    assert.equal((await ack()).status, 403);
    const grant = await api.post('/api/v1/break-glass', { patientId: 'pb', reason: 'rapid response team call' }, nurse);
    assert.equal(grant.status, 201);
    const acked = await ack();
    assert.equal(acked.status, 200);
    assert.equal((acked.body['alarm'] as Json)['acknowledgedBy'], 'nurse.a');
    assert.equal(api.auth.audit.records.at(-1)?.severity, 'high');
    // Patient rules stay with the patient's own physicians.
    assert.equal(
      (await api.request('PUT', '/api/v1/patients/pb/rules', { by: 'nurse.a', rules: [] }, {}, nurse)).status,
      403,
    );
  });

  it('lists the active grants to an admin only', async () => {
    const listed = await api.get('/api/v1/break-glass', ADMIN);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.body['grants'] as Json[]).map((g) => [g['subject'], g['patientId']]),
      [
        ['admin.bg', 'pa'],
        ['nurse.a', 'pb'],
      ],
    );
    assert.equal((await api.get('/api/v1/break-glass', CALLERS.nurseA)).status, 403);
  });
});

describe('access: break-glass grants are bounded', () => {
  const request = (subject: string, patientId: string) => ({
    subject,
    roles: ['admin'],
    patientId,
    reason: REASON,
    minutes: 1,
  });

  it('refuses more grants per subject or in all than the limits, and forgets expired ones', () => {
    const grants = new BreakGlassGrants({ maxActive: 3, maxPerSubject: 2 });
    for (const patient of ['p1', 'p2']) grants.add(grants.prepare(request('a', patient), 0));
    assert.throws(() => grants.prepare(request('a', 'p3'), 0), BreakGlassLimitError);
    // A new grant for a patient already granted replaces it, within the bound.
    grants.add(grants.prepare(request('a', 'p1'), 10));
    assert.equal(grants.list(10).length, 2);
    grants.add(grants.prepare(request('b', 'p1'), 0));
    assert.throws(() => grants.prepare(request('c', 'p1'), 0), /3 break-glass grants are active/);
    assert.deepEqual(
      grants.list(60_000).map((g) => [g.subject, g.patientId]),
      [['a', 'p1']],
    );
    assert.equal(grants.active('a', 'p2', 60_000), undefined);
    assert.doesNotThrow(() => grants.prepare(request('c', 'p1'), 60_000));
  });

  it('answers 429 when the bound is reached', async () => {
    const api = await ClinicalApi.open({ breakGlassLimits: { maxPerSubject: 1 } });
    try {
      await api.patient('p1', 'w1');
      await api.patient('p2', 'w1');
      assert.equal((await api.post('/api/v1/break-glass', { patientId: 'p1', reason: REASON }, ADMIN)).status, 201);
      const second = await api.post('/api/v1/break-glass', { patientId: 'p2', reason: REASON }, ADMIN);
      assert.equal(second.status, 429);
      assert.equal(second.body['type'], 'urn:wardstream:problem:limit-reached');
      assert.equal(api.auth.breakGlass.length, 1);
    } finally {
      await api.close();
    }
  });
});
