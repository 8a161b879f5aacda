import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Catalogue, deviceId, ManualClock, patientId, QualityFlag, type IngestRecord } from '@wardstream/domain';
import { SqliteRegistry } from '@wardstream/registry';
import { SqliteReadingStore } from '@wardstream/store';
import type { Hono } from 'hono';
import { createApi } from './app.js';
import type { ComponentStatus } from './deps.js';
import { LiveHub } from './live-hub.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { testSecurity } from './testing/auth.js';

const T0 = 1_764_000_000_000;

function record(seq: number, patient: string | null, device = 'mon-1', observedAt = T0 + seq * 1000): IngestRecord {
  return {
    deviceId: deviceId(device),
    patientId: patient === null ? null : patientId(patient),
    boot: 'b1',
    seq,
    observedAt,
    receivedAt: observedAt + 50,
    readings: [
      { code: 'MDC_ECG_HEART_RATE', value: 60 + seq, unit: '/min', quality: 0 },
      { code: 'MDC_PULS_OXIM_SAT_O2', value: 97, unit: '%', quality: seq === 3 ? QualityFlag.late : 0 },
    ],
    waveforms: [],
  };
}

interface Json {
  [key: string]: unknown;
}

describe('HTTP API', () => {
  let dir: string;
  let registry: SqliteRegistry;
  let store: SqliteReadingStore;
  let app: Hono;
  const live = new LiveHub();
  const clock = new ManualClock(T0 + 60_000);
  let logHealth: ComponentStatus = { status: 'ok' };
  // An integration (ADT feed, metrics scraper): the service role reads every ward and admits.
  const { security, issuer } = testSecurity(clock);
  const service = () => issuer.auth({ sub: 'adt-feed', roles: ['service'] });

  const get = async (path: string) => {
    const res = await app.request(path, { headers: service() });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Json };
  };
  const post = async (path: string, body: unknown) => {
    const res = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...service() },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Json };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-api-'));
    registry = await SqliteRegistry.open({ path: join(dir, 'registry.db') });
    store = await SqliteReadingStore.open({ path: join(dir, 'store.db') });
    app = createApi({
      registry,
      store,
      catalogue: new Catalogue(),
      clock,
      live,
      health: () => ({ components: { log: logHealth } }),
      metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', body: 'wardstream_up 1\n' }),
      livePingMs: 50,
      security,
    });
    await store.write([record(1, 'p-1'), record(2, 'p-1'), record(3, 'p-1'), record(4, null, 'loose-1')], {
      offsets: { 0: 4 },
      state: null,
    });
  });

  after(async () => {
    await store.close();
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers patients and devices and admits, refusing an overlapping admission with 409', async () => {
    assert.equal((await post('/api/v1/patients', { id: 'p-1', displayName: 'Ada', wardId: 'w-4' })).status, 201);
    assert.equal((await post('/api/v1/patients', { id: 'p-1', displayName: 'Ada L.' })).status, 200);
    assert.equal((await post('/api/v1/devices', { id: 'mon-1', model: 'M1' })).status, 201);
    const admitted = await post('/api/v1/bindings', { deviceId: 'mon-1', patientId: 'p-1', from: T0 });
    assert.equal(admitted.status, 201);
    assert.equal(admitted.body['from'], new Date(T0).toISOString());
    const again = await post('/api/v1/bindings', { deviceId: 'mon-1', patientId: 'p-1', from: T0 + 5 });
    assert.equal(again.status, 409);
    assert.equal(again.type, 'application/problem+json');
    assert.equal(again.body['type'], 'urn:wardstream:problem:conflict');
    const patient = await get('/api/v1/patients/p-1');
    assert.deepEqual(patient.body['devices'], ['mon-1']);
    assert.equal(patient.body['displayName'], 'Ada L.');
  });

  it('transfers a device at the instant given, as epoch ms or ISO-8601', async () => {
    await post('/api/v1/patients', { id: 'p-2', wardId: 'w-7' });
    await post('/api/v1/patients', { id: 'p-3', wardId: 'w-7' });
    await post('/api/v1/devices', { id: 'mon-9' });
    assert.equal((await post('/api/v1/bindings', { deviceId: 'mon-9', patientId: 'p-2', from: T0 })).status, 201);
    const moved = await post('/api/v1/devices/mon-9/transfer', { patientId: 'p-3', at: T0 + 1_000 });
    assert.equal(moved.status, 201);
    assert.equal(moved.body['from'], new Date(T0 + 1_000).toISOString());
    const again = await post('/api/v1/devices/mon-9/transfer', {
      patientId: 'p-2',
      at: new Date(T0 + 2_000).toISOString(),
    });
    assert.equal(again.body['from'], new Date(T0 + 2_000).toISOString());
    const bad = await post('/api/v1/devices/mon-9/transfer', { patientId: 'p-3', at: 'soon' });
    assert.equal(bad.status, 400);
    const history = await get('/api/v1/bindings?deviceId=mon-9');
    assert.deepEqual(
      (history.body['bindings'] as Json[]).map((b) => [b['patientId'], b['from'], b['to']]),
      [
        ['p-2', new Date(T0).toISOString(), new Date(T0 + 1_000).toISOString()],
        ['p-3', new Date(T0 + 1_000).toISOString(), new Date(T0 + 2_000).toISOString()],
        ['p-2', new Date(T0 + 2_000).toISOString(), null],
      ],
    );
  });

  it('answers bad input with a problem document naming every bad parameter', async () => {
    const res = await get('/api/v1/patients/p-1/readings?from=yesterday&limit=0&code=nope');
    assert.equal(res.status, 400);
    assert.equal(res.type, 'application/problem+json');
    assert.equal(res.body['type'], 'urn:wardstream:problem:invalid-parameter');
    assert.deepEqual((res.body['errors'] as { name: string }[]).map((e) => e.name).sort(), ['code', 'from', 'limit']);
    const body = await post('/api/v1/patients', '{not json');
    assert.equal(body.status, 400);
    const invalid = await post('/api/v1/patients', { id: 'has space' });
    assert.equal(invalid.status, 422);
    assert.equal((await get('/api/v1/patients/ghost/readings')).status, 404);
    assert.equal((await get('/api/v1/nowhere')).status, 404);
  });

  it("serves a patient's readings by range, code alias and page, with quality flags", async () => {
    const page1 = await get(`/api/v1/patients/p-1/readings?from=${T0}&to=${T0 + 10_000}&code=spo2&limit=2`);
    assert.equal(page1.status, 200);
    const readings = page1.body['readings'] as Json[];
    assert.deepEqual(
      readings.map((r) => r['seq']),
      [1, 2],
    );
    const first = readings[0]!;
    assert.equal(first['unit'], '%');
    assert.equal(first['observedAt'], new Date(T0 + 1000).toISOString());
    assert.equal(typeof page1.body['next'], 'string');
    const page2 = await get(
      `/api/v1/patients/p-1/readings?from=${T0}&to=${T0 + 10_000}&code=spo2&limit=2&cursor=${encodeURIComponent(String(page1.body['next']))}`,
    );
    const rest = page2.body['readings'] as Json[];
    assert.deepEqual(
      rest.map((r) => [r['seq'], r['quality']]),
      [[3, ['late']]],
    );
    assert.equal(page2.body['next'], undefined);
    const forged = await get(`/api/v1/patients/p-1/readings?from=${T0}&to=${T0 + 10_000}&cursor=not-a-cursor`);
    assert.equal(forged.status, 400);
    assert.deepEqual(
      (forged.body['errors'] as { name: string }[]).map((e) => e.name),
      ['cursor'],
    );
  });

  it('serves latest values, aggregates and the unassigned devices', async () => {
    const latest = await get('/api/v1/patients/p-1/readings/latest');
    const hr = (latest.body['readings'] as Json[]).find((r) => r['code'] === 'MDC_ECG_HEART_RATE');
    assert.equal(hr?.['value'], 63);
    const agg = await get(
      `/api/v1/patients/p-1/readings/aggregates?code=heart_rate&bucket=1m&from=${T0}&to=${T0 + 60_000}`,
    );
    assert.equal(agg.status, 200);
    assert.deepEqual(agg.body['buckets'], [
      { startAt: T0, count: 3, excluded: 0, min: 61, max: 63, mean: 62, start: new Date(T0).toISOString() },
    ]);
    const unassigned = await get('/api/v1/devices/unassigned');
    assert.deepEqual(
      (unassigned.body['devices'] as Json[]).map((d) => d['deviceId']),
      ['loose-1'],
    );
    const loose = await get(`/api/v1/devices/loose-1/readings?from=${T0}&to=${T0 + 60_000}`);
    assert.equal((loose.body['readings'] as Json[]).length, 2);
  });

  it("serves a ward's latest view", async () => {
    const ward = await get('/api/v1/wards/w-4/latest');
    const patients = ward.body['patients'] as Json[];
    assert.equal(patients.length, 1);
    assert.equal((patients[0]?.['readings'] as Json[]).length, 2);
  });

  it('reports readiness per component and serves metrics', async () => {
    assert.equal((await get('/readyz')).status, 200);
    logHealth = { status: 'down', detail: 'telemetry log unavailable: ENOSPC' };
    const down = await get('/readyz');
    assert.equal(down.status, 503);
    assert.match(String(down.body['detail']), /ENOSPC/);
    logHealth = { status: 'ok' };
    const metrics = await app.request('/metrics', { headers: service() });
    assert.equal(await metrics.text(), 'wardstream_up 1\n');
  });

  it('streams live readings of a patient as server-sent events', async () => {
    const res = await app.request('/api/v1/patients/p-1/live', { headers: service() });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body?.getReader();
    assert.ok(reader);
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: ready'))
      text += decoder.decode((await reader.read()).value as Uint8Array | undefined);
    live.publish([record(9, 'p-2'), record(10, 'p-1')]);
    while (!text.includes('event: readings'))
      text += decoder.decode((await reader.read()).value as Uint8Array | undefined);
    const data = text.slice(text.indexOf('event: readings')).split('\n')[1] ?? '';
    const readings = JSON.parse(data.replace(/^data: /, '')) as Json[];
    assert.deepEqual(
      readings.map((r) => [r['patientId'], r['seq']]),
      [
        ['p-1', 10],
        ['p-1', 10],
      ],
    );
    await reader.cancel();
  });

  it("streams live readings of a ward's patients only", async () => {
    const res = await app.request('/api/v1/wards/w-4/live', { headers: service() });
    const reader = res.body?.getReader();
    assert.ok(reader);
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: ready'))
      text += decoder.decode((await reader.read()).value as Uint8Array | undefined);
    live.publish([record(20, 'p-3'), record(21, 'p-1'), record(22, null, 'loose-1')]);
    while (!text.includes('event: readings'))
      text += decoder.decode((await reader.read()).value as Uint8Array | undefined);
    const data = text.slice(text.indexOf('event: readings')).split('\n')[1] ?? '';
    const readings = JSON.parse(data.replace(/^data: /, '')) as Json[];
    assert.deepEqual([...new Set(readings.map((r) => `${String(r['patientId'])}/${String(r['seq'])}`))], ['p-1/21']);
    await reader.cancel();
  });

  it('describes every mounted route in the OpenAPI document; without the clinical service its routes are 404', async () => {
    const served = await get('/api/v1/openapi.json');
    assert.equal(served.body['openapi'], '3.1.0');
    const mounted = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    assert.deepEqual(
      [...mounted].filter((route) => !documented.has(route)),
      [],
    );
    assert.ok(documented.has('get /api/v1/alarms') && !mounted.has('get /api/v1/alarms'));
    const alarms = await get('/api/v1/alarms');
    assert.equal(alarms.status, 404);
    assert.equal(alarms.type, 'application/problem+json');
  });
});
