import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deviceId, patientId, wardId } from '@wardstream/domain';
import { NatsCluster, versionAtLeast } from '@wardstream/nats/testing';
import { freshTestSchema } from '@wardstream/pg/testing';
import { freePort } from '@wardstream/platform';
import { PostgresRegistry } from '@wardstream/registry/postgres';
import {
  checkDelivery,
  DEFAULT_SCENARIO_SETTINGS,
  formatDeliveryReport,
  MemoryHistory,
  runSimulation,
  type DeliveryResult,
  type StoredReadingKey,
} from '@wardstream/simulator';
import pg from 'pg';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { partitionFor } from '@wardstream/log';
import { RoleProcess } from './testing/role-process.js';

const DEVICES = 16;
const RATE_PER_S = 160;
const PARTITIONS = 8;
const LEASE_TTL_MS = 3_000;
/** How long each fault lasts before it is healed, and the steady run between faults. */
const FAULT_MS = 6_000;
const BETWEEN_MS = 5_000;
/**
 * Pausing a NATS node (SIGSTOP/SIGCONT) under load made the nats-server 2.9.10 of Debian 12 lose
 * and move acknowledged messages (docs/DEPLOYMENT.md, "nats-server version"), so the phase runs
 * with 2.10 or later: `.ci/run` fetches Debian 13's 2.10.27 (scripts/fetch-nats-server.sh). With
 * an older server it is skipped, saying so, unless `WS_FAULT_PAUSE_NATS=1` asks for it anyway.
 */
function pausePhaseRuns(version: readonly number[]): boolean {
  return process.env.WS_FAULT_PAUSE_NATS === '1' || versionAtLeast(version, 2, 10);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface StoredAlarm {
  readonly id: string;
  readonly ruleId: string;
  readonly patientId: string | null;
  readonly deviceId: string | null;
  readonly onsetAt: number;
  readonly conditionEndedAt: number | null;
  readonly state: string;
}

/**
 * Alarms raised twice: two alarms of one rule for one patient and device whose conditions overlap
 * (the later began before the earlier ended) — what a second engine re-raising an alarm the first
 * one had raised would leave. Returns the alarms stored and the pairs found.
 */
async function doubleRaisedAlarms(
  connectionString: string,
  schema: string,
): Promise<{ alarms: StoredAlarm[]; doubles: [StoredAlarm, StoredAlarm][]; raisedEvents: number }> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const rows = await client.query<{ body: StoredAlarm }>(`SELECT body FROM "${schema}".alarms`);
    const raised = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${schema}".alarm_events WHERE type = 'raised'`,
    );
    const alarms = rows.rows.map((r) => r.body);
    const byKey = new Map<string, StoredAlarm[]>();
    for (const a of alarms) {
      const key = JSON.stringify([a.ruleId, a.patientId, a.deviceId]);
      byKey.set(key, [...(byKey.get(key) ?? []), a]);
    }
    const doubles: [StoredAlarm, StoredAlarm][] = [];
    for (const list of byKey.values()) {
      list.sort((x, y) => x.onsetAt - y.onsetAt);
      for (let i = 1; i < list.length; i++) {
        const [before, after] = [list[i - 1], list[i]];
        if (before === undefined || after === undefined) continue;
        if (before.conditionEndedAt === null || before.conditionEndedAt > after.onsetAt) doubles.push([before, after]);
      }
    }
    return { alarms, doubles, raisedEvents: Number(raised.rows[0]?.n ?? 0) };
  } finally {
    await client.end();
  }
}

/** For a failed run: each lost message's partition, whether its stream holds it, and the partition's checkpoints. */
async function locateLost(
  servers: readonly string[],
  prefix: string,
  schema: { connectionString: string; schema: string },
  lost: readonly { deviceId: string; boot: string; seq: number }[],
): Promise<string> {
  const nc = await connect({ servers: [...servers] });
  const client = new pg.Client({ connectionString: schema.connectionString });
  await client.connect();
  const lines: string[] = ['where the lost messages are:'];
  try {
    const jsm = await jetstreamManager(nc);
    const byPartition = new Map<number, typeof lost>();
    for (const m of lost) {
      // The unbound half is keyed by device; the bound half by patient fault-pt-NNNN.
      const n = Number(m.deviceId.slice('fault-'.length));
      const key = n <= DEVICES / 2 ? `fault-pt-${String(n).padStart(4, '0')}` : m.deviceId;
      const p = partitionFor(key, PARTITIONS);
      byPartition.set(p, [...(byPartition.get(p) ?? []), m]);
    }
    for (const [p, messages] of byPartition) {
      const stream = `${prefix}_P${p}`;
      const info = await jsm.streams.info(stream);
      const ids = new Map<string, number>();
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
        const id = msg?.header.get('Nats-Msg-Id');
        if (id !== undefined && id !== '') ids.set(id, seq);
      }
      const checkpoints = await client.query<{ scope: string; epoch: string; value: unknown }>(
        `SELECT scope, epoch, value FROM "${schema.schema}".checkpoint WHERE scope = $1`,
        [`partition-${p}`],
      );
      lines.push(
        `partition ${p}: stream ${info.state.first_seq}..${info.state.last_seq} (${info.state.messages} messages); checkpoint ${JSON.stringify(checkpoints.rows)}`,
      );
      for (const m of messages) {
        const inStream = [...ids].find(
          ([id]) => id.endsWith(`:${m.seq}`) && id.startsWith(encodeURIComponent(m.deviceId)),
        );
        const row = await client.query(
          `SELECT 1 FROM "${schema.schema}".messages WHERE device_id = $1 AND boot = $2 AND seq = $3`,
          [m.deviceId, m.boot, m.seq],
        );
        lines.push(
          `  ${m.deviceId} seq ${m.seq}: ${inStream === undefined ? 'NOT in the stream' : `stream seq ${inStream[1]}`}; ${row.rowCount === 0 ? 'not in messages' : 'in messages'}`,
        );
      }
    }
  } catch (err) {
    lines.push(`could not locate: ${String(err)}`);
  } finally {
    await client.end();
    await nc.close();
  }
  return lines.join('\n');
}

async function storedReadings(connectionString: string, schema: string): Promise<StoredReadingKey[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const result = await client.query<{ device_id: string; boot: string; seq: string; code: string }>(
      `SELECT device_id, boot, seq, code FROM "${schema}".readings`,
    );
    return result.rows.map((r) => ({ deviceId: r.device_id, boot: r.boot, seq: Number(r.seq), code: r.code }));
  } finally {
    await client.end();
  }
}

/**
 * The fault test of issue 7 (RELIABILITY.md): a 3-node NATS cluster with replicas 3, two gateways,
 * two processors and PostgreSQL, each role a process of its own started from the CLI. Simulated
 * devices publish QoS 1 at a steady rate, spread over both gateways, while the test kills
 * (SIGKILL) a gateway, a processor and the leader of a partition stream in turn, and pauses a node
 * (SIGSTOP, then SIGCONT), then hangs a processor past its lease TTL (SIGSTOP, SIGCONT). With
 * everything healed and drained, every acknowledged
 * (deviceId, boot, seq) must be in PostgreSQL, each reading once, and the clinical engines, which
 * move with their partitions, must not have raised any alarm twice.
 */
void describe('fault test: the scaled-out shape on a 3-node NATS cluster', () => {
  void it('loses nothing acknowledged and stores nothing twice through gateway, processor and NATS node failures', async (t) => {
    const cluster = await NatsCluster.start(3);
    const schema = freshTestSchema();
    const keyDir = await mkdtemp(join(tmpdir(), 'ws-fault-keys-'));
    const roles: RoleProcess[] = [];
    const timeline: string[] = [];
    const started = Date.now();
    const mark = (what: string) =>
      timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${what}`);
    try {
      const env = {
        WARDSTREAM_NATS: cluster.urls.join(','),
        WARDSTREAM_POSTGRES: schema.connectionString,
        WARDSTREAM_PG_SCHEMA: schema.schema,
        WARDSTREAM_STREAM_PREFIX: `WS_FAULT_${schema.schema.slice(-6).toUpperCase()}`,
        WARDSTREAM_PARTITIONS: String(PARTITIONS),
        WARDSTREAM_REPLICAS: '3',
        WARDSTREAM_HEALTH_PORT: '0',
      };
      const gatewayPorts = [await freePort(), await freePort()];
      const gateways = gatewayPorts.map(
        (port, i) =>
          new RoleProcess(
            `gateway-${i + 1}`,
            'gateway',
            () => ['--key-dir', keyDir, '--mqtt-port', '0', '--dev-plaintext-mqtt-port', String(port)],
            env,
          ),
      );
      let generation = 0;
      const processors = [1, 2].map(
        (i) =>
          new RoleProcess(
            `processor-${i}`,
            'processor',
            // A restarted processor is a new member, as a new process would be.
            () => ['--member-id', `proc-${i}-${++generation}`, '--lease-ttl-ms', String(LEASE_TTL_MS)],
            env,
          ),
      );
      roles.push(...gateways, ...processors);
      // The first start creates the streams and the tables; the others find them.
      await processors[0]?.start();
      await Promise.all([processors[1]?.start(), ...gateways.map((g) => g.start())]);
      mark('cluster, 2 gateways and 2 processors up');

      // Half the devices are bound to patients through the registry (other processes hear of it by
      // PostgreSQL notifications), so their records are partitioned by patient; half stay unassigned.
      const registry = await PostgresRegistry.open({
        connectionString: schema.connectionString,
        schema: schema.schema,
      });
      try {
        for (let i = 1; i <= DEVICES / 2; i++) {
          const n = String(i).padStart(4, '0');
          await registry.putPatient({ id: patientId(`fault-pt-${n}`), wardId: wardId('fault-ward') }, 0);
          await registry.putDevice({ id: deviceId(`fault-${n}`) }, 0);
          await registry.admit(deviceId(`fault-${n}`), patientId(`fault-pt-${n}`), 0);
        }
      } finally {
        await registry.close();
      }

      const history = new MemoryHistory();
      const stop = new AbortController();
      const simulation = runSimulation(
        {
          mqttUrl: gatewayPorts.map((p) => `mqtt://127.0.0.1:${p}`).join(','),
          protocolVersion: 5,
          devices: DEVICES,
          // The bound half deteriorates within the run, so the engines raise alarms through the faults.
          scenario: `deteriorating:${DEVICES / 2},stable:${DEVICES / 2}`,
          scenarioSettings: {
            ...DEFAULT_SCENARIO_SETTINGS,
            deteriorationAfterMs: 5_000,
            deteriorationDurationMs: 30_000,
          },
          ratePerS: RATE_PER_S,
          devicePrefix: 'fault-',
          seed: 'scaled-faults',
          drainTimeoutMs: 60_000,
          backoff: { minMs: 100, maxMs: 1_000 },
        },
        { history, signal: stop.signal },
      );

      await sleep(BETWEEN_MS);
      const gateway = gateways[0];
      assert.ok(gateway !== undefined);
      mark(`SIGKILL ${gateway.name}`);
      await gateway.kill();
      await sleep(FAULT_MS);
      await gateway.start();
      mark(`${gateway.name} restarted`);

      await sleep(BETWEEN_MS);
      const processor = processors[0];
      assert.ok(processor !== undefined);
      mark(`SIGKILL ${processor.name}`);
      await processor.kill();
      await sleep(FAULT_MS);
      await processor.start();
      mark(`${processor.name} restarted as a new member`);

      await sleep(BETWEEN_MS);
      const leader = await cluster.streamLeader(`${env.WARDSTREAM_STREAM_PREFIX}_P0`);
      mark(`SIGKILL NATS node ${leader} (leader of stream P0)`);
      await cluster.kill(leader);
      await sleep(FAULT_MS);
      cluster.restart(leader);
      mark(`NATS node ${leader} restarted`);

      if (pausePhaseRuns(cluster.version)) {
        await sleep(BETWEEN_MS);
        const paused = cluster.names.find((n) => n !== leader) ?? 'n1';
        mark(`SIGSTOP NATS node ${paused}`);
        cluster.pause(paused);
        await sleep(FAULT_MS);
        cluster.resume(paused);
        mark(`SIGCONT NATS node ${paused}`);
      } else {
        mark(
          `SIGSTOP of a NATS node skipped: ${cluster.describe()} loses acknowledged messages there (docs/DEPLOYMENT.md); run scripts/fetch-nats-server.sh, or WS_FAULT_PAUSE_NATS=1 to run it anyway`,
        );
      }

      // A processor hangs longer than its leases: the other takes its partitions; woken, it must
      // neither store a stale checkpoint over the new owner's nor raise or escalate alarms again.
      await sleep(BETWEEN_MS);
      const hung = processors[1];
      assert.ok(hung !== undefined);
      const otherLogBefore = processor.log.length;
      mark(`SIGSTOP ${hung.name} (longer than the lease TTL)`);
      hung.pause();
      await sleep(FAULT_MS);
      hung.resume();
      mark(`SIGCONT ${hung.name}`);
      const tookOver = processor.log.slice(otherLogBefore).includes('took a partition');

      await sleep(BETWEEN_MS);
      stop.abort();
      const summary = await simulation;
      mark('simulation stopped; its unanswered publishes drained');

      // Healed: wait until the processors have stored everything acknowledged (bounded).
      let result: DeliveryResult = checkDelivery(history.events, []);
      const deadline = Date.now() + 90_000;
      for (;;) {
        result = checkDelivery(history.events, await storedReadings(schema.connectionString, schema.schema));
        if (result.lost.total === 0 || Date.now() > deadline) break;
        await sleep(1_000);
      }
      mark('drained into PostgreSQL');
      const alarmCheck = await doubleRaisedAlarms(schema.connectionString, schema.schema);
      const report = formatDeliveryReport(result);
      const lines = [
        `NATS cluster: 3 nodes, ${cluster.describe()}`,
        'fault timeline:',
        ...timeline,
        `attempted ${result.attempted} / acknowledged ${result.acknowledged} / stored ${result.stored} / lost ${result.lost.total} / duplicated ${result.duplicates.total}`,
        `alarms: ${alarmCheck.alarms.length} raised (${alarmCheck.raisedEvents} 'raised' events), ${alarmCheck.doubles.length} raised twice`,
        report,
        `simulator: ${JSON.stringify(summary.stats)}`,
      ];
      t.diagnostic(lines.join('\n'));
      process.stdout.write(`${lines.join('\n')}\n`);

      if (result.lost.total > 0) {
        // Where did a lost message stop: never in its stream, or in the stream but not stored?
        const where = await locateLost(cluster.urls, env.WARDSTREAM_STREAM_PREFIX, schema, result.lost.messages);
        t.diagnostic(where);
        process.stdout.write(`${where}\n`);
      }
      const logs = () => roles.map((r) => `--- ${r.name}\n${r.log.slice(-3000)}`).join('\n');
      assert.ok(result.acknowledged >= 5_000, `too few acknowledged messages to mean anything:\n${report}`);
      assert.ok(summary.stats.disconnects >= 1, 'the devices on the killed gateway were disconnected');
      assert.equal(result.lost.total, 0, `${report}\n${logs()}`);
      assert.equal(result.duplicates.total, 0, report);
      assert.equal(result.unexpected.total, 0, report);
      assert.equal(result.rejectedStored.total, 0, report);
      assert.ok(alarmCheck.alarms.length > 0, 'the deteriorating patients raised alarms, so the check means something');
      assert.equal(alarmCheck.raisedEvents, alarmCheck.alarms.length, 'one raised event per alarm');
      assert.deepEqual(alarmCheck.doubles, [], 'no alarm raised twice');
      assert.ok(tookOver, `${processor.name} took the hung processor's partitions:\n${processor.log.slice(-3000)}`);
      assert.equal(processor.starts, 2);
      assert.equal(gateway.starts, 2);
    } finally {
      const logDirEarly = process.env.WS_FAULT_LOG_DIR;
      if (logDirEarly !== undefined) {
        await mkdir(logDirEarly, { recursive: true });
        for (const role of roles) {
          const url = [...role.log.matchAll(/health=(http:\/\/[0-9.:]+)\/health/g)].at(-1)?.[1];
          if (url === undefined) continue;
          const text = await fetch(`${url}/metrics`).then((r) => r.text(), String);
          await writeFile(join(logDirEarly, `${role.name}.metrics`), text);
        }
      }
      for (const role of roles) await role.interrupt().catch(() => undefined);
      // WS_FAULT_LOG_DIR=dir keeps each role's output for a look afterwards.
      const logDir = process.env.WS_FAULT_LOG_DIR;
      if (logDir !== undefined) {
        await mkdir(logDir, { recursive: true });
        for (const role of roles) await writeFile(join(logDir, `${role.name}.log`), role.log);
      }
      await cluster.stop();
      await schema.drop();
      await rm(keyDir, { recursive: true, force: true });
    }
  });
});
