import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeIngestRecord, deviceId, patientId } from '@wardstream/domain';
import { StaticBindingResolver } from '../binding-resolver.js';
import { startGateway, TEST_NOW, type GatewayHarness } from '../testing/harness.js';
import { connectDevice, subscribeCodes, telemetry, type TestDevice } from '../testing/mqtt-test-client.js';
import { ReasonCode } from './reason-codes.js';
import { BAD_INPUTS } from '../testing/bad-inputs.js';

describe('telemetry answers over MQTT 5', () => {
  let gw: GatewayHarness;
  let dev: TestDevice;
  before(async () => {
    gw = await startGateway();
    dev = await connectDevice(gw.url, 'mon-5');
  });
  after(async () => {
    await dev.end();
    await gw.close();
  });

  it('acknowledges a valid message with Success only after it is in the log', async () => {
    const ack = await dev.publish(telemetry(1));
    assert.deepEqual(ack, { reasonCode: 0, reasonString: undefined });
    const records = gw.log.entries().map((e) => decodeIngestRecord(e.payload));
    assert.deepEqual(
      records.map((r) => [r.deviceId, r.seq, r.readings.length]),
      [['mon-5', 1, 2]],
    );
    assert.equal(gw.metrics.protocolVersions.get(5), 1);
  });

  for (const bad of BAD_INPUTS) {
    it(`answers a ${bad.name} with 0x99 Payload format invalid and counts it`, async () => {
      const before = gw.metrics.rejections.get(bad.reason as never) ?? 0;
      const ack = await dev.publish(bad.payload);
      assert.equal(ack.reasonCode, ReasonCode.payloadFormatInvalid);
      assert.ok(ack.reasonString?.startsWith(`${bad.reason}:`), ack.reasonString);
      assert.equal(gw.metrics.rejections.get(bad.reason as never), before + 1);
      assert.equal(dev.reports.at(-1)?.['reason'], bad.reason);
    });
  }

  it('stores the valid readings of a message with a bad one and names the refused item', async () => {
    const entriesBefore = gw.log.entries().length;
    const ack = await dev.publish(
      telemetry(2, {
        readings: [
          { code: 'heart_rate', value: 72, unit: '/min' },
          { code: 'spo2', value: 97, unit: 'parsec' },
          { code: 'resp_rate', value: 14, unit: '/min' },
        ],
      }),
    );
    assert.equal(ack.reasonCode, ReasonCode.success);
    assert.match(ack.reasonString ?? '', /readings\[1\]: unknown-unit/);
    const [entry] = gw.log.entries().slice(entriesBefore);
    assert.ok(entry);
    assert.deepEqual(
      decodeIngestRecord(entry.payload).readings.map((r) => r.code),
      ['MDC_ECG_HEART_RATE', 'MDC_RESP_RATE'],
    );
    const report = dev.reports.at(-1);
    assert.ok(report);
    assert.equal(report['reason'], 'items-refused');
    assert.equal(report['seq'], 2);
    assert.deepEqual(
      (report['problems'] as { path: string }[]).map((p) => p.path),
      ['readings[1]'],
    );
  });

  it('acknowledges a re-send of the same (boot, seq) and stores it once', async () => {
    const before = gw.log.entries().length;
    assert.equal((await dev.publish(telemetry(3))).reasonCode, 0);
    assert.equal((await dev.publish(telemetry(3))).reasonCode, 0);
    assert.equal(gw.log.entries().length, before + 1);
    assert.equal(gw.metrics.duplicates, 1);
  });

  it('answers different content under a stored (boot, seq) with 0x83 and does not append it', async () => {
    const before = gw.log.entries().length;
    const ack = await dev.publish(telemetry(3, { readings: [{ code: 'heart_rate', value: 99, unit: '/min' }] }));
    assert.equal(ack.reasonCode, ReasonCode.implementationSpecificError);
    assert.match(ack.reasonString ?? '', /^conflict:/);
    assert.equal(gw.log.entries().length, before);
    assert.equal(gw.metrics.conflicts, 1);
  });

  it('answers a (boot, seq) older than the log retention with 0x83 key-retired and does not append it', async () => {
    gw.log.retireKeys();
    const before = gw.log.entries().length;
    const duplicates = gw.metrics.duplicates;
    const ack = await dev.publish(telemetry(1));
    assert.equal(ack.reasonCode, ReasonCode.implementationSpecificError);
    assert.match(ack.reasonString ?? '', /^key-retired: \(boot "b1", seq 1\) was used by a message older than/);
    assert.match(
      ack.reasonString ?? '',
      /it cannot be compared — if this is new data the device must start a new boot id$/,
    );
    assert.deepEqual(
      [dev.reports.at(-1)?.['reason'], dev.reports.at(-1)?.['boot'], dev.reports.at(-1)?.['seq']],
      ['key-retired', 'b1', 1],
    );
    assert.equal(gw.log.entries().length, before);
    assert.equal(gw.metrics.rejections.get('key-retired'), 1);
    assert.equal(gw.metrics.duplicates, duplicates);
    assert.equal((await dev.publish(telemetry(4))).reasonCode, ReasonCode.success, 'a fresh seq is stored');
    assert.equal(gw.log.entries().length, before + 1);
  });

  it('stores every message of a new boot that starts again at seq 1', async () => {
    const before = gw.log.entries().length;
    for (const seq of [1, 2, 3]) assert.equal((await dev.publish(telemetry(seq, { boot: 'b2' }))).reasonCode, 0);
    assert.equal(gw.log.entries().length, before + 3);
  });

  it('refuses a publish under another device id with 0x87 Not authorized', async () => {
    const before = gw.log.entries().length;
    const ack = await dev.publish(telemetry(50), { topic: 'wardstream/v1/devices/mon-6/telemetry' });
    assert.equal(ack.reasonCode, ReasonCode.notAuthorized);
    assert.equal(gw.log.entries().length, before);
    assert.equal(gw.metrics.refusals.get('not-authorized'), 1);
  });

  it('refuses a publish to another topic with 0x90 Topic Name invalid', async () => {
    const ack = await dev.publish(telemetry(51), { topic: 'wardstream/v1/devices/mon-5/alarms' });
    assert.equal(ack.reasonCode, ReasonCode.topicNameInvalid);
    assert.equal(gw.metrics.refusals.get('topic-invalid'), 1);
  });

  it('grants its own errors topic with QoS 0 and refuses every other filter with its reason', async () => {
    const codes = await subscribeCodes(dev, [
      'wardstream/v1/devices/mon-5/errors',
      'wardstream/v1/devices/mon-6/errors',
      'wardstream/v1/devices/+/errors',
      '$share/g/wardstream/v1/devices/mon-5/errors',
    ]);
    assert.deepEqual(codes, [
      0x00,
      ReasonCode.notAuthorized,
      ReasonCode.wildcardSubscriptionsNotSupported,
      ReasonCode.sharedSubscriptionsNotSupported,
    ]);
    assert.equal(gw.metrics.refusals.get('subscribe-refused'), 3);
  });
});

describe('device binding over MQTT', () => {
  it('keys the readings of a bound device by its patient, and of an unbound one by the device', async () => {
    const bindings = new StaticBindingResolver([
      { id: 'bd-1', deviceId: deviceId('mon-70'), patientId: patientId('pt-1'), fromAt: TEST_NOW - 60_000, toAt: null },
    ]);
    const gw = await startGateway({ bindings });
    const bound = await connectDevice(gw.url, 'mon-70', { subscribeErrors: false });
    const unbound = await connectDevice(gw.url, 'mon-71', { protocolVersion: 4, subscribeErrors: false });
    await bound.publish(telemetry(1));
    await unbound.publish(telemetry(1));
    assert.deepEqual(gw.log.appendedKeys, ['pt-1', 'mon-71']);
    assert.deepEqual(
      gw.log
        .entries()
        .map((e) => decodeIngestRecord(e.payload).patientId)
        .sort(),
      ['pt-1', null].sort(),
    );
    await Promise.all([bound.end(), unbound.end()]);
    await gw.close();
  });
});
