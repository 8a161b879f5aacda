import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { deviceId } from '@wardstream/domain';
import { mqttTransportFactory, rotatedUrls } from './mqtt-transport.js';
import { Random } from './random.js';
import { sleep } from './wait.js';

test('a transport closed while it waits for its CONNACK does not connect again', async () => {
  // A server that accepts connections and never answers: the client waits for a CONNACK.
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const open = mqttTransportFactory({
    url: `mqtt://127.0.0.1:${port}`,
    protocolVersion: 5,
    backoff: { minMs: 50, maxMs: 50 },
    keepaliveS: 30,
    connectTimeoutMs: 10_000,
  });
  const transport = open({
    deviceId: deviceId('sim-0001'),
    connectDelayMs: 0,
    random: new Random('1'),
    listener: { onConnect: () => undefined, onDisconnect: () => undefined, onErrorReport: () => undefined },
  });
  while (sockets.length === 0) await sleep(10);
  await transport.close(0);
  // Ten reconnect periods: an ended client that still reconnected would have come back by now.
  await sleep(500);
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  assert.equal(sockets.length, 1);
});

test('several gateways: each device starts on one picked by its id, the fleet spreads over all, and each fails over through the rest', () => {
  const urls = 'mqtt://127.0.0.1:1001,mqtt://127.0.0.1:1002,mqtt://127.0.0.1:1003';
  const starts = new Map<string, number>();
  for (let i = 1; i <= 60; i++) {
    const list = rotatedUrls(urls, `dev-${String(i).padStart(4, '0')}`);
    assert.deepEqual(
      list.map((u) => u.port).sort(),
      ['1001', '1002', '1003'],
      'every gateway is in every device’s list, once',
    );
    const first = list[0]?.port ?? '';
    starts.set(first, (starts.get(first) ?? 0) + 1);
    assert.deepEqual(
      rotatedUrls(urls, `dev-${String(i).padStart(4, '0')}`),
      list,
      'the same device always starts alike',
    );
  }
  assert.equal(starts.size, 3, `60 devices start on all three gateways: ${JSON.stringify([...starts])}`);
  assert.deepEqual(
    rotatedUrls('mqtt://127.0.0.1:1001', 'dev-0001').map((u) => u.port),
    ['1001'],
  );
});
