import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceId, patientId, wardId, type IngestRecord } from '@wardstream/domain';
import { deleteLog, LOCAL_TEST_NATS_URL } from '@wardstream/nats/testing';
import { freshTestSchema, LOCAL_TEST_POSTGRES_URL } from '@wardstream/pg/testing';
import { PostgresRegistry } from '@wardstream/registry/postgres';
import { PostgresReadingStore } from '@wardstream/store/postgres';
import { loadSpec, type EndToEndResult, type IngestBenchOptions } from './ingest-bench.js';
import type { LoadResult } from './loadgen.js';
import { freePort, runJson, scrape, script, sleep, start, type Child } from './processes.js';

/** One scaled-out run: the roles it ran and what went through them. */
export interface ScaledRunResult extends EndToEndResult {
  readonly gateways: number;
  readonly processors: number;
}

export interface PgIngestResult {
  /** Concurrent writers (one checkpoint scope each, as processors of different partitions). */
  readonly writers: number;
  readonly messagesPerBatch: number;
  readonly readingsPerMessage: number;
  readonly rowsPerS: number;
  readonly messagesPerS: number;
  readonly batchMs: { readonly p50: number; readonly p99: number };
}

export interface ScaledBenchResult {
  readonly nats: string;
  readonly partitions: number;
  readonly runs: readonly ScaledRunResult[];
  readonly pgIngest: readonly PgIngestResult[];
}

const PARTITIONS = 8;
const PREFIX = 'bench-';

/**
 * The scaled-out shape end to end: one gateway and one or two processors, each its own process
 * started from the CLI, on the local NATS server (JetStream, one node, replicas 1) and the local
 * PostgreSQL. The same saturated device load as the embedded end-to-end case; stored messages/s
 * summed from the processors' own counters over the measured window.
 */
export async function scaledThroughput(
  o: IngestBenchOptions,
  progress: (text: string) => void,
): Promise<ScaledBenchResult> {
  const runs: ScaledRunResult[] = [];
  for (const processors of [1, 2]) {
    progress(`scaled-out: 1 gateway, ${processors} processor(s), ${o.devices} devices saturated`);
    runs.push(await scaledRun(o, processors));
  }
  progress('PostgreSQL ingest: multi-row inserts of 256 messages × 4 readings, 1 and 4 writers');
  const pgIngest = [await postgresIngest(1, 10_000), await postgresIngest(4, 10_000)];
  return { nats: LOCAL_TEST_NATS_URL, partitions: PARTITIONS, runs, pgIngest };
}

async function scaledRun(o: IngestBenchOptions, processorCount: number): Promise<ScaledRunResult> {
  const schema = freshTestSchema();
  const streamPrefix = `WS_BENCH_${schema.schema.slice(-8).toUpperCase()}`;
  const keyDir = await mkdtemp(join(tmpdir(), 'ws-bench-keys-'));
  const children: Child[] = [];
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARDSTREAM_')));
  const env = {
    ...inherited,
    WARDSTREAM_NATS: LOCAL_TEST_NATS_URL,
    WARDSTREAM_POSTGRES: schema.connectionString,
    WARDSTREAM_PG_SCHEMA: schema.schema,
    WARDSTREAM_STREAM_PREFIX: streamPrefix,
    WARDSTREAM_PARTITIONS: String(PARTITIONS),
    WARDSTREAM_HEALTH_PORT: '0',
  };
  const cli = script('../../cli/dist/main.js');
  try {
    const processorPorts: number[] = [];
    for (let i = 0; i < processorCount; i++) {
      const port = await freePort();
      processorPorts.push(port);
      children.push(
        await start(
          process.execPath,
          [cli, 'processor', '--member-id', `bench-${i}`, '--health-port', String(port)],
          'is up',
          env,
        ),
      );
    }
    const plain = await freePort();
    children.push(
      await start(
        process.execPath,
        [cli, 'gateway', '--key-dir', keyDir, '--mqtt-port', '0', '--dev-plaintext-mqtt-port', String(plain)],
        'is up',
        env,
      ),
    );
    // Every bench device bound to a patient, as on a ward (and as the embedded case does).
    const registry = await PostgresRegistry.open({ connectionString: schema.connectionString, schema: schema.schema });
    try {
      for (let i = 1; i <= o.devices; i++) {
        const n = String(i).padStart(4, '0');
        await registry.putPatient({ id: patientId(`bench-pt-${n}`), wardId: wardId('bench-ward') }, 0);
        await registry.putDevice({ id: deviceId(`${PREFIX}${n}`) }, 0);
        await registry.admit(deviceId(`${PREFIX}${n}`), patientId(`bench-pt-${n}`), 0);
      }
    } finally {
      await registry.close();
    }
    // Let the processors settle their leases before the load.
    await sleep(2_000);
    const metricsUrls = processorPorts.map((p) => `http://127.0.0.1:${p}/metrics`);
    const sum = async (name: string) => {
      let total = 0;
      for (const url of metricsUrls) total += await scrape(url, name);
      return total;
    };
    // Where the 2 cores go: each role, the NATS server (the local one on 4222) and the load generator.
    const cpuPids: Record<string, number> = {};
    children.forEach((child, i) => {
      const pid = child.process.pid;
      if (pid !== undefined) cpuPids[i < processorCount ? `processor-${i + 1}` : 'gateway'] = pid;
    });
    const natsPid = natsServerPid();
    if (natsPid !== undefined) cpuPids['nats-server'] = natsPid;
    const loading = runJson<LoadResult>(
      'loadgen.js',
      loadSpec(o, `mqtt://127.0.0.1:${plain}`, { mode: 'max', cpuPids }),
    );
    await sleep(o.warmupMs + 1_500);
    const [m0, r0] = [
      await sum('wardstream_processor_messages_total'),
      await sum('wardstream_processor_readings_total'),
    ];
    const t0 = performance.now();
    await sleep(o.durationMs - 1_500);
    const [m1, r1] = [
      await sum('wardstream_processor_messages_total'),
      await sum('wardstream_processor_readings_total'),
    ];
    const elapsedS = (performance.now() - t0) / 1000;
    const lagAtEnd = await sum('wardstream_processor_lag_messages');
    const load = await loading;
    return {
      gateways: 1,
      processors: processorCount,
      load,
      storedMessagesPerS: (m1 - m0) / elapsedS,
      storedReadingsPerS: (r1 - r0) / elapsedS,
      lagAtEnd,
    };
  } finally {
    for (const child of children.reverse()) await child.stop('SIGINT');
    await deleteLog(streamPrefix).catch(() => undefined);
    await schema.drop();
    await rm(keyDir, { recursive: true, force: true });
  }
}

/**
 * PostgreSQL ingest on its own: `writers` concurrent loops, each writing batches of 256 new
 * messages × 4 readings with its checkpoint through `PostgresReadingStore` (one transaction per
 * batch, as a processor does) for `durationMs`.
 */
export async function postgresIngest(writers: number, durationMs: number): Promise<PgIngestResult> {
  const schema = freshTestSchema(LOCAL_TEST_POSTGRES_URL);
  const store = await PostgresReadingStore.open({
    connectionString: schema.connectionString,
    schema: schema.schema,
    poolSize: writers + 1,
  });
  const messagesPerBatch = 256;
  const readingsPerMessage = 4;
  const codes = ['MDC_ECG_HEART_RATE', 'MDC_PULS_OXIM_SAT_O2', 'MDC_RESP_RATE', 'MDC_PRESS_BLD_NONINV_SYS'];
  const units = ['/min', '%', '/min', 'mm[Hg]'];
  const batchTimes: number[] = [];
  let messages = 0;
  try {
    const deadline = performance.now() + durationMs;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const view = store.withCheckpointScope(`bench-${w}`);
        let seq = 0;
        while (performance.now() < deadline) {
          const now = Date.now();
          const records: IngestRecord[] = Array.from({ length: messagesPerBatch }, (_, i) => ({
            deviceId: deviceId(`pg-bench-${w}-${i % 32}`),
            patientId: patientId(`pg-bench-pt-${w}-${i % 32}`),
            boot: 'b1',
            seq: seq++,
            observedAt: now - 1_000 + i,
            receivedAt: now,
            readings: codes.map((code, k) => ({ code, value: 60 + k + (i % 10), unit: units[k] ?? '1', quality: 0 })),
            waveforms: [],
          }));
          const started = performance.now();
          await view.write(records, { offsets: { [w]: seq }, state: {} });
          batchTimes.push(performance.now() - started);
          messages += records.length;
        }
      }),
    );
    const elapsedS = (performance.now() - t0) / 1000;
    batchTimes.sort((a, b) => a - b);
    const pct = (p: number) => Math.round((batchTimes[Math.floor((batchTimes.length - 1) * p)] ?? NaN) * 10) / 10;
    return {
      writers,
      messagesPerBatch,
      readingsPerMessage,
      messagesPerS: messages / elapsedS,
      rowsPerS: (messages * readingsPerMessage) / elapsedS,
      batchMs: { p50: pct(0.5), p99: pct(0.99) },
    };
  } finally {
    await store.close();
    await schema.drop();
  }
}

/** The pid of the NATS server listening on 4222 (the one .ci/run starts), if `pgrep` finds exactly one. */
function natsServerPid(): number | undefined {
  try {
    const pids = execFileSync('pgrep', ['-x', 'nats-server'], { encoding: 'utf8' }).trim().split('\n');
    return pids.length === 1 ? Number(pids[0]) : undefined;
  } catch {
    return undefined;
  }
}
