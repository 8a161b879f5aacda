import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { ClinicalApi, eventData, T0, type Json } from './testing/clinical-api.js';

const HR = 'MDC_ECG_HEART_RATE';
const SPO2 = 'MDC_PULS_OXIM_SAT_O2';

describe('clinical API: live alarm and score events', () => {
  let api: ClinicalApi;

  before(async () => {
    api = await ClinicalApi.open();
    await api.patient('p1', 'w1');
    await api.patient('p2', 'w2');
    api.clock.set(T0 + 60_000);
  });

  after(() => api.close());

  it("sends an alarm raised while a client follows a patient as `event: alarm`, and the patient's scores", async () => {
    const live = await api.follow('/api/v1/patients/p1/live');
    api.feed('p2', 'mon-2', SPO2, T0, 12, 85);
    api.feed('p1', 'mon-1', SPO2, T0, 12, 85);
    const text = await live.until((t) => t.includes('event: alarm') && t.includes('event: score'));
    await live.close();
    const alarms = eventData(text, 'alarm');
    assert.ok(alarms.every((a) => (a['alarm'] as Json)['patientId'] === 'p1'));
    const [alarm] = alarms;
    assert.ok(alarm);
    assert.equal(alarm['type'], 'raised');
    assert.equal(alarm['seq'], 1);
    assert.equal(alarm['by'], 'system');
    assert.equal(alarm['at'], new Date(T0 + 10_000).toISOString());
    const snapshot = alarm['alarm'] as Json;
    assert.deepEqual(
      [snapshot['patientId'], snapshot['ruleId'], snapshot['state'], snapshot['raisedAt']],
      ['p1', 'news2.spo2.low', 'active', new Date(T0 + 10_000).toISOString()],
    );
    assert.equal(alarm['alarmId'], snapshot['id']);
    const scores = eventData(text, 'score');
    assert.ok(scores.every((s) => s['patientId'] === 'p1'));
    assert.equal(scores[0]?.['at'], new Date(T0).toISOString());
  });

  it('sends operator changes too: an acknowledgement reaches the ward feed of the patient', async () => {
    const open = await api.get('/api/v1/alarms?patientId=p1&open=true');
    const id = String((open.body['alarms'] as Json[])[0]?.['id']);
    const ward = await api.follow('/api/v1/wards/w1/live');
    const other = await api.follow('/api/v1/wards/w2/live');
    assert.equal((await api.post(`/api/v1/alarms/${id}/acknowledge`, { by: 'nurse.jones' })).status, 200);
    const text = await ward.until((t) => t.includes('event: alarm'));
    await ward.close();
    const [event] = eventData(text, 'alarm');
    assert.deepEqual([event?.['alarmId'], event?.['type'], event?.['by']], [id, 'acknowledged', 'nurse.jones']);
    assert.equal((event?.['alarm'] as Json)['acknowledgedAt'], new Date(T0 + 60_000).toISOString());
    // The other ward's feed hears only pings in the meantime.
    const quiet = await other.until((t) => t.includes('event: ping'));
    await other.close();
    assert.doesNotMatch(quiet, /event: alarm/);
  });

  it("sends a device's technical alarms to the device feed", async () => {
    const live = await api.follow('/api/v1/devices/mon-1/live');
    const low = (at: number) => ({
      ...api.record('p1', 'mon-1', HR, at, 80),
      status: { batteryFraction: 0.05, errors: [] },
    });
    api.engine.ingest(low(T0 + 20_000));
    const text = await live.until((t) => t.includes('event: alarm'));
    await live.close();
    const [event] = eventData(text, 'alarm');
    const alarm = event?.['alarm'] as Json;
    assert.deepEqual(
      [alarm['ruleId'], alarm['deviceId'], alarm['category']],
      ['technical.battery-low', 'mon-1', 'technical'],
    );
    assert.equal(eventData(text, 'score').length, 0);
  });

  it('describes every mounted route in the OpenAPI document, and nothing more', () => {
    const mounted = new Set(
      api.app.routes
        // The dashboard's files (/app/…) are a web page, not the API the document describes.
        .filter((r) => r.method !== 'ALL' && r.path !== '/app' && !r.path.startsWith('/app/'))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    assert.deepEqual([...mounted].sort(), [...documented].sort());
  });
});
