import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeIngestRecord, deviceId, patientId, type DeviceId } from '@wardstream/domain';
import { StaticBindingResolver, type BindingResolver } from './binding-resolver.js';
import { CountingGatewayMetrics } from './counting-gateway-metrics.js';
import type { IngestAnswer, IngestSink } from './ingest-answer.js';
import { IngestPipeline, type IngestRefusal } from './ingest-pipeline.js';
import { TEST_NOW } from './testing/harness.js';
import { MemoryTelemetryLog } from './testing/memory-telemetry-log.js';
import { telemetry } from './testing/mqtt-test-client.js';

const MON = deviceId('mon-1');

function setup(bindings: BindingResolver = new StaticBindingResolver()) {
  const log = new MemoryTelemetryLog();
  const metrics = new CountingGatewayMetrics();
  const pipeline = new IngestPipeline({ log, bindings, metrics });
  const ingest = (body: unknown, device: DeviceId = MON) =>
    pipeline.ingest(device, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), TEST_NOW);
  return { log, metrics, pipeline, ingest };
}

function rejectedWith(answer: IngestAnswer, reason: string): void {
  assert.equal(answer.kind, 'rejected', JSON.stringify(answer));
  assert.equal(answer.reason, reason, answer.detail);
}

describe('IngestPipeline', () => {
  it('appends every message submitted in one tick with a single append call', async () => {
    const { log, pipeline } = setup();
    const answers: [number, IngestAnswer][] = [];
    const sink: IngestSink = { deliver: (token, answer) => answers.push([token, answer]) };
    for (let seq = 1; seq <= 5; seq++) {
      pipeline.submit(MON, Buffer.from(JSON.stringify(telemetry(seq))), TEST_NOW, sink, seq);
    }
    pipeline.submit(deviceId('mon-2'), Buffer.from(JSON.stringify(telemetry(1))), TEST_NOW, sink, 6);
    assert.equal(answers.length, 0, 'nothing is answered before the append');
    await pipeline.idle();
    assert.equal(log.appendCalls, 1);
    assert.deepEqual(
      answers.map(([token, a]) => [token, a.kind]),
      [1, 2, 3, 4, 5, 6].map((t) => [t, 'stored']),
    );
    assert.equal(log.entries().length, 6);
  });

  it('answers each bad-input class with its reason and counts it', async () => {
    const { ingest, metrics, log } = setup();
    rejectedWith(await ingest(telemetry(1, { readings: 'many' })), 'schema');
    rejectedWith(await ingest(telemetry(2, { readings: [{ code: 'MDC_NOPE', value: 1, unit: '%' }] })), 'unknown-code');
    rejectedWith(
      await ingest(telemetry(3, { readings: [{ code: 'spo2', value: 97, unit: 'furlong' }] })),
      'unknown-unit',
    );
    rejectedWith(await ingest(telemetry(4, { pad: 'x'.repeat(70 * 1024) })), 'payload-too-large');
    rejectedWith(await ingest({ boot: 'b1', ts: TEST_NOW, readings: [] }), 'missing-seq');
    rejectedWith(await ingest('{"seq": 1,'), 'malformed-json');
    assert.deepEqual(Object.fromEntries(metrics.rejections), {
      schema: 1,
      'unknown-code': 1,
      'unknown-unit': 1,
      'payload-too-large': 1,
      'missing-seq': 1,
      'malformed-json': 1,
    });
    assert.equal(log.appendCalls, 0);
  });

  it('names seq and boot of a rejected message when the payload has them', async () => {
    const { ingest } = setup();
    const answer = await ingest(telemetry(7, { readings: [{ code: 'MDC_NOPE', value: 1, unit: '%' }] }));
    assert.equal(answer.kind, 'rejected');
    assert.deepEqual([answer.seq, answer.boot], [7, 'b1']);
  });

  it('stores the valid readings of a message with a bad one, and says which item was refused', async () => {
    const { ingest, log, metrics } = setup();
    const answer = await ingest(
      telemetry(1, {
        readings: [
          { code: 'heart_rate', value: 72, unit: '/min' },
          { code: 'MDC_NOPE', value: 1, unit: '%' },
          { code: 'spo2', value: 97, unit: '%' },
        ],
      }),
    );
    assert.equal(answer.kind, 'stored');
    assert.deepEqual(
      answer.problems.map((p) => [p.path, p.reason]),
      [['readings[1]', 'unknown-code']],
    );
    const [entry] = log.entries();
    assert.ok(entry);
    const record = decodeIngestRecord(entry.payload);
    assert.deepEqual(
      record.readings.map((r) => r.code),
      ['MDC_ECG_HEART_RATE', 'MDC_PULS_OXIM_SAT_O2'],
    );
    assert.equal(metrics.readingsAccepted, 2);
    assert.equal(metrics.itemRejections.get('unknown-code'), 1);
  });

  it('acknowledges a re-send of the same (boot, seq) and appends it once', async () => {
    const { ingest, log, metrics } = setup();
    assert.equal((await ingest(telemetry(1))).kind, 'stored');
    assert.equal((await ingest(telemetry(1))).kind, 'duplicate');
    assert.equal(log.entries().length, 1);
    assert.equal(metrics.duplicates, 1);
  });

  it('refuses different content under the same (boot, seq) as a conflict', async () => {
    const { ingest, log, metrics } = setup();
    await ingest(telemetry(1));
    const answer = await ingest(telemetry(1, { readings: [{ code: 'heart_rate', value: 80, unit: '/min' }] }));
    rejectedWith(answer, 'conflict');
    assert.equal(log.entries().length, 1);
    assert.equal(metrics.conflicts, 1);
  });

  it('refuses a (boot, seq) whose message the log no longer retains, whatever its content', async () => {
    const { ingest, log, metrics } = setup();
    for (const seq of [1, 2]) await ingest(telemetry(seq));
    log.retireKeys();
    const same = await ingest(telemetry(1));
    rejectedWith(same, 'key-retired');
    assert.ok(same.kind === 'rejected');
    assert.deepEqual([same.boot, same.seq], ['b1', 1]);
    assert.match(same.detail, /^\(boot "b1", seq 1\) was used by a message older than the log's retention/);
    assert.match(same.detail, /must start a new boot id$/);
    rejectedWith(
      await ingest(telemetry(2, { readings: [{ code: 'heart_rate', value: 80, unit: '/min' }] })),
      'key-retired',
    );
    assert.equal((await ingest(telemetry(3))).kind, 'stored');
    assert.equal(log.entries().length, 3);
    assert.equal(metrics.rejections.get('key-retired'), 2);
    assert.equal(metrics.duplicates + metrics.conflicts, 0, 'neither a duplicate nor a conflict');
  });

  it('appends a new boot whose seq starts again at 1', async () => {
    const { ingest, log } = setup();
    for (const seq of [1, 2, 3]) await ingest(telemetry(seq));
    for (const seq of [1, 2]) assert.equal((await ingest(telemetry(seq, { boot: 'b2' }))).kind, 'stored');
    assert.equal(log.entries().length, 5);
  });

  it('keys a bound device by its patient at event time and an unbound one by the device', async () => {
    const bindings = new StaticBindingResolver([
      {
        id: 'bd-1',
        deviceId: MON,
        patientId: patientId('pt-9'),
        fromAt: TEST_NOW - 1_000,
        toAt: null,
      },
    ]);
    const { ingest, log } = setup(bindings);
    await ingest(telemetry(1));
    await ingest(telemetry(2, { ts: TEST_NOW - 5_000 }));
    await ingest(telemetry(1), deviceId('mon-2'));
    assert.deepEqual(log.appendedKeys, ['pt-9', 'mon-1', 'mon-2']);
    const patients = log.entries().map((e) => decodeIngestRecord(e.payload).patientId);
    assert.deepEqual(patients.sort(), ['pt-9', null, null].sort());
  });

  it('places a clock-skewed message by its receipt time, not by the device clock', async () => {
    // Bound to pt-1 until an hour ago, then transferred to pt-2.
    const bindings = new StaticBindingResolver([
      { id: 'bd-1', deviceId: MON, patientId: patientId('pt-1'), fromAt: 0, toAt: TEST_NOW - 3_600_000 },
      { id: 'bd-2', deviceId: MON, patientId: patientId('pt-2'), fromAt: TEST_NOW - 3_600_000, toAt: null },
    ]);
    const { ingest, log } = setup(bindings);
    await ingest(telemetry(1, { ts: TEST_NOW - 86_400_000 })); // clock a day behind: skewed
    await ingest(telemetry(2, { ts: 0 })); // clock at 1970: skewed
    await ingest(telemetry(3, { ts: TEST_NOW - 30_000 })); // within tolerance: its own event time
    assert.deepEqual(log.appendedKeys, ['pt-2', 'pt-2', 'pt-2']);
  });

  it('answers unavailable, naming the cause, when the log cannot append', async () => {
    const { ingest, log, metrics } = setup();
    log.failWith('disk full', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    const answer = await ingest(telemetry(1));
    assert.equal(answer.kind, 'unavailable');
    assert.match(answer.detail, /telemetry log unavailable: disk full \(ENOSPC\)/);
    assert.equal(metrics.unavailable, 1);
    log.recover();
    assert.equal((await ingest(telemetry(1))).kind, 'stored');
  });

  it('tells onRefused of each refused message and item, and of nothing stored, duplicate or unavailable', async () => {
    const log = new MemoryTelemetryLog();
    const heard: [string, IngestRefusal][] = [];
    const pipeline = new IngestPipeline({
      log,
      bindings: new StaticBindingResolver(),
      metrics: new CountingGatewayMetrics(),
      onRefused: (device, refusal) => heard.push([device, refusal]),
    });
    const ingest = (body: unknown, device: DeviceId = MON) =>
      pipeline.ingest(device, Buffer.from(JSON.stringify(body)), TEST_NOW);
    assert.equal((await ingest(telemetry(1))).kind, 'stored');
    assert.equal((await ingest(telemetry(1))).kind, 'duplicate');
    rejectedWith(await ingest({ boot: 'b1', ts: TEST_NOW }), 'missing-seq');
    const partly = await ingest(
      telemetry(2, {
        readings: [
          { code: 'heart_rate', value: 72, unit: '/min' },
          { code: 'MDC_NOPE', value: 1, unit: '%' },
        ],
        status: { battery: 2 },
      }),
      deviceId('mon-2'),
    );
    assert.equal(partly.kind, 'stored');
    rejectedWith(await ingest(telemetry(1, { readings: [{ code: 'spo2', value: 90, unit: '%' }] })), 'conflict');
    log.failWith('disk full', new Error('ENOSPC'));
    assert.equal((await ingest(telemetry(3))).kind, 'unavailable');
    assert.deepEqual(heard, [
      ['mon-1', { what: 'message', reason: 'missing-seq' }],
      ['mon-2', { what: 'item', reason: 'unknown-code' }],
      ['mon-2', { what: 'item', reason: 'schema' }],
      ['mon-1', { what: 'message', reason: 'conflict' }],
    ]);
  });

  it('answers as usual when onRefused throws, and reports the throw as an internal error', async () => {
    const internal: unknown[] = [];
    const pipeline = new IngestPipeline({
      log: new MemoryTelemetryLog(),
      bindings: new StaticBindingResolver(),
      metrics: new CountingGatewayMetrics(),
      onInternalError: (e) => internal.push(e),
      onRefused: () => {
        throw new Error('observer bug');
      },
    });
    const answer = await pipeline.ingest(MON, Buffer.from('{"seq": 1,'), TEST_NOW);
    rejectedWith(answer, 'malformed-json');
    assert.equal(internal.length, 1);
    assert.match(String(internal[0]), /observer bug/);
  });

  it('answers unavailable when the binding lookup throws, never keying the message wrongly', async () => {
    const { ingest, log } = setup({
      patientAt: () => {
        throw new Error('registry cache not loaded');
      },
    });
    const answer = await ingest(telemetry(1));
    assert.equal(answer.kind, 'unavailable');
    assert.equal(log.entries().length, 0);
  });
});
