import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type IClientOptions } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { startGateway, type GatewayHarness } from '../testing/harness.js';
import { connectDevice, telemetry } from '../testing/mqtt-test-client.js';
import { RawMqttClient } from '../testing/raw-mqtt.js';
import { waitFor } from '../testing/wait.js';
import { ReasonCode } from './reason-codes.js';

/** Connects with MQTT.js and resolves with the CONNACK packet. */
function connack(url: string, options: IClientOptions): Promise<{ packet: Packet; end: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const client = connect(url, { reconnectPeriod: 0, ...options });
    client.once('connect', (packet) => {
      resolve({ packet, end: () => client.endAsync() });
    });
    client.once('error', reject);
  });
}

describe('connection lifecycle', () => {
  let gw: GatewayHarness;
  before(async () => {
    gw = await startGateway({ maxKeepAliveSec: 120, maxPacketBytes: 65_536, receiveMaximum: 50, sweepIntervalMs: 10 });
  });
  after(() => gw.close());

  it('v5 CONNACK advertises the limits and that no session is kept', async () => {
    const { packet, end } = await connack(gw.url, {
      clientId: 'mon-60',
      protocolVersion: 5,
      clean: false,
      keepalive: 0,
      properties: { sessionExpiryInterval: 3600 },
    });
    assert.equal(packet.cmd, 'connack');
    {
      assert.equal(packet.sessionPresent, false);
      assert.deepEqual(packet.properties, {
        receiveMaximum: 50,
        maximumQoS: 1,
        retainAvailable: false,
        maximumPacketSize: 65_536,
        topicAliasMaximum: 0,
        wildcardSubscriptionAvailable: false,
        subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: false,
        serverKeepAlive: 120,
        sessionExpiryInterval: 0,
      });
    }
    await end();
  });

  it('3.1.1 CONNACK never reports a present session', async () => {
    const { packet, end } = await connack(gw.url, { clientId: 'mon-61', protocolVersion: 4, clean: false });
    assert.equal(packet.cmd === 'connack' && packet.sessionPresent, false);
    await end();
  });

  it('closes a client silent for 1.5 x its keep-alive: v5 DISCONNECT 0x8D, 3.1.1 close [MQTT-3.1.2-24]', async () => {
    const v5 = await connectDevice(gw.url, 'mon-62', { keepalive: 10, subscribeErrors: false });
    const v4 = await connectDevice(gw.url, 'mon-63', { keepalive: 10, protocolVersion: 4, subscribeErrors: false });
    let closed = 0;
    v5.client.on('close', () => closed++);
    v4.client.on('close', () => closed++);
    gw.clock.advance(14_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(closed, 0, 'not before 1.5 x keep-alive');
    gw.clock.advance(2_000);
    await waitFor('both closed', () => closed === 2);
    assert.equal(v5.disconnects[0]?.reasonCode, ReasonCode.keepAliveTimeout);
    assert.equal(gw.metrics.refusals.get('keep-alive-timeout'), 2);
    await Promise.all([v5.client.endAsync(true), v4.client.endAsync(true)]);
  });

  it('speaks MQTT 3.1 (protocol level 3) with 3.1.1 semantics', async () => {
    const dev = await connectDevice(gw.url, 'mon-67', { protocolVersion: 3, protocolId: 'MQIsdp' });
    const before = gw.log.entries().length;
    await dev.publish(telemetry(1));
    await dev.publish(telemetry(2, { readings: 'x' }));
    assert.equal(gw.log.entries().length, before + 1);
    assert.equal(dev.reports.at(-1)?.['reason'], 'schema');
    assert.equal(gw.metrics.protocolVersions.get(3), 1);
    await dev.end();
  });

  it('answers PINGREQ with PINGRESP', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port);
    await raw.connect('mon-64');
    raw.write([0xc0, 0x00]);
    await raw.next('pingresp');
    raw.destroy();
  });

  it('a second connection of the same device takes over the first (0x8E)', async () => {
    const first = await connectDevice(gw.url, 'mon-65', { subscribeErrors: false });
    let firstClosed = false;
    first.client.on('close', () => (firstClosed = true));
    const second = await connectDevice(gw.url, 'mon-65', { subscribeErrors: false });
    await waitFor('the first to close', () => firstClosed);
    assert.equal(first.disconnects[0]?.reasonCode, ReasonCode.sessionTakenOver);
    assert.equal((await second.publish(telemetry(1))).reasonCode, 0);
    await Promise.all([first.client.endAsync(true), second.end()]);
  });

  it('unsubscribes the errors topic; reports stop', async () => {
    const dev = await connectDevice(gw.url, 'mon-66');
    const unsuback = new Promise<Packet>((resolve) =>
      dev.client.on('packetreceive', (p: Packet) => {
        if (p.cmd === 'unsuback') resolve(p);
      }),
    );
    await dev.client.unsubscribeAsync(['wardstream/v1/devices/mon-66/errors', 'elsewhere']);
    const packet = await unsuback;
    assert.deepEqual(packet.cmd === 'unsuback' && packet.granted, [
      ReasonCode.success,
      ReasonCode.noSubscriptionExisted,
    ]);
    await dev.publish(telemetry(1, { readings: 'x' }));
    assert.equal(dev.reports.length, 0);
    await dev.end();
  });
});
