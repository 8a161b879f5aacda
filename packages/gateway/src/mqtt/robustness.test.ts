import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGateway, type GatewayHarness } from '../testing/harness.js';
import { connectDevice, telemetry } from '../testing/mqtt-test-client.js';
import { RawMqttClient } from '../testing/raw-mqtt.js';
import { waitFor } from '../testing/wait.js';
import { ReasonCode } from './reason-codes.js';

describe('bad packets: a defined answer, no crash, bounded memory', () => {
  let gw: GatewayHarness;
  before(async () => {
    gw = await startGateway({ maxPacketBytes: 4096, sweepIntervalMs: 10 });
  });
  after(() => gw.close());

  /** After each abuse, a well-behaved device is still served. */
  async function serverStillServes(id: string): Promise<void> {
    const dev = await connectDevice(gw.url, id, { subscribeErrors: false });
    assert.equal((await dev.publish(telemetry(1))).reasonCode, 0);
    await dev.end();
    assert.deepEqual(gw.internalErrors, []);
  }

  it('closes a connection sending garbage', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port);
    const malformed = gw.metrics.malformedPackets;
    raw.write(Buffer.from('GET / HTTP/1.1\r\nHost: gateway\r\n\r\n'));
    await raw.closed;
    assert.equal(gw.metrics.malformedPackets, malformed + 1);
    await serverStillServes('mon-40');
  });

  it('closes a connection whose packet body is truncated inside its declared length', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port);
    const malformed = gw.metrics.malformedPackets;
    raw.write([0x10, 0x05, 0x00, 0x04, 0x4d, 0x51, 0x54]); // CONNECT, protocol name cut short
    await raw.closed;
    assert.equal(gw.metrics.malformedPackets, malformed + 1);
    await serverStillServes('mon-41');
  });

  it('refuses a declared 256 MB packet from its fixed header, before any body arrives', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port);
    await raw.connect('mon-42');
    raw.write([0x30, 0xff, 0xff, 0xff, 0x7f]); // PUBLISH, Remaining Length 268,435,455
    const disconnect = await raw.next('disconnect');
    assert.equal((disconnect as { reasonCode?: number }).reasonCode, ReasonCode.packetTooLarge);
    await raw.closed;
    const beforeConnect = await RawMqttClient.open(gw.endpoint.port);
    beforeConnect.write([0x10, 0xff, 0xff, 0xff, 0x7f]); // the same, as a CONNECT
    await beforeConnect.closed;
    assert.equal(gw.metrics.oversizePackets, 2);
    await serverStillServes('mon-42');
  });

  it('closes a connection whose Remaining Length runs past 4 bytes [MQTT-1.5.5]', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port);
    const malformed = gw.metrics.malformedPackets;
    raw.write([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]);
    await raw.closed;
    assert.equal(gw.metrics.malformedPackets, malformed + 1);
  });

  it('closes a connection that stops in the middle of a packet once the connect timeout passes', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port);
    raw.write([0x10, 0x40, 0x00, 0x04]); // a CONNECT of 64 bytes, 2 of which arrive
    gw.clock.advance(60_000);
    await raw.closed;
    assert.equal(gw.metrics.refusals.get('connect-timeout'), 1);
  });

  it('closes a connection whose first packet is not CONNECT [MQTT-3.1.0-1]', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port);
    raw.write([0xc0, 0x00]); // PINGREQ
    await raw.closed;
    assert.equal(raw.packets.length, 0);
  });

  it('answers a second CONNECT with DISCONNECT 0x82 Protocol Error (v5)', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port);
    await raw.connect('mon-43');
    raw.send({ cmd: 'connect', clientId: 'mon-43', protocolVersion: 5, clean: true, keepalive: 0 });
    const disconnect = await raw.next('disconnect');
    assert.equal((disconnect as { reasonCode?: number }).reasonCode, ReasonCode.protocolError);
    await raw.closed;
  });

  it('answers an unknown protocol level with CONNACK 0x01 [MQTT-3.1.2-2]', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port, 4);
    raw.write([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00]);
    const connack = await raw.next('connack');
    assert.equal((connack as { returnCode?: number }).returnCode, 0x01);
    await raw.closed;
    assert.equal(gw.metrics.refusals.get('unsupported-protocol-version'), 1);
  });

  it('v5: disconnects an oversize PUBLISH with 0x95 Packet too large; 3.1.1: closes', async () => {
    const v5 = await connectDevice(gw.url, 'mon-44', { subscribeErrors: false });
    void v5.publish(telemetry(1, { pad: 'x'.repeat(8_000) })).catch(() => undefined);
    await new Promise((resolve) =>
      v5.client.once('close', () => {
        resolve(undefined);
      }),
    );
    assert.equal(v5.disconnects[0]?.reasonCode, ReasonCode.packetTooLarge);
    await v5.client.endAsync(true);
    const v4 = await connectDevice(gw.url, 'mon-45', { protocolVersion: 4, subscribeErrors: false });
    void v4.publish(telemetry(1, { pad: 'x'.repeat(8_000) })).catch(() => undefined);
    await new Promise((resolve) =>
      v4.client.once('close', () => {
        resolve(undefined);
      }),
    );
    await v4.client.endAsync(true);
    assert.equal(gw.metrics.oversizePackets, 4);
    await serverStillServes('mon-46');
  });

  it('v5: disconnects QoS 2 with 0x9B, a retained publish with 0x9A, a topic alias with 0x94', async () => {
    const cases = [
      { qos: 2 as const, retain: false, properties: {}, code: ReasonCode.qosNotSupported },
      { qos: 1 as const, retain: true, properties: {}, code: ReasonCode.retainNotSupported },
      { qos: 1 as const, retain: false, properties: { topicAlias: 1 }, code: ReasonCode.topicAliasInvalid },
    ];
    for (const c of cases) {
      const raw = await RawMqttClient.open(gw.endpoint.port);
      await raw.connect('mon-47');
      raw.send({
        cmd: 'publish',
        topic: 'wardstream/v1/devices/mon-47/telemetry',
        payload: JSON.stringify(telemetry(1)),
        qos: c.qos,
        messageId: 1,
        retain: c.retain,
        dup: false,
        properties: c.properties,
      });
      const disconnect = await raw.next('disconnect');
      assert.equal((disconnect as { reasonCode?: number }).reasonCode, c.code);
      await raw.closed;
    }
  });

  it('3.1.1: closes a connection publishing with QoS 2', async () => {
    const raw = await RawMqttClient.open(gw.endpoint.port, 4);
    await raw.connect('mon-48', 4);
    raw.send(
      {
        cmd: 'publish',
        topic: 'wardstream/v1/devices/mon-48/telemetry',
        payload: '{}',
        qos: 2,
        messageId: 7,
        retain: false,
        dup: false,
      },
      4,
    );
    await raw.closed;
    assert.equal(gw.metrics.refusals.get('qos-not-supported'), 2);
  });

  it('survives fuzzed packets after a valid CONNECT', async () => {
    let seed = 0x2545f491;
    const random = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    for (let round = 0; round < 100; round++) {
      const raw = await RawMqttClient.open(gw.endpoint.port, round % 2 === 0 ? 5 : 4);
      await raw.connect(`fuzz-${round}`, round % 2 === 0 ? 5 : 4);
      const length = 2 + Math.floor(random() * 64);
      raw.write(Buffer.from(Array.from({ length }, () => Math.floor(random() * 256))));
      raw.socket.end();
      await raw.closed;
    }
    await waitFor('every fuzzed connection to close', () => gw.endpoint.stats().connections === 0);
    await serverStillServes('mon-49');
  });
});
