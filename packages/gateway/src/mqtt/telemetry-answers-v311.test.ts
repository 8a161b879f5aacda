import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeIngestRecord } from '@wardstream/domain';
import { startGateway, TEST_NOW, type GatewayHarness } from '../testing/harness.js';
import { connectDevice, subscribeCodes, telemetry, type TestDevice } from '../testing/mqtt-test-client.js';
import { BAD_INPUTS } from '../testing/bad-inputs.js';

describe('telemetry answers over MQTT 3.1.1 (errors topic)', () => {
  let gw: GatewayHarness;
  let dev: TestDevice;
  before(async () => {
    gw = await startGateway();
    dev = await connectDevice(gw.url, 'mon-4', { protocolVersion: 4 });
  });
  after(async () => {
    await dev.end();
    await gw.close();
  });

  it('acknowledges a valid message once it is in the log, with no report', async () => {
    await dev.publish(telemetry(1));
    assert.equal(gw.log.entries().length, 1);
    assert.equal(dev.reports.length, 0);
    assert.equal(gw.metrics.protocolVersions.get(4), 1);
  });

  for (const bad of BAD_INPUTS) {
    it(`acknowledges a ${bad.name} (the only 3.1.1 answer) and reports "${bad.reason}" on the errors topic`, async () => {
      const reports = dev.reports.length;
      const entries = gw.log.entries().length;
      await dev.publish(bad.payload);
      // The report is written before the PUBACK on the same connection, so it is here already.
      assert.equal(dev.reports.length, reports + 1);
      const report = dev.reports.at(-1);
      assert.ok(report);
      assert.equal(report['reason'], bad.reason);
      assert.equal(typeof report['detail'], 'string');
      assert.equal(report['at'], TEST_NOW);
      assert.equal(gw.log.entries().length, entries);
      assert.equal(gw.metrics.rejections.get(bad.reason as never), 1);
    });
  }

  it('reports seq and boot of a rejected message that names them', async () => {
    await dev.publish(telemetry(77, { readings: [{ code: 'MDC_NOT_A_CODE', value: 1, unit: '%' }] }));
    assert.deepEqual([dev.reports.at(-1)?.['seq'], dev.reports.at(-1)?.['boot']], [77, 'b1']);
  });

  it('stores the valid readings of a message with a bad one and reports the refused item', async () => {
    const entries = gw.log.entries().length;
    await dev.publish(
      telemetry(2, {
        readings: [
          { code: 'MDC_NOT_A_CODE', value: 1, unit: '%' },
          { code: 'temp', value: 98.6, unit: '[degF]' },
        ],
      }),
    );
    const [entry] = gw.log.entries().slice(entries);
    assert.ok(entry);
    assert.deepEqual(
      decodeIngestRecord(entry.payload).readings.map((r) => [r.code, r.unit]),
      [['MDC_TEMP_BODY', 'Cel']],
    );
    const report = dev.reports.at(-1);
    assert.ok(report);
    assert.equal(report['reason'], 'items-refused');
    assert.deepEqual(
      (report['problems'] as { path: string; reason: string }[]).map((p) => [p.path, p.reason]),
      [['readings[0]', 'unknown-code']],
    );
  });

  it('acknowledges a re-send once stored, and reports a conflicting re-use of (boot, seq)', async () => {
    const entries = gw.log.entries().length;
    await dev.publish(telemetry(3));
    await dev.publish(telemetry(3));
    assert.equal(gw.log.entries().length, entries + 1);
    const reports = dev.reports.length;
    await dev.publish(telemetry(3, { readings: [{ code: 'heart_rate', value: 140, unit: '/min' }] }));
    assert.equal(dev.reports.length, reports + 1);
    assert.equal(dev.reports.at(-1)?.['reason'], 'conflict');
    assert.equal(gw.log.entries().length, entries + 1);
    assert.equal(gw.metrics.conflicts, 1);
  });

  it('acknowledges, and reports as key-retired, a (boot, seq) older than the log retention', async () => {
    gw.log.retireKeys();
    const entries = gw.log.entries().length;
    const reports = dev.reports.length;
    await dev.publish(telemetry(3, { readings: [{ code: 'heart_rate', value: 150, unit: '/min' }] }));
    assert.equal(dev.reports.length, reports + 1, 'reported before the PUBACK');
    const report = dev.reports.at(-1);
    assert.deepEqual([report?.['reason'], report?.['boot'], report?.['seq']], ['key-retired', 'b1', 3]);
    assert.match(String(report?.['detail']), /older than the log's retention.*must start a new boot id$/);
    assert.equal(gw.log.entries().length, entries);
    assert.equal(gw.metrics.rejections.get('key-retired'), 1);
  });

  it('refuses, and reports, a publish under another device id', async () => {
    const entries = gw.log.entries().length;
    await dev.publish(telemetry(60), { topic: 'wardstream/v1/devices/mon-5/telemetry' });
    assert.equal(gw.log.entries().length, entries);
    assert.equal(dev.reports.at(-1)?.['reason'], 'not-authorized');
    assert.equal(gw.metrics.refusals.get('not-authorized'), 1);
  });

  it('refuses, and reports, a publish to a topic that is not telemetry', async () => {
    await dev.publish(telemetry(61), { topic: 'hospital/ward-a' });
    assert.equal(dev.reports.at(-1)?.['reason'], 'topic-invalid');
  });

  it('ingests QoS 0 telemetry too (without the durability promise)', async () => {
    const entries = gw.log.entries().length;
    await dev.publish(telemetry(10, { boot: 'q0' }), { qos: 0 });
    await dev.publish(telemetry(11, { boot: 'q0' }));
    // The QoS 1 PUBACK is sent after the QoS 0 message before it was answered [MQTT-4.6.0-2 ordering].
    assert.equal(gw.log.entries().length, entries + 2);
  });

  it('grants its own errors topic only', async () => {
    const granted = await subscribeCodes(dev, ['wardstream/v1/devices/mon-5/errors', 'wardstream/#']);
    assert.deepEqual(granted, [0x80, 0x80]);
    assert.equal(gw.metrics.refusals.get('subscribe-refused'), 2);
  });
});
