import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_RULES, type ThresholdRule } from '@wardstream/clinical';
import { ClinicalApi, problemNames, T0, type Json } from './testing/clinical-api.js';

const HR = 'MDC_ECG_HEART_RATE';
const TACHY = DEFAULT_RULES.find((r) => r.id === 'ecg.extreme-tachycardia') as ThresholdRule;

describe('clinical API: charted observations, scores and rules', () => {
  let api: ClinicalApi;

  before(async () => {
    api = await ClinicalApi.open();
    await api.patient('p1', 'w1');
    await api.patient('p2', 'w1');
    api.feed('p1', 'mon-1', HR, T0, 5, 150);
    api.feed('p1', 'mon-1', HR, T0 + 70_000, 5, 100);
    api.clock.set(T0 + 120_000);
  });

  after(() => api.close());

  it('charts an observation (201), answers a retry with the same id 200, and another body under it 409', async () => {
    const body = { kind: 'consciousness', value: 'V', recordedBy: 'nurse.jones', id: 'obs-1', observedAt: T0 + 80_000 };
    const created = await api.post('/api/v1/patients/p1/observations', body);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body['observation'], {
      id: 'obs-1',
      patientId: 'p1',
      kind: 'consciousness',
      value: 'V',
      observedAt: new Date(T0 + 80_000).toISOString(),
      recordedAt: new Date(T0 + 120_000).toISOString(),
      recordedBy: 'nurse.jones',
    });
    api.clock.advance(1_000);
    const retried = await api.post('/api/v1/patients/p1/observations', body);
    assert.equal(retried.status, 200);
    assert.deepEqual(retried.body['observation'], created.body['observation']);
    const clash = await api.post('/api/v1/patients/p1/observations', { ...body, value: 'A' });
    assert.equal(clash.status, 409);
    const vital = await api.post('/api/v1/patients/p1/observations', {
      kind: 'vital',
      code: 'resp_rate',
      value: 26,
      recordedBy: 'nurse.jones',
      observedAt: new Date(T0 + 90_000).toISOString(),
    });
    assert.equal(vital.status, 201);
    assert.equal((vital.body['observation'] as Json)['code'], 'MDC_RESP_RATE');
    const listed = await api.get(`/api/v1/patients/p1/observations?from=${T0}`);
    assert.deepEqual(
      (listed.body['observations'] as Json[]).map((o) => o['kind']),
      ['consciousness', 'vital'],
    );
    const audit = await api.get('/api/v1/audit?subject=patient:p1');
    assert.deepEqual(
      (audit.body['entries'] as Json[]).map((e) => [e['action'], e['actor']]),
      [
        ['charted.record', 'nurse.jones'],
        ['charted.record', 'nurse.jones'],
      ],
    );
  });

  it('lists every problem of a charted observation at once', async () => {
    const bad = await api.post('/api/v1/patients/p1/observations', {
      kind: 'vital',
      code: 'MDC_ECG_ELEC_POTL_II',
      value: 'fast',
      observedAt: T0 + 3_600_000,
      id: 'has space',
      colour: 'red',
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body['type'], 'urn:wardstream:problem:invalid-body');
    assert.deepEqual(problemNames(bad), ['code', 'colour', 'id', 'observedAt', 'recordedBy', 'value']);
    const noKind = await api.post('/api/v1/patients/p1/observations', { recordedBy: 'nurse.jones' });
    assert.deepEqual(problemNames(noKind), ['kind']);
    const scale = await api.post('/api/v1/patients/p1/observations', {
      kind: 'spo2Scale',
      scale: 3,
      recordedBy: 'x',
    });
    assert.deepEqual(problemNames(scale), ['scale']);
    const ghost = await api.post('/api/v1/patients/ghost/observations', { kind: 'oxygen', onOxygen: true });
    assert.equal(ghost.status, 404);
  });

  it("serves a patient's latest scores and one score's history, oldest first", async () => {
    const latest = await api.get('/api/v1/patients/p1/scores');
    assert.equal(latest.status, 200);
    const scores = latest.body['scores'] as Json[];
    assert.deepEqual(scores.map((s) => s['score']).sort(), ['mews', 'news2', 'qsofa']);
    const news2 = scores.find((s) => s['score'] === 'news2');
    assert.equal(news2?.['complete'], false);
    assert.ok((news2['missing'] as string[]).includes('spo2'));
    const pulse = (news2['inputs'] as Record<string, Json>)['pulse'];
    assert.equal(typeof pulse?.['observedAt'], 'string');
    const history = await api.get(`/api/v1/patients/p1/scores/news2?from=${T0}&to=${T0 + 3_600_000}`);
    assert.equal(history.status, 200);
    const series = history.body['scores'] as Json[];
    assert.ok(series.length >= 2);
    assert.deepEqual(
      series.map((s) => s['at']),
      series.map((s) => s['at']).sort(),
    );
    assert.equal(series[0]?.['at'], new Date(T0).toISOString());
    assert.equal((series[0]['subscores'] as Json)['pulse'], 3);
    const limited = await api.get(`/api/v1/patients/p1/scores/news2?from=${T0}&limit=1`);
    assert.equal((limited.body['scores'] as Json[]).length, 1);
  });

  it('refuses an unknown score name listing the valid ones, and an unknown patient with 404', async () => {
    const bad = await api.get('/api/v1/patients/p1/scores/apache?limit=0');
    assert.equal(bad.status, 400);
    assert.deepEqual(problemNames(bad), ['limit', 'score']);
    assert.match(String(bad.body['detail']), /news2, qsofa, mews/);
    assert.equal((await api.get('/api/v1/patients/ghost/scores')).status, 404);
    assert.equal((await api.get('/api/v1/patients/ghost/scores/news2')).status, 404);
  });

  it('serves the shipped default rules as version 0 until they are set', async () => {
    const res = await api.get('/api/v1/rules/default');
    assert.equal(res.status, 200);
    assert.equal(res.etag, '"0"');
    assert.deepEqual(res.body['scope'], { kind: 'default' });
    assert.equal(res.body['version'], 0);
    assert.equal(res.body['updatedBy'], null);
    assert.equal(res.body['updatedAt'], null);
    assert.deepEqual(res.body['rules'], JSON.parse(JSON.stringify(DEFAULT_RULES)));
    const ward = await api.get('/api/v1/wards/w1/rules');
    assert.deepEqual([ward.body['version'], ward.body['rules']], [0, []]);
  });

  it('replaces a scope under If-Match, answering 409 to a stale version and 422 naming a bad field', async () => {
    const wardRule = { ...TACHY, limit: 151 };
    const put = (path: string, body: unknown, ifMatch?: string) =>
      api.request('PUT', path, body, ifMatch === undefined ? {} : { 'if-match': ifMatch });
    const first = await put('/api/v1/wards/w1/rules', { by: 'dr.house', rules: [wardRule] }, '"0"');
    assert.equal(first.status, 200);
    assert.equal(first.etag, '"1"');
    assert.deepEqual([first.body['version'], first.body['updatedBy']], [1, 'dr.house']);
    assert.equal(first.body['updatedAt'], new Date(api.clock.now()).toISOString());
    const stale = await put('/api/v1/wards/w1/rules', { by: 'dr.house', rules: [] }, '"0"');
    assert.equal(stale.status, 409);
    const staleBody = await put('/api/v1/wards/w1/rules', { by: 'dr.house', rules: [], expectedVersion: 0 });
    assert.equal(staleBody.status, 409);
    const invalid = await put('/api/v1/wards/w1/rules', { by: 'dr.house', rules: [{ ...wardRule, limit: 'high' }] });
    assert.equal(invalid.status, 422);
    assert.deepEqual(problemNames(invalid), ['rules[0].limit']);
    const noBy = await put('/api/v1/patients/p1/rules', { rules: [] });
    assert.deepEqual(problemNames(noBy), ['by']);
    assert.equal((await put('/api/v1/rules/default', { by: 'x', rules: [] }, 'W/"1"')).status, 400);
    assert.equal((await api.get('/api/v1/wards/w1/rules')).etag, '"1"');
    const audit = await api.get('/api/v1/audit?subject=ward:w1');
    assert.deepEqual(
      (audit.body['entries'] as Json[]).map((e) => [e['action'], e['actor']]),
      [['rules.put', 'dr.house']],
    );
  });

  it("applies ward, then patient overrides in a patient's effective rules", async () => {
    const patientRule = { ...TACHY, limit: 161, source: 'local policy: athlete' };
    const put = await api.request('PUT', '/api/v1/patients/p1/rules', { by: 'dr.house', rules: [patientRule] });
    assert.equal(put.status, 200);
    const limitOf = async (patient: string) => {
      const res = await api.get(`/api/v1/patients/${patient}/rules/effective`);
      const rules = res.body['rules'] as Json[];
      assert.equal(rules.length, DEFAULT_RULES.length);
      return rules.find((r) => r['id'] === TACHY.id)?.['limit'];
    };
    assert.equal(await limitOf('p1'), 161);
    assert.equal(await limitOf('p2'), 151);
    assert.equal((await api.get('/api/v1/patients/ghost/rules/effective')).status, 404);
    assert.equal((await api.get('/api/v1/patients/ghost/rules')).status, 404);
  });
});
