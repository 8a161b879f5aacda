import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClinicalApi, problemNames, T0, type Json } from './testing/clinical-api.js';

const HR = 'MDC_ECG_HEART_RATE';

describe('clinical API: alarms, commands, audit and alarm burden', () => {
  let api: ClinicalApi;
  /** p1: tachycardia from T0 (two alarms, raised T0+10 s); p2: bradycardia from T0+20 s (raised T0+30 s). */
  const ids: Record<string, string> = {};

  before(async () => {
    api = await ClinicalApi.open();
    await api.patient('p1', 'w1');
    await api.patient('p2', 'w1');
    api.feed('p1', 'mon-1', HR, T0, 12, 150);
    api.feed('p2', 'mon-2', HR, T0 + 20_000, 12, 30);
    api.clock.set(T0 + 60_000);
    for (const alarm of (await api.get('/api/v1/alarms')).body['alarms'] as Json[]) {
      ids[`${String(alarm['patientId'])}/${String(alarm['ruleId'])}`] = String(alarm['id']);
    }
  });

  after(() => api.close());

  it('lists alarms newest first, with ISO instants, filtered by patient, state and raise time', async () => {
    const all = await api.get('/api/v1/alarms');
    assert.equal(all.status, 200);
    const alarms = all.body['alarms'] as Json[];
    assert.deepEqual(
      alarms.map((a) => [a['patientId'], a['raisedAt']]),
      [
        ['p2', new Date(T0 + 30_000).toISOString()],
        ['p2', new Date(T0 + 30_000).toISOString()],
        ['p1', new Date(T0 + 10_000).toISOString()],
        ['p1', new Date(T0 + 10_000).toISOString()],
      ],
    );
    const tachy = alarms.find((a) => a['ruleId'] === 'ecg.extreme-tachycardia');
    assert.equal(tachy?.['priority'], 'high');
    assert.equal(tachy['onsetAt'], new Date(T0).toISOString());
    assert.equal(tachy['acknowledgedAt'], null);
    const p1 = await api.get('/api/v1/alarms?patientId=p1&limit=1');
    assert.deepEqual(
      (p1.body['alarms'] as Json[]).map((a) => a['patientId']),
      ['p1'],
    );
    const early = await api.get(`/api/v1/alarms?to=${new Date(T0 + 20_000).toISOString()}&state=active`);
    assert.equal((early.body['alarms'] as Json[]).length, 2);
    const resolved = await api.get('/api/v1/alarms?state=resolved');
    assert.deepEqual(resolved.body['alarms'], []);
  });

  it('answers bad list parameters with one problem naming each', async () => {
    const bad = await api.get('/api/v1/alarms?state=active,sleeping&limit=5000&from=soon&patientId=a%20b');
    assert.equal(bad.status, 400);
    assert.equal(bad.type, 'application/problem+json');
    assert.deepEqual(problemNames(bad), ['from', 'limit', 'patientId', 'state']);
    assert.deepEqual(problemNames(await api.get('/api/v1/alarms?state=active&open=true')), ['open']);
  });

  it('serves one alarm with its history, 404 for an unknown one', async () => {
    const id = ids['p2/ecg.extreme-bradycardia'] ?? '';
    const one = await api.get(`/api/v1/alarms/${id}`);
    assert.equal(one.status, 200);
    assert.equal((one.body['alarm'] as Json)['id'], id);
    assert.deepEqual(one.body['events'], [
      { id: `${id}:1`, seq: 1, type: 'raised', at: new Date(T0 + 30_000).toISOString(), by: 'system', note: null },
    ]);
    const missing = await api.get('/api/v1/alarms/al-0000000000000000');
    assert.equal(missing.status, 404);
    assert.equal(missing.body['type'], 'urn:wardstream:problem:not-found');
    assert.equal((await api.get('/api/v1/alarms/not%20an%20id')).status, 400);
  });

  it('acknowledges an alarm once: 200 with who and when, then 409', async () => {
    const id = ids['p1/ecg.extreme-tachycardia'] ?? '';
    const ack = await api.post(`/api/v1/alarms/${id}/acknowledge`, { by: 'nurse.jones', note: 'at the bedside' });
    assert.equal(ack.status, 200);
    const alarm = ack.body['alarm'] as Json;
    assert.equal(alarm['state'], 'acknowledged');
    assert.equal(alarm['acknowledgedBy'], 'nurse.jones');
    assert.equal(alarm['acknowledgedAt'], new Date(T0 + 60_000).toISOString());
    const again = await api.post(`/api/v1/alarms/${id}/acknowledge`, { by: 'nurse.jones' });
    assert.equal(again.status, 409);
    assert.equal(again.body['type'], 'urn:wardstream:problem:conflict');
    const events = (await api.get(`/api/v1/alarms/${id}`)).body['events'] as Json[];
    assert.deepEqual(
      events.map((e) => [e['type'], e['by'], e['note']]),
      [
        ['raised', 'system', null],
        ['acknowledged', 'nurse.jones', 'at the bedside'],
      ],
    );
    const unknown = await api.post('/api/v1/alarms/al-0000000000000000/acknowledge', { by: 'nurse.jones' });
    assert.equal(unknown.status, 404);
  });

  it('refuses a command without a valid `by`, listing every bad field', async () => {
    const id = ids['p2/news2.pulse.low'] ?? '';
    const bad = await api.post(`/api/v1/alarms/${id}/acknowledge`, { by: 'nurse jones', note: 42 });
    assert.equal(bad.status, 422);
    assert.equal(bad.body['type'], 'urn:wardstream:problem:invalid-body');
    assert.deepEqual(problemNames(bad), ['by', 'note']);
    assert.equal((await api.post(`/api/v1/alarms/${id}/escalate`, {})).status, 422);
    assert.equal((await api.post(`/api/v1/alarms/${id}/acknowledge`, '{oops')).status, 400);
  });

  it('silences for a bounded time, naming durationSeconds when it is missing or too long', async () => {
    const id = ids['p2/news2.pulse.low'] ?? '';
    const missing = await api.post(`/api/v1/alarms/${id}/silence`, { by: '' });
    assert.equal(missing.status, 422);
    assert.deepEqual(problemNames(missing), ['by', 'durationSeconds']);
    const tooLong = await api.post(`/api/v1/alarms/${id}/silence`, { by: 'nurse.jones', durationSeconds: 86_400 });
    assert.equal(tooLong.status, 422);
    assert.deepEqual(problemNames(tooLong), ['durationSeconds']);
    const ok = await api.post(`/api/v1/alarms/${id}/silence`, { by: 'nurse.jones', durationSeconds: 120 });
    assert.equal(ok.status, 200);
    assert.equal((ok.body['alarm'] as Json)['silencedUntil'], new Date(T0 + 60_000 + 120_000).toISOString());
  });

  it('escalates an open alarm', async () => {
    const id = ids['p2/ecg.extreme-bradycardia'] ?? '';
    const res = await api.post(`/api/v1/alarms/${id}/escalate`, { by: 'dr.who@ward1', note: 'no response' });
    assert.equal(res.status, 200);
    assert.equal((res.body['alarm'] as Json)['escalations'], 1);
  });

  it('refuses to resolve an alarm whose condition still holds (409, nothing changed), or without a reason (422)', async () => {
    const id = ids['p2/ecg.extreme-bradycardia'] ?? '';
    for (const body of [{ by: 'nurse.jones' }, { by: 'nurse.jones', note: '  ' }]) {
      const bare = await api.post(`/api/v1/alarms/${id}/resolve`, body);
      assert.equal(bare.status, 422);
      assert.deepEqual(problemNames(bare), ['note']);
    }
    const res = await api.post(`/api/v1/alarms/${id}/resolve`, { by: 'nurse.jones', note: 'looks fine' });
    assert.equal(res.status, 409);
    assert.equal(res.body['type'], 'urn:wardstream:problem:conflict');
    assert.match(String(res.body['detail']), /condition still holds; acknowledge it/);
    const alarm = (await api.get(`/api/v1/alarms/${id}`)).body['alarm'] as Json;
    assert.equal(alarm['state'], 'active');
  });

  it('keeps an audit trail of every command with its actor, filtered by subject prefix and paged', async () => {
    const all = await api.get('/api/v1/audit?subject=alarm:');
    const entries = all.body['entries'] as Json[];
    assert.deepEqual(
      entries.map((e) => [e['action'], e['actor'], e['subject']]),
      [
        ['alarm.acknowledge', 'nurse.jones', `alarm:${ids['p1/ecg.extreme-tachycardia'] ?? ''}`],
        ['alarm.silence', 'nurse.jones', `alarm:${ids['p2/news2.pulse.low'] ?? ''}`],
        ['alarm.escalate', 'dr.who@ward1', `alarm:${ids['p2/ecg.extreme-bradycardia'] ?? ''}`],
      ],
    );
    assert.equal(entries[0]?.['at'], new Date(T0 + 60_000).toISOString());
    assert.deepEqual((entries[1]?.['details'] as Json)['durationMs'], 120_000);
    const page = await api.get(`/api/v1/audit?after=${String(entries[0]['seq'])}&limit=1`);
    assert.deepEqual(
      (page.body['entries'] as Json[]).map((e) => e['action']),
      ['alarm.silence'],
    );
    assert.deepEqual(problemNames(await api.get('/api/v1/audit?after=-1&limit=0')), ['after', 'limit']);
  });

  it('measures the alarm burden over a window, with ISO bounds', async () => {
    const res = await api.get(`/api/v1/alarm-burden?from=${T0}&to=${T0 + 3_600_000}`);
    assert.equal(res.status, 200);
    assert.equal(res.body['from'], new Date(T0).toISOString());
    assert.equal(res.body['to'], new Date(T0 + 3_600_000).toISOString());
    assert.equal(res.body['raised'], 4);
    assert.equal(res.body['acknowledged'], 1);
    assert.equal(res.body['shareAcknowledged'], 0.25);
    assert.deepEqual(
      (res.body['byType'] as Json[]).map((t) => [t['category'], t['priority'], t['count']]),
      [
        ['physiological', 'high', 2],
        ['physiological', 'medium', 2],
      ],
    );
    assert.equal(typeof res.body['monitoredPatientHours'], 'number');
    assert.deepEqual(problemNames(await api.get(`/api/v1/alarm-burden?from=${T0}&to=${T0 - 1}`)), ['to']);
  });
});
