import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EcgMetrics } from '@wardstream/clinical';
import { deviceId, patientId } from '@wardstream/domain';
import { ClinicalApi, eventData, problemNames, T0, type Json } from './testing/clinical-api.js';

function window(at: number, overrides: Partial<EcgMetrics> = {}): EcgMetrics {
  return {
    deviceId: deviceId('mon-1'),
    patientId: patientId('p1'),
    code: 'MDC_ECG_ELEC_POTL_II',
    at,
    heartRateBpm: 74.2,
    lastRrMs: 808,
    sdnnMs: 35.5,
    rmssdMs: 28.1,
    rrCount: 120,
    sqi: 1,
    quality: 'good',
    beatsAt: [at - 4200, at - 3392, at - 2584, at - 1776, at - 968, at - 160],
    ...overrides,
  };
}

describe('clinical API: ECG heart rate, HRV and signal quality', () => {
  let api: ClinicalApi;

  before(async () => {
    api = await ClinicalApi.open();
    await api.patient('p1', 'w1');
    await api.patient('p2', 'w1');
    api.store.appendEcgMetrics([
      window(T0 + 5_000),
      window(T0 + 10_000, { heartRateBpm: 76, quality: 'noisy', sqi: 0.4 }),
      window(T0 + 15_000, { heartRateBpm: 77 }),
      window(T0 + 5_000, { deviceId: deviceId('mon-2'), patientId: patientId('p2'), heartRateBpm: 50 }),
    ]);
    api.clock.set(T0 + 60_000);
  });

  after(() => api.close());

  it("serves a patient's windows oldest first, with the latest", async () => {
    const answer = await api.get('/api/v1/patients/p1/ecg');
    assert.equal(answer.status, 200);
    const windows = answer.body['windows'] as Json[];
    assert.deepEqual(
      windows.map((w) => [w['at'], w['heartRateBpm'], w['quality']]),
      [
        [new Date(T0 + 5_000).toISOString(), 74.2, 'good'],
        [new Date(T0 + 10_000).toISOString(), 76, 'noisy'],
        [new Date(T0 + 15_000).toISOString(), 77, 'good'],
      ],
    );
    assert.deepEqual(answer.body['latest'], windows[2]);
    assert.deepEqual(windows[0], {
      deviceId: 'mon-1',
      patientId: 'p1',
      code: 'MDC_ECG_ELEC_POTL_II',
      at: new Date(T0 + 5_000).toISOString(),
      heartRateBpm: 74.2,
      lastRrMs: 808,
      sdnnMs: 35.5,
      rmssdMs: 28.1,
      rrCount: 120,
      sqi: 1,
      quality: 'good',
      beatsAt: [T0 + 800, T0 + 1608, T0 + 2416, T0 + 3224, T0 + 4032, T0 + 4840],
    });
  });

  it("filters by time and limit, and serves a device's windows", async () => {
    const ranged = await api.get(`/api/v1/patients/p1/ecg?from=${T0 + 10_000}&to=${T0 + 20_000}&limit=1`);
    assert.deepEqual(
      (ranged.body['windows'] as Json[]).map((w) => w['heartRateBpm']),
      [76],
    );
    const device = await api.get('/api/v1/devices/mon-2/ecg');
    assert.deepEqual(
      (device.body['windows'] as Json[]).map((w) => [w['patientId'], w['heartRateBpm']]),
      [['p2', 50]],
    );
    const none = await api.get('/api/v1/devices/mon-9/ecg');
    assert.deepEqual(none.body['windows'], []);
    assert.equal(none.body['latest'], null);
  });

  it("sends each ECG window live as `event: ecg` to its patient's and its device's feeds only", async () => {
    const patientFeed = await api.follow('/api/v1/patients/p1/live');
    const deviceFeed = await api.follow('/api/v1/devices/mon-1/live');
    const otherFeed = await api.follow('/api/v1/patients/p2/live');
    api.live.publishEcg(window(T0 + 20_000, { heartRateBpm: 80 }));
    const served = (await api.get(`/api/v1/devices/mon-1/ecg?from=${T0}`)).body['windows'] as Json[];
    for (const feed of [patientFeed, deviceFeed]) {
      const text = await feed.until((t) => t.includes('event: ecg'));
      const [sent] = eventData(text, 'ecg');
      assert.equal(sent!['heartRateBpm'], 80);
      assert.equal(sent!['at'], new Date(T0 + 20_000).toISOString());
      assert.deepEqual(Object.keys(sent!), Object.keys(served[0]!), 'the same shape as GET …/ecg');
      await feed.close();
    }
    api.live.publishEcg(window(T0 + 25_000, { deviceId: deviceId('mon-2'), patientId: patientId('p2') }));
    const other = await otherFeed.until((t) => t.includes('event: ecg'));
    assert.deepEqual(
      eventData(other, 'ecg').map((e) => e['deviceId']),
      ['mon-2'],
    );
    await otherFeed.close();
  });

  it('answers bad parameters and unknown patients with problem documents', async () => {
    const bad = await api.get('/api/v1/patients/p1/ecg?limit=0&from=yesterday');
    assert.equal(bad.status, 400);
    assert.deepEqual(problemNames(bad), ['from', 'limit']);
    const unknown = await api.get('/api/v1/patients/nobody/ecg');
    assert.equal(unknown.status, 404);
  });
});
