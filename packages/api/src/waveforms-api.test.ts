import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Catalogue,
  deviceId,
  ManualClock,
  patientId,
  wardId,
  type IngestRecord,
  type NormalizedWaveform,
} from '@wardstream/domain';
import { SqliteRegistry } from '@wardstream/registry';
import { SqliteReadingStore } from '@wardstream/store';
import type { Hono } from 'hono';
import { createApi } from './app.js';
import { LiveHub } from './live-hub.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { testSecurity } from './testing/auth.js';
import { eventData, LiveReader, type Json } from './testing/clinical-api.js';

const T0 = 1_764_000_000_000;
const ECG = 'MDC_ECG_ELEC_POTL_II';
const PLETH = 'MDC_PULS_OXIM_PLETH';
const FS = 250;

/** One second of 250 Hz ECG: baseline 0.02 mV with an R peak of `peak` at sample 100 and an S dip at 104. */
function ecgSecond(peak: number): number[] {
  return Array.from({ length: FS }, (_, k) => (k === 100 ? peak : k === 104 ? -0.4 : 0.02));
}

function wave(code: string, startAt: number, samples: number[]): NormalizedWaveform {
  return { code, unit: code === ECG ? 'mV' : '1', fsHz: FS, startAt, samples, quality: 0 };
}

/** A 1 s message of monitor `device` for patient `patient` starting at T0 + second s. */
function message(seq: number, patient: string | null, device: string, waveforms: NormalizedWaveform[]): IngestRecord {
  const at = T0 + (seq - 1) * 1_000;
  return {
    deviceId: deviceId(device),
    patientId: patient === null ? null : patientId(patient),
    boot: 'b1',
    seq,
    observedAt: at,
    receivedAt: at + 20,
    readings: [{ code: 'MDC_ECG_HEART_RATE', value: 70 + seq, unit: '/min', quality: 0 }],
    waveforms,
  };
}

describe('waveforms over HTTP: min/max overview and live segments', () => {
  let dir: string;
  let registry: SqliteRegistry;
  let store: SqliteReadingStore;
  let app: Hono;
  const live = new LiveHub();
  const peaks = [1.1, 1.6, 0.9, 1.3, 1.2, 1.0, 1.5, 0.8, 1.4, 1.7];

  const clock = new ManualClock(T0 + 60_000);
  const { security, issuer } = testSecurity(clock);
  const service = () => issuer.auth({ sub: 'research-export', roles: ['service'] });

  const get = async (path: string) => {
    const res = await app.request(path, { headers: service() });
    return { status: res.status, body: (await res.json()) as Json };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-api-waveforms-'));
    registry = await SqliteRegistry.open({ path: join(dir, 'registry.db') });
    store = await SqliteReadingStore.open({ path: join(dir, 'store.db') });
    app = createApi({
      registry,
      store,
      catalogue: new Catalogue(),
      clock,
      live,
      health: () => ({ components: {} }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      livePingMs: 50,
      security,
    });
    await registry.putPatient({ id: patientId('p-1'), wardId: wardId('w-1') }, T0);
    // Ten seconds of ECG and pleth; second 6 (seq 7) is missing: a gap.
    const records = peaks.flatMap((peak, i) =>
      i === 6
        ? []
        : [
            message(i + 1, 'p-1', 'mon-1', [
              wave(ECG, T0 + i * 1_000, ecgSecond(peak)),
              wave(
                PLETH,
                T0 + i * 1_000,
                Array.from({ length: FS }, (_, k) => k / FS),
              ),
            ]),
          ],
    );
    await store.write(records, { offsets: { 0: records.length }, state: null });
  });

  after(async () => {
    await store.close();
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves every sample by default, one segment per message and code', async () => {
    const raw = await get(`/api/v1/patients/p-1/waveforms?code=ecg_ii&from=${T0}&to=${T0 + 10_000}`);
    assert.equal(raw.status, 200);
    const segments = raw.body['waveforms'] as Json[];
    assert.equal(segments.length, 9);
    assert.deepEqual(Object.keys(segments[0]!), [
      'deviceId',
      'patientId',
      'code',
      'unit',
      'fsHz',
      'startAt',
      'samples',
      'boot',
      'seq',
      'quality',
      'start',
    ]);
    const second = segments[1]!;
    assert.deepEqual(second['samples'], ecgSecond(peaks[1]!));
    assert.equal(second['start'], new Date(T0 + 1_000).toISOString());
  });

  it('with points=N serves a min/max envelope per code that keeps every R peak and leaves the gap out', async () => {
    const res = await get(`/api/v1/patients/p-1/waveforms?from=${T0}&to=${T0 + 10_000}&points=10`);
    assert.equal(res.status, 200);
    assert.deepEqual(
      [res.body['from'], res.body['to'], res.body['points'], res.body['bucketMs']],
      [new Date(T0).toISOString(), new Date(T0 + 10_000).toISOString(), 10, 1_000],
    );
    const envelopes = res.body['envelopes'] as Json[];
    assert.deepEqual(
      envelopes.map((e) => [e['code'], e['unit']]),
      [
        [ECG, 'mV'],
        [PLETH, '1'],
      ],
    );
    const ecg = envelopes[0]!['buckets'] as Json[];
    assert.deepEqual(ecg[0], { startAt: T0, start: new Date(T0).toISOString(), min: -0.4, max: 1.1, count: 250 });
    assert.deepEqual(
      ecg.map((b) => b['max']),
      peaks.filter((_, i) => i !== 6),
    );
    assert.ok(!ecg.some((b) => b['startAt'] === T0 + 6_000), 'the bucket of the missing second is left out');
    const fine = await get(`/api/v1/devices/mon-1/waveforms?code=pleth&from=${T0}&to=${T0 + 1_000}&points=20`);
    const pleth = (fine.body['envelopes'] as Json[])[0]!['buckets'] as Json[];
    assert.equal(pleth.length, 20);
    assert.deepEqual(pleth[19], {
      startAt: T0 + 950,
      start: new Date(T0 + 950).toISOString(),
      min: 238 / FS,
      max: 249 / FS,
      count: 12,
    });
  });

  it('answers a bad points or too long a window with a problem naming the parameter', async () => {
    for (const bad of ['5', '20001', 'many', '12.5', '']) {
      const res = await get(`/api/v1/patients/p-1/waveforms?from=${T0}&to=${T0 + 10_000}&points=${bad}`);
      assert.equal(res.status, 400, `points=${bad}`);
      assert.equal(res.body['type'], 'urn:wardstream:problem:invalid-parameter');
      assert.deepEqual(
        (res.body['errors'] as Json[]).map((e) => e['name']),
        ['points'],
      );
      assert.match(String(res.body['detail']), /points: must be an integer from 10 to 20000/);
    }
    const long = await get(`/api/v1/patients/p-1/waveforms?from=${T0}&to=${T0 + 3_600_001}&points=100`);
    assert.equal(long.status, 400);
    assert.deepEqual(
      (long.body['errors'] as Json[]).map((e) => e['name']),
      ['from'],
    );
  });

  it('streams waveform segments on patient and device feeds by default, on ward feeds only when asked', async () => {
    const patient = await LiveReader.follow(app, '/api/v1/patients/p-1/live', service());
    const device = await LiveReader.follow(app, '/api/v1/devices/mon-1/live?waveforms=false', service());
    const ward = await LiveReader.follow(app, '/api/v1/wards/w-1/live', service());
    const wardWaves = await LiveReader.follow(app, '/api/v1/wards/w-1/live?waveforms=true', service());
    const segment = wave(ECG, T0 + 20_000, ecgSecond(1.2));
    live.publish([message(21, 'p-1', 'mon-1', [segment])]);
    // A second batch without waveforms: once a feed has it, it has everything published before it.
    live.publish([message(22, 'p-1', 'mon-1', [])]);
    const done = (t: string) => t.includes('"seq":22');
    const texts = await Promise.all([patient, device, ward, wardWaves].map((r) => r.until(done)));
    await Promise.all([patient, device, ward, wardWaves].map((r) => r.close()));
    const [patientText, deviceText, wardText, wardWavesText] = texts as [string, string, string, string];
    const [event] = eventData(patientText, 'waveform');
    assert.deepEqual(event, {
      deviceId: 'mon-1',
      patientId: 'p-1',
      code: ECG,
      unit: 'mV',
      fsHz: FS,
      startAt: T0 + 20_000,
      samples: segment.samples,
      boot: 'b1',
      seq: 21,
      quality: 0,
      start: new Date(T0 + 20_000).toISOString(),
    });
    assert.equal(eventData(wardWavesText, 'waveform').length, 1);
    assert.equal(eventData(deviceText, 'waveform').length, 0);
    assert.equal(eventData(wardText, 'waveform').length, 0);
    assert.equal(eventData(wardText, 'readings').length, 2);
  });

  it('answers a bad waveforms option with a problem naming it', async () => {
    const res = await get('/api/v1/patients/p-1/live?waveforms=yes');
    assert.equal(res.status, 400);
    assert.deepEqual(
      (res.body['errors'] as Json[]).map((e) => e['name']),
      ['waveforms'],
    );
  });

  it('documents points and waveforms in the OpenAPI document', () => {
    const paths = OPENAPI_DOCUMENT.paths as Record<string, { get?: { parameters?: readonly { name: string }[] } }>;
    const names = (path: string) => (paths[path]?.get?.parameters ?? []).map((p) => p.name);
    assert.ok(names('/api/v1/patients/{patientId}/waveforms').includes('points'));
    assert.ok(names('/api/v1/devices/{deviceId}/waveforms').includes('points'));
    for (const path of [
      '/api/v1/patients/{patientId}/live',
      '/api/v1/devices/{deviceId}/live',
      '/api/v1/wards/{wardId}/live',
    ]) {
      assert.ok(names(path).includes('waveforms'), path);
    }
  });
});
