/**
 * End to end against a tiny gateway: an in-process aedes broker (MQTT 3.1.1) on 127.0.0.1, port 0,
 * whose authorizePublish hook validates with the domain, "stores" accepted readings idempotently,
 * answers rejections on the errors topic, and can drop a device's connection instead of acking.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import {
  Catalogue,
  DEFAULT_PLAUSIBILITY,
  DEFAULT_WIRE_LIMITS,
  deviceId,
  validateTelemetry,
  type WireContext,
} from '@wardstream/domain';
import { checkCommand } from './check-command.js';
import { checkDelivery, type StoredReadingKey } from './checker.js';
import { readHistory } from './history-file.js';
import { MemoryHistory } from './history.js';
import { errorsTopic } from './payload.js';
import { runSimulation, SimulationError } from './run-simulation.js';
import { DEFAULT_SCENARIO_SETTINGS, SCENARIO_NAMES } from './scenario.js';
import { simulateCommand } from './simulate-command.js';
import type { SimulationOptions } from './simulation-options.js';

const CTX: WireContext = {
  catalogue: new Catalogue(),
  plausibility: DEFAULT_PLAUSIBILITY,
  limits: DEFAULT_WIRE_LIMITS,
};
const TOPIC = /^wardstream\/v1\/devices\/([^/]+)\/telemetry$/;

interface Received {
  readonly clientId: string;
  readonly deviceId: string;
  readonly qos: number;
  readonly dup: boolean;
  readonly payload: Buffer;
}

interface TestGateway {
  readonly url: string;
  readonly received: Received[];
  /** Stored readings, one row per (deviceId, boot, seq, code), as an idempotent store holds them. */
  rows(): StoredReadingKey[];
  close(): Promise<void>;
}

/** `dropAt(deviceId, n)`: drop the connection instead of answering the device's n-th publish (1-based). */
async function startGateway(dropAt: (deviceId: string, n: number) => boolean = () => false): Promise<TestGateway> {
  const received: Received[] = [];
  const stored = new Map<string, StoredReadingKey[]>();
  const counts = new Map<string, number>();
  const broker = await Aedes.createBroker({
    authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) {
      const match = TOPIC.exec(packet.topic);
      if (client === null || match === null) {
        callback(null);
        return;
      }
      const id = match[1] ?? '';
      if (client.id !== id) {
        callback(new Error('a device publishes only under its own id'));
        return;
      }
      const payload = Buffer.from(packet.payload);
      received.push({ clientId: client.id, deviceId: id, qos: packet.qos, dup: packet.dup, payload });
      const n = (counts.get(id) ?? 0) + 1;
      counts.set(id, n);
      if (dropAt(id, n)) {
        client.conn.destroy();
        return;
      }
      const verdict = validateTelemetry(CTX, deviceId(id), payload, Date.now());
      if (verdict.kind === 'rejected') {
        const named = nameOf(payload);
        const error = { ...named, reason: verdict.reason, detail: verdict.detail };
        const answer = { cmd: 'publish', topic: errorsTopic(id), payload: Buffer.from(JSON.stringify(error)) };
        broker.publish({ ...answer, qos: 1, retain: false, dup: false } as PublishPacket, () => {
          callback(null);
        });
        return;
      }
      const { boot, seq, readings } = verdict.message;
      const key = `${id}/${boot}/${seq}`;
      if (!stored.has(key))
        stored.set(
          key,
          readings.map((r) => ({ deviceId: id, boot, seq, code: r.code })),
        );
      callback(null);
    },
  });
  const server: Server = createServer((socket) => {
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    received,
    rows: () => [...stored.values()].flat(),
    close: async () => {
      await new Promise<void>((resolve) => {
        broker.close(() => {
          resolve();
        });
      });
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** What a gateway can read of (boot, seq) from a payload it rejects. */
function nameOf(payload: Buffer): { seq?: number; boot?: string } {
  try {
    const body = JSON.parse(payload.toString('utf8')) as { seq?: unknown; boot?: unknown };
    if (typeof body.seq !== 'number') return {};
    return typeof body.boot === 'string' ? { seq: body.seq, boot: body.boot } : { seq: body.seq };
  } catch {
    return {};
  }
}

const dir = await mkdtemp(join(tmpdir(), 'wardstream-sim-'));
after(() => rm(dir, { recursive: true, force: true }));

const FAST: Partial<SimulationOptions> = {
  baselines: 'random',
  deviceRatePerS: 20,
  backoff: { minMs: 30, maxMs: 200 },
  connectSpreadMs: 50,
  drainTimeoutMs: 10_000,
  progressIntervalMs: 50,
};

test('the fleet connects under its device ids, publishes at QoS 1, and every acknowledged message is stored', async () => {
  const gateway = await startGateway();
  try {
    const historyPath = join(dir, 'stable.jsonl');
    let progressReports = 0;
    const summary = await runSimulation(
      { ...FAST, mqttUrl: gateway.url, scenario: 'stable:2,duplicates:1,out-of-order:1', count: 60, historyPath },
      { onProgress: () => progressReports++ },
    );
    assert.deepEqual(summary.scenarios, { stable: 2, duplicates: 1, 'out-of-order': 1 });
    assert.equal(summary.stats.composed, 60);
    assert.ok(progressReports > 0);
    const history = await readHistory(historyPath);
    const result = checkDelivery(history, gateway.rows());
    assert.equal(result.ok, true);
    assert.equal(result.attempted, 60);
    assert.deepEqual([result.acknowledged, result.unanswered, result.rejected], [60, 0, 0]);
    assert.ok(gateway.received.every((r) => r.qos === 1 && r.clientId === r.deviceId));
    assert.deepEqual([...new Set(gateway.received.map((r) => r.deviceId))].sort(), [
      'sim-0001',
      'sim-0002',
      'sim-0003',
      'sim-0004',
    ]);
    // The duplicates device re-sent some messages, acknowledged again and stored once.
    assert.ok(gateway.received.length > 60);
    assert.equal(history.filter((e) => e.event === 'acked').length, summary.stats.acked);
  } finally {
    await gateway.close();
  }
});

test('MQTT 3.1.1: rejections arrive on the errors topic and are recorded with the labelled reason', async () => {
  const gateway = await startGateway();
  try {
    const historyPath = join(dir, 'malformed.jsonl');
    const settings = { ...FAST, mqttUrl: gateway.url, scenario: 'malformed:2', count: 80, historyPath };
    await runSimulation({ ...settings, seed: 'bad' });
    const history = await readHistory(historyPath);
    const result = checkDelivery(history, gateway.rows());
    assert.equal(result.ok, true);
    assert.ok(result.malformed.sent >= 8, `only ${result.malformed.sent} malformed`);
    assert.equal(result.malformed.rejectedAsLabelled, result.malformed.sent);
    assert.equal(result.rejectedStored.total, 0);
    assert.ok(result.acknowledged > 40);
  } finally {
    await gateway.close();
  }
});

test('every scenario at once, with waveforms and unit variants, keeps every promise end to end', async () => {
  const gateway = await startGateway();
  try {
    const history = new MemoryHistory();
    const scenario = SCENARIO_NAMES.map((n) => `${n}:1`).join(',');
    const summary = await runSimulation(
      {
        ...FAST,
        mqttUrl: gateway.url,
        scenario,
        count: 30 * SCENARIO_NAMES.length, // 1.5 s per device at 20 msg/s: time for a reboot
        waveforms: true,
        unitVariants: true,
        scenarioSettings: {
          ...DEFAULT_SCENARIO_SETTINGS,
          rebootEveryMs: 1_000,
          rebootDowntimeMs: 200,
          dropoutAfterMs: 300,
          dropoutDurationMs: 500,
        },
      },
      { history },
    );
    assert.equal(Object.keys(summary.scenarios).length, SCENARIO_NAMES.length);
    const result = checkDelivery(history.events, gateway.rows());
    assert.equal(result.ok, true);
    assert.equal(result.attempted, result.acknowledged + result.rejected + result.unanswered);
    assert.ok(result.acknowledged > 20 * SCENARIO_NAMES.length);
    // The rebooting device used several boots, each counting from 1.
    const rebooting = `sim-${String(SCENARIO_NAMES.indexOf('reboot') + 1).padStart(4, '0')}`;
    const boots = new Set(history.events.filter((e) => e.deviceId === rebooting).map((e) => e.boot));
    assert.ok(boots.size >= 2, `${boots.size} boots`);
    // Messages the reboot cut off without an answer are unanswered, never counted as acknowledged.
    assert.equal(result.lost.total, 0);
  } finally {
    await gateway.close();
  }
});

test('unacknowledged messages are re-sent after the broker drops the connection, and then acknowledged', async () => {
  // Each device loses its connection at its 3rd and 10th publish, before any PUBACK for them.
  const gateway = await startGateway((_id, n) => n === 3 || n === 10);
  try {
    const historyPath = join(dir, 'drop.jsonl');
    const summary = await runSimulation({ ...FAST, mqttUrl: gateway.url, devices: 2, count: 40, historyPath });
    assert.ok(summary.stats.disconnects >= 4, `disconnects ${summary.stats.disconnects}`);
    const history = await readHistory(historyPath);
    const result = checkDelivery(history, gateway.rows());
    assert.equal(result.ok, true);
    assert.deepEqual([result.attempted, result.acknowledged, result.unanswered], [40, 40, 0]);
    // MQTT.js re-sent the dropped publishes on the new connection. (MQTT.js 5 does not set the DUP
    // flag on these re-sends, so they are recognised by their identical payload.)
    const seen = new Set<string>();
    const resent = gateway.received.filter((r) => {
      const k = `${r.deviceId} ${r.payload.toString('base64')}`;
      if (seen.has(k)) return true;
      seen.add(k);
      return false;
    });
    assert.ok(resent.length >= 4, `re-sent ${resent.length}`);
    const sentOnce = history.filter((e) => e.event === 'sent').length;
    assert.equal(sentOnce, 40, 'a transport re-send is not a new attempt');
  } finally {
    await gateway.close();
  }
});

test('a fleet that cannot connect fails with the reason', async () => {
  const gateway = await startGateway();
  const url = gateway.url;
  await gateway.close();
  await assert.rejects(
    runSimulation({ ...FAST, mqttUrl: url, devices: 2, durationMs: 60_000, connectTimeoutMs: 300 }),
    (err: unknown) => err instanceof SimulationError && err.code === 'connect' && /ECONNREFUSED/.test(err.message),
  );
});

/** A fake HTTP API serving the gateway's stored rows, paged by `pageSize` with opaque cursors. */
async function startApi(rows: () => StoredReadingKey[], pageSize = 7): Promise<{ url: string; server: HttpServer }> {
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/api\/v1\/devices\/([^/]+)\/readings$/.exec(url.pathname);
    const from = Date.parse(url.searchParams.get('from') ?? '');
    if (match === null || Number.isNaN(from)) {
      res.writeHead(400).end('bad request');
      return;
    }
    const mine = rows().filter((r) => r.deviceId === decodeURIComponent(match[1] ?? ''));
    if (mine.length === 0) {
      res.writeHead(404).end('unknown device');
      return;
    }
    const start = Number(url.searchParams.get('cursor') ?? '0');
    const page = mine.slice(start, start + pageSize).map((r) => ({ ...r, value: 1, unit: '/min', quality: ['ok'] }));
    const next = start + pageSize < mine.length ? { next: String(start + pageSize) } : {};
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ readings: page, ...next }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function buffers(): { out: string[]; err: string[]; io: Parameters<typeof simulateCommand>[1] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
  };
}

test('wardstream simulate then wardstream check: PASS, and FAIL once a stored reading goes missing', async () => {
  const gateway = await startGateway();
  let dropped = false;
  const api = await startApi(() => (dropped ? gateway.rows().slice(1) : gateway.rows()));
  try {
    const historyPath = join(dir, 'cli.jsonl');
    const sim = buffers();
    const argv = ['--mqtt-url', gateway.url, '--devices', '3', '--count', '30', '--device-rate', '20'];
    const code = await simulateCommand([...argv, '--history', historyPath, '--baselines', 'random', '--quiet'], sim.io);
    assert.equal(code, 0, sim.err.join(''));
    assert.match(sim.out.join(''), /3 devices \(stable 3\)/);
    assert.match(sim.out.join(''), /acknowledged\s+30/);
    assert.deepEqual(sim.err, []);

    const pass = buffers();
    assert.equal(await checkCommand(['--history', historyPath, '--api', api.url], pass.io), 0, pass.err.join(''));
    assert.match(pass.out.join(''), /attempted\s+30/);
    assert.match(pass.out.join(''), /Result: PASS/);

    dropped = true;
    const fail = buffers();
    assert.equal(await checkCommand(['--history', historyPath, '--api', api.url], fail.io), 1);
    assert.match(fail.out.join(''), /lost\s+1\s+prefix 1, middle 0, suffix 0/);
    assert.match(fail.out.join(''), /Result: FAIL/);
  } finally {
    api.server.close();
    await gateway.close();
  }
});

test('wardstream simulate stops cleanly on SIGINT with the history flushed', async () => {
  const gateway = await startGateway();
  try {
    const historyPath = join(dir, 'sigint.jsonl');
    const sim = buffers();
    const running = simulateCommand(
      [
        '--mqtt-url',
        gateway.url,
        '--devices',
        '2',
        '--duration',
        '0',
        '--history',
        historyPath,
        '--baselines',
        'random',
      ],
      sim.io,
    );
    while (gateway.received.length < 4) await new Promise((r) => setTimeout(r, 20));
    process.emit('SIGINT');
    assert.equal(await running, 0);
    assert.match(sim.out.join(''), /interrupted/);
    assert.match(sim.err.join(''), /stopping/);
    const history = await readHistory(historyPath);
    const result = checkDelivery(history, gateway.rows());
    assert.ok(result.attempted >= 4);
    assert.deepEqual([result.ok, result.unanswered], [true, 0]);
    assert.equal(process.listenerCount('SIGINT'), 0);
  } finally {
    await gateway.close();
  }
});
