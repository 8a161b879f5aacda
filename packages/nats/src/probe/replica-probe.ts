/**
 * `node packages/nats/dist/probe/replica-probe.js [--binary PATH] [--cycles N] [--fault-ms MS]
 * [--devices N] [--kill-every N]`
 *
 * Checks one nats-server binary for what the scaled-out shape relies on: that a message JetStream
 * acknowledged stays where it was acknowledged on every replica, through node faults. It starts a
 * 3-node cluster from the binary on loopback ports, two replicas-3 partition streams, a
 * JetStreamTelemetryLog that appends (simulated devices, each re-sending until acknowledged) and
 * one that reads (as a processor does), and pauses (SIGSTOP/SIGCONT) or kills and restarts a node
 * each cycle: in even cycles the leader of stream P0, in odd cycles the first node (by name) that
 * does not lead stream P1; every `--kill-every`-th cycle from the first kills instead of pausing. After the faults it waits for
 * every stream to have a leader with current replicas, reads every message from the leaders, and
 * reports:
 *
 * - acknowledged: appends answered appended or duplicate;
 * - not in stream: acknowledged records the leaders do not hold at the end (lost by the cluster);
 * - moved: records appended at one offset that the leaders hold at another at the end;
 * - read other: offsets at which the reader got another record than the leaders hold at the end
 *   (it read a replica that disagreed with the leader);
 * - never read: acknowledged records the reader did not get (what a processor would lose).
 *
 * Exit 0 when all four problem counts are 0, 1 when one is not, 2 on a usage error. Loads stay on
 * loopback and are bounded (by default 9 cycles of 13 s, 20 devices at up to 100 messages/s each).
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { JetStreamTelemetryLog } from '../jetstream-log/jetstream-telemetry-log.js';
import { NATS_SERVER_BINARY, NatsCluster } from '../nats-cluster.js';
import { streamName } from '../jetstream-log/names.js';

const PARTITIONS = 2;
const PREFIX = 'WS_PROBE';

interface ProbeOptions {
  readonly binary: string;
  readonly cycles: number;
  readonly faultMs: number;
  readonly devices: number;
  /** Every n-th cycle kills and restarts the node instead of pausing it (0: never). */
  readonly killEvery: number;
}

/** The whole-number options: the field each sets and its bounds. */
const NUMBER_OPTIONS: Readonly<Record<string, readonly [Exclude<keyof ProbeOptions, 'binary'>, number, number]>> = {
  '--cycles': ['cycles', 1, 100],
  '--fault-ms': ['faultMs', 1_000, 60_000],
  '--devices': ['devices', 1, 200],
  '--kill-every': ['killEvery', 0, 100],
};

function parseArgs(argv: readonly string[]): ProbeOptions | string {
  const options = { binary: NATS_SERVER_BINARY, cycles: 9, faultMs: 8_000, devices: 20, killEvery: 3 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag = '', value] = [argv[i], argv[i + 1]];
    if (value === undefined) return `${flag} needs a value`;
    const number = NUMBER_OPTIONS[flag];
    if (flag === '--binary') options.binary = value;
    else if (number !== undefined) {
      const [field, min, max] = number;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        return `${flag} must be a whole number from ${min} to ${max}, not "${value}"`;
      }
      options[field] = n;
    } else return `unknown option ${flag}`;
  }
  return options;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
const say = (line: string): void => {
  process.stdout.write(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}\n`);
};

async function leaderOf(cluster: NatsCluster, stream: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await cluster.streamLeader(stream);
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(1_000);
    }
  }
}

/** Waits until the stream has a leader and every replica is current; then reads every message from the leader. */
async function leaderView(jsm: JetStreamManager, partition: number): Promise<Map<number, string>> {
  const stream = streamName(PREFIX, partition);
  let lastSeq = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const info = await jsm.streams.info(stream);
      lastSeq = info.state.last_seq;
      if (info.cluster?.leader !== undefined && (info.cluster.replicas ?? []).every((r) => r.current)) break;
    } catch {
      // no leader yet
    }
    if (attempt >= 120) throw new Error(`${stream} did not heal within 120 s`);
    await sleep(1_000);
  }
  const view = new Map<number, string>();
  for (let from = 1; from <= lastSeq; from += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, lastSeq - from + 1) }, async (_, i) => {
        const seq = from + i;
        for (let attempt = 0; ; attempt++) {
          try {
            const msg = await jsm.streams.getMessage(stream, { seq });
            if (msg !== null) view.set(seq - 1, Buffer.from(msg.data).toString());
            return;
          } catch (error) {
            if (attempt >= 20) throw error;
            await sleep(500);
          }
        }
      }),
    );
  }
  return view;
}

async function probe(options: ProbeOptions): Promise<number> {
  const cluster = await NatsCluster.start(3, options.binary);
  try {
    say(
      `${options.binary} (${cluster.describe()}): 3 nodes, ${PARTITIONS} streams with replicas 3, ${options.devices} devices`,
    );
    const open = (name: string) =>
      JetStreamTelemetryLog.open({
        servers: cluster.urls,
        prefix: PREFIX,
        partitionCount: PARTITIONS,
        replicas: 3,
        connectionName: name,
        publishTimeoutMs: 3_000,
      });
    const writer = await open('probe-writer');
    const reader = await open('probe-reader');
    /** record → "partition:offset" it was acknowledged at. */
    const acked = new Map<string, string>();
    let stopping = false;
    let failedAppends = 0;
    const devices = Array.from({ length: options.devices }, async (_, d) => {
      for (let seq = 0; !stopping;) {
        const record = `dev${d}:${seq}`;
        try {
          const [outcome] = await writer.append([
            { key: `dev${d}`, deviceId: `dev${d}`, boot: 'b', seq, contentHash: seq, payload: Buffer.from(record) },
          ]);
          if (outcome?.kind === 'appended' || outcome?.kind === 'duplicate') {
            acked.set(record, `${outcome.partition}:${outcome.offset}`);
          }
          seq++;
        } catch {
          failedAppends++; // unavailable: the device re-sends the same record
          await sleep(200);
        }
        await sleep(10);
      }
    });
    const readAt = new Map<string, string>(); // "partition:offset" → record read there
    const offsets = new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, 0]));
    let readErrors = 0;
    let reading = true;
    const readLoop = (async () => {
      while (reading) {
        try {
          for (const entry of await reader.fetch(offsets, { maxRecords: 500, maxWaitMs: 500 })) {
            readAt.set(`${entry.partition}:${entry.offset}`, Buffer.from(entry.payload).toString());
            offsets.set(entry.partition, entry.offset + 1);
          }
        } catch {
          readErrors++;
          await sleep(200);
        }
      }
    })();

    for (let cycle = 0; cycle < options.cycles; cycle++) {
      await sleep(5_000);
      const stream = streamName(PREFIX, cycle % PARTITIONS);
      const leader = await leaderOf(cluster, stream);
      const node = cycle % 2 === 0 ? leader : (cluster.names.find((n) => n !== leader) ?? leader);
      const kill = options.killEvery > 0 && cycle % options.killEvery === 0;
      say(
        `cycle ${cycle + 1}/${options.cycles}: ${kill ? 'kill' : 'pause'} ${node} (${stream} led by ${leader}); ${acked.size} acknowledged`,
      );
      if (kill) await cluster.kill(node);
      else cluster.pause(node);
      await sleep(options.faultMs);
      if (kill) cluster.restart(node);
      else cluster.resume(node);
    }
    await sleep(5_000);
    stopping = true;
    await Promise.all(devices);
    say(`appends stopped: ${acked.size} acknowledged, ${failedAppends} attempts failed (re-sent)`);

    const nc = await connect({ servers: cluster.urls, name: 'probe-check' });
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    const truth = new Map<string, string>(); // "partition:offset" → record the leader holds
    for (let p = 0; p < PARTITIONS; p++)
      for (const [offset, record] of await leaderView(jsm, p)) truth.set(`${p}:${offset}`, record);
    for (let i = 0; i < 120 && [...offsets].some(([p, o]) => truth.has(`${p}:${o}`)); i++) await sleep(500);
    reading = false;
    await readLoop;
    await Promise.all([writer.close(), reader.close(), nc.close()]);

    // Every offset holding each record: a re-send stored twice is held at two.
    const heldAt = new Map<string, Set<string>>();
    for (const [at, record] of truth) heldAt.set(record, (heldAt.get(record) ?? new Set()).add(at));
    const read = new Set(readAt.values());
    const notInStream = [...acked.keys()].filter((record) => !heldAt.has(record));
    const moved = [...acked].filter(([record, at]) => heldAt.has(record) && heldAt.get(record)?.has(at) !== true);
    const readOther = [...readAt].filter(([at, record]) => truth.has(at) && truth.get(at) !== record);
    const neverRead = [...acked.keys()].filter((record) => !read.has(record));
    say(
      `the leaders hold ${truth.size} messages; the reader read ${readAt.size} (${readErrors} reads failed and were retried)`,
    );
    const report: [string, number, string | undefined][] = [
      ['acknowledged records not in the streams', notInStream.length, notInStream[0]],
      ['acknowledged records held at another offset', moved.length, moved[0]?.join(' acknowledged at ')],
      ['offsets read with another record than the leader holds', readOther.length, readOther[0]?.join(' read ')],
      ['acknowledged records never read', neverRead.length, neverRead[0]],
    ];
    for (const [what, count, example] of report)
      say(`${what}: ${count}${example === undefined ? '' : ` (e.g. ${example})`}`);
    const bad = report.some(([, count]) => count > 0);
    say(bad ? 'FAIL: replicas disagreed with what JetStream acknowledged' : 'PASS');
    return bad ? 1 : 0;
  } finally {
    await cluster.stop();
  }
}

const options = parseArgs(process.argv.slice(2));
if (typeof options === 'string') {
  process.stderr.write(`replica-probe: ${options}\n`);
  process.exit(2);
}
probe(options).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`replica-probe: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
