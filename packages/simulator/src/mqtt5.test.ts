/**
 * MQTT 5 rejections. aedes speaks 3.1.1 only, so this test answers with a minimal MQTT 5 endpoint on
 * mqtt-packet (the codec MQTT.js itself uses): PUBACK reason code 0x99 (Payload format invalid) with a
 * reason string for what the domain rejects [MQTT-3.4.2.2], 0x00 for the rest.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { generate, parser, type IPublishPacket, type Packet } from 'mqtt-packet';
import { ErrorWithReasonCode } from 'mqtt';
import {
  Catalogue,
  DEFAULT_PLAUSIBILITY,
  DEFAULT_WIRE_LIMITS,
  deviceId,
  validateTelemetry,
  type WireContext,
} from '@wardstream/domain';
import { checkDelivery, type StoredReadingKey } from './checker.js';
import { MemoryHistory } from './history.js';
import { publishAnswer } from './mqtt-transport.js';
import { runSimulation } from './run-simulation.js';

const CTX: WireContext = {
  catalogue: new Catalogue(),
  plausibility: DEFAULT_PLAUSIBILITY,
  limits: DEFAULT_WIRE_LIMITS,
};
const V5 = { protocolVersion: 5 };

async function startMqtt5Endpoint(): Promise<{ url: string; rows: StoredReadingKey[]; close: () => Promise<void> }> {
  const rows: StoredReadingKey[] = [];
  const stored = new Set<string>();
  const server = createServer((socket) => {
    const packets = parser(V5);
    let clientId = '';
    const send = (packet: Packet): void => {
      socket.write(generate(packet, V5));
    };
    packets.on('packet', (packet: Packet) => {
      if (packet.cmd === 'connect') {
        clientId = packet.clientId;
        send({ cmd: 'connack', reasonCode: 0, sessionPresent: false });
      } else if (packet.cmd === 'publish') {
        send(answer(clientId, packet));
      } else if (packet.cmd === 'pingreq') {
        send({ cmd: 'pingresp' });
      } else if (packet.cmd === 'disconnect') {
        socket.end();
      }
    });
    socket.on('data', (chunk: Buffer) => packets.parse(chunk));
    socket.on('error', () => undefined);
  });
  function answer(clientId: string, packet: IPublishPacket): Packet {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const verdict = validateTelemetry(CTX, deviceId(clientId), payload, Date.now());
    if (verdict.kind === 'rejected') {
      const reasonString = `${verdict.reason}: ${verdict.detail}`.slice(0, 200);
      return { cmd: 'puback', messageId: packet.messageId ?? 0, reasonCode: 0x99, properties: { reasonString } };
    }
    const { boot, seq, readings } = verdict.message;
    if (!stored.has(`${boot}/${seq}/${clientId}`)) {
      stored.add(`${boot}/${seq}/${clientId}`);
      for (const r of readings) rows.push({ deviceId: clientId, boot, seq, code: r.code });
    }
    return { cmd: 'puback', messageId: packet.messageId ?? 0, reasonCode: 0 };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rows,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

test('MQTT 5: a PUBACK reason code ≥ 0x80 is a rejection, recorded with its reason string', async () => {
  const endpoint = await startMqtt5Endpoint();
  try {
    const history = new MemoryHistory();
    await runSimulation(
      {
        mqttUrl: endpoint.url,
        protocolVersion: 5,
        scenario: 'malformed:2,stable:1',
        count: 60,
        deviceRatePerS: 20,
        baselines: 'random',
        connectSpreadMs: 10,
      },
      { history },
    );
    const rejected = history.events.filter((e) => e.event === 'rejected');
    assert.ok(rejected.length >= 5);
    assert.ok(rejected.every((e) => e.reasonCode === 0x99 && /: /.test(e.reason ?? '')));
    const result = checkDelivery(history.events, endpoint.rows);
    assert.equal(result.ok, true);
    assert.equal(result.malformed.rejectedAsLabelled, result.malformed.sent);
    assert.equal(result.acknowledged + result.rejected, 60);
  } finally {
    await endpoint.close();
  }
});

test('a PUBACK is read as acked, rejected with its reason, or failed when none came', () => {
  assert.deepEqual(publishAnswer(undefined, undefined), { kind: 'acked' });
  assert.deepEqual(publishAnswer(null, { cmd: 'puback' }), { kind: 'acked' });
  // 0x10 (No matching subscribers) is a success code.
  assert.deepEqual(publishAnswer(new ErrorWithReasonCode('Publish error', 0x10), {}), { kind: 'acked' });
  assert.deepEqual(
    publishAnswer(new ErrorWithReasonCode('Publish error', 0x97), { properties: { reasonString: 'quota: slow down' } }),
    { kind: 'rejected', reason: 'quota: slow down', reasonCode: 0x97 },
  );
  assert.deepEqual(publishAnswer(new ErrorWithReasonCode('Publish error', 0x99), {}), {
    kind: 'rejected',
    reason: '0x99 Payload format invalid',
    reasonCode: 0x99,
  });
  assert.deepEqual(publishAnswer(new Error('client disconnecting'), undefined), {
    kind: 'failed',
    error: 'client disconnecting',
  });
});
