import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRIGGER_HEART_RATE_BPM } from './alarm-probe.js';
import type { LoadResult, LoadSpec } from './loadgen.js';
import { LocalIssuer, readIssuerRecord } from '@wardstream/auth';
import { API_TOKEN_ENV, apiHeaders, freePort, runJson, scrape, script, sleep, start, type Child } from './processes.js';

/** Same device load for every target: devices, in-flight window, warm-up and measured window. */
export interface IngestBenchOptions {
  readonly devices: number;
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly fixedRatePerS: number;
  readonly protocolVersion: 4 | 5;
}

export const DEFAULT_INGEST_OPTIONS: IngestBenchOptions = {
  devices: 40,
  window: 32,
  warmupMs: 5_000,
  durationMs: 20_000,
  fixedRatePerS: 5_000,
  // aedes speaks 3.1.1 only: every target gets the same 3.1.1 load.
  protocolVersion: 4,
};

export interface EndToEndResult {
  readonly load: LoadResult;
  /** Messages and readings written to the store during the measured window, per second. */
  readonly storedMessagesPerS: number;
  readonly storedReadingsPerS: number;
  /** Messages still in the log, not yet processed, at the end of the window. */
  readonly lagAtEnd: number;
}

/** Publish → alarm on the live feed: the load, the rule the followed patients had, and who sent triggers. */
export interface AlarmLatencyResult {
  readonly load: LoadResult;
  readonly rule: ThresholdRuleJson;
  readonly patients: number;
  /** Every `every`-th message of a followed patient's device was a trigger carrying this heart rate. */
  readonly every: number;
  readonly triggerHeartRateBpm: number;
}

export interface RelayResult {
  readonly load: LoadResult;
  readonly receivedPerS: number;
}

const PREFIX = 'bench-';
const WARD = 'bench-ward';

/** A threshold rule as `PUT /api/v1/patients/{id}/rules` takes it (every field required). */
export interface ThresholdRuleJson {
  readonly kind: 'threshold';
  readonly id: string;
  readonly label: string;
  readonly codes: readonly string[];
  readonly direction: 'atOrAbove' | 'atOrBelow';
  readonly limit: number;
  readonly hysteresis: number;
  readonly delayMs: number;
  readonly clearDelayMs: number;
  readonly priority: 'high' | 'medium' | 'low';
  readonly latching: boolean;
  readonly enabled: boolean;
  readonly source: string;
}

/**
 * The alarm benchmark's rule: no condition delay, no clear delay, no hysteresis, not latching, so a
 * trigger (heart rate 150) raises at once with its `ts` as onset and the next message (72–76) ends it.
 */
export const BENCH_ALARM_RULE: ThresholdRuleJson = {
  kind: 'threshold',
  id: 'bench.hr-high',
  label: 'Bench HR high',
  codes: ['MDC_ECG_HEART_RATE'],
  direction: 'atOrAbove',
  limit: 141,
  hysteresis: 0,
  delayMs: 0,
  clearDelayMs: 0,
  priority: 'medium',
  latching: false,
  enabled: true,
  source: 'benchmark rule',
};
/** 8 patients × one trigger per 50 messages; at 5,000 msg/s over 40 devices, 20 alarms raised per second. */
const ALARM_PATIENTS = 8;
const ALARM_EVERY = 50;

/** `wardstream up` as its own process on a fresh data directory and free ports (also used by waveform-bench). */
export async function startPlatform(): Promise<{ child: Child; apiUrl: string; mqttUrl: string; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ws-bench-'));
  const [http, mqtt, plain] = [await freePort(), await freePort(), await freePort()];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARDSTREAM_')));
  const child = await start(
    process.execPath,
    [
      script('../../cli/dist/main.js'),
      'up',
      '--data-dir',
      dataDir,
      '--http-port',
      String(http),
      '--mqtt-port',
      String(mqtt),
      // The relays it is compared with (Mosquitto, aedes) are measured over plain TCP, so the load
      // goes to the development plaintext listener; `--only tls` measures what mutual TLS costs.
      '--dev-plaintext-mqtt-port',
      String(plain),
    ],
    'Wardstream is up',
    env,
  );
  const keyDir = `${dataDir}-keys`;
  const record = readIssuerRecord(keyDir);
  if (record === undefined) throw new Error(`the platform wrote no issuer record in ${keyDir}`);
  process.env[API_TOKEN_ENV] = await LocalIssuer.open({ keyDir, ...record }).sign(
    // A service reads every ward and registers patients; the physician role of the bench ward sets rules.
    { sub: 'bench', roles: ['service', 'physician'], wards: [WARD] },
    3_600,
  );
  return { child, apiUrl: `http://127.0.0.1:${http}`, mqttUrl: `mqtt://127.0.0.1:${plain}`, dataDir };
}

async function send(method: 'POST' | 'PUT', url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...apiHeaders() },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
}

const post = (url: string, body: unknown) => send('POST', url, body);

const patientId = (i: number) => `bench-pt-${String(i).padStart(4, '0')}`;

/**
 * Every bench device is admitted to a patient of the bench ward, as on a real ward; `parallel`
 * devices at a time (each device's three calls stay in order).
 */
export async function admitDevices(apiUrl: string, devices: number, parallel = 1): Promise<void> {
  const admit = async (i: number) => {
    const n = String(i).padStart(4, '0');
    await post(`${apiUrl}/api/v1/patients`, { id: patientId(i), wardId: WARD });
    await post(`${apiUrl}/api/v1/devices`, { id: `${PREFIX}${n}` });
    await post(`${apiUrl}/api/v1/bindings`, { deviceId: `${PREFIX}${n}`, patientId: patientId(i), from: 0 });
  };
  for (let i = 1; i <= devices; i += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, devices - i + 1) }, (_, j) => admit(i + j)));
  }
}

/** The load every ingest case offers (bench devices, options `o`), against `url`. */
export function loadSpec(o: IngestBenchOptions, url: string, extra: Partial<LoadSpec>): LoadSpec {
  return {
    url,
    protocolVersion: o.protocolVersion,
    devicePrefix: PREFIX,
    devices: o.devices,
    mode: 'max',
    window: o.window,
    ratePerS: o.fixedRatePerS,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
    ...extra,
  };
}

/**
 * End to end, saturated: the load publishes as fast as the platform acknowledges (PUBACK after the
 * durable append); the stored rate is read from the platform's own counters over the same window.
 */
export async function endToEndThroughput(o: IngestBenchOptions): Promise<EndToEndResult> {
  const platform = await startPlatform();
  try {
    await admitDevices(platform.apiUrl, o.devices);
    const metrics = `${platform.apiUrl}/metrics`;
    const loading = runJson<LoadResult>('loadgen.js', loadSpec(o, platform.mqttUrl, { mode: 'max' }));
    await sleep(o.warmupMs + 1_500);
    const [m0, r0] = [
      await scrape(metrics, 'wardstream_processor_messages_total'),
      await scrape(metrics, 'wardstream_processor_readings_total'),
    ];
    const t0 = performance.now();
    await sleep(o.durationMs - 1_500);
    const [m1, r1] = [
      await scrape(metrics, 'wardstream_processor_messages_total'),
      await scrape(metrics, 'wardstream_processor_readings_total'),
    ];
    const elapsedS = (performance.now() - t0) / 1000;
    const lagAtEnd = await scrape(metrics, 'wardstream_processor_lag_messages');
    const load = await loading;
    return { load, storedMessagesPerS: (m1 - m0) / elapsedS, storedReadingsPerS: (r1 - r0) / elapsedS, lagAtEnd };
  } finally {
    await platform.child.stop('SIGKILL');
    await rm(platform.dataDir, { recursive: true, force: true });
  }
}

/** Fixed offered load: publish → PUBACK and publish → stored (visible in the live feed) latencies. */
export async function fixedRateLatency(o: IngestBenchOptions): Promise<LoadResult> {
  const platform = await startPlatform();
  try {
    await admitDevices(platform.apiUrl, o.devices);
    return await runJson<LoadResult>(
      'loadgen.js',
      loadSpec(o, platform.mqttUrl, { mode: 'rate', liveApiUrl: platform.apiUrl, liveDevices: 4 }),
    );
  } finally {
    await platform.child.stop('SIGKILL');
    await rm(platform.dataDir, { recursive: true, force: true });
  }
}

/**
 * Fixed offered load with alarm triggers: the first 8 patients get BENCH_ALARM_RULE as a patient
 * override, their devices send a trigger every 50th message, and the load generator times each
 * trigger's publish → `raised` event parsed from the patient's live feed (both ends in its process).
 */
export async function alarmLatency(o: IngestBenchOptions): Promise<AlarmLatencyResult> {
  const platform = await startPlatform();
  try {
    await admitDevices(platform.apiUrl, o.devices);
    const patientIds = Array.from({ length: Math.min(ALARM_PATIENTS, o.devices) }, (_, i) => patientId(i + 1));
    for (const id of patientIds) {
      await send('PUT', `${platform.apiUrl}/api/v1/patients/${id}/rules`, { by: 'bench', rules: [BENCH_ALARM_RULE] });
    }
    const load = await runJson<LoadResult>(
      'loadgen.js',
      loadSpec(o, platform.mqttUrl, {
        mode: 'rate',
        alarmPatients: { apiUrl: platform.apiUrl, patientIds, every: ALARM_EVERY, ruleId: BENCH_ALARM_RULE.id },
      }),
    );
    return {
      load,
      rule: BENCH_ALARM_RULE,
      patients: patientIds.length,
      every: ALARM_EVERY,
      triggerHeartRateBpm: TRIGGER_HEART_RATE_BPM,
    };
  } finally {
    await platform.child.stop('SIGKILL');
    await rm(platform.dataDir, { recursive: true, force: true });
  }
}

async function relay(o: IngestBenchOptions, broker: Child, url: string): Promise<RelayResult> {
  try {
    const subscriber = await start(
      process.execPath,
      [script('subscriber.js'), JSON.stringify({ url, warmupMs: o.warmupMs, durationMs: o.durationMs })],
      'subscribed',
    );
    const loading = runJson<LoadResult>('loadgen.js', loadSpec(o, url, { mode: 'max' }));
    subscriber.process.stdin?.write('go\n');
    const [load, last] = await Promise.all([loading, subscriber.done]);
    return { load, receivedPerS: (JSON.parse(last) as { receivedPerS: number }).receivedPerS };
  } finally {
    await broker.stop();
  }
}

/** The same load relayed by a plain aedes broker (in its own process) to one subscriber. */
export async function aedesRelay(o: IngestBenchOptions): Promise<RelayResult> {
  const port = await freePort();
  const broker = await start(process.execPath, [script('aedes-server.js'), String(port)], 'listening');
  return relay(o, broker, `mqtt://127.0.0.1:${port}`);
}

/**
 * A private Mosquitto instance on a free port, persistence off (also used by waveform-bench).
 * `stop()` stops it and removes its configuration.
 */
export async function startMosquitto(): Promise<{ broker: Child; url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'ws-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 100000\n`,
  );
  try {
    const broker = await start('mosquitto', ['-c', conf], `port ${port}`);
    return {
      broker,
      url: `mqtt://127.0.0.1:${port}`,
      stop: async () => {
        await broker.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The same load relayed by Mosquitto (a private instance on a free port, persistence off). */
export async function mosquittoRelay(o: IngestBenchOptions): Promise<RelayResult> {
  const mosquitto = await startMosquitto();
  try {
    return await relay(o, mosquitto.broker, mosquitto.url);
  } finally {
    await mosquitto.stop();
  }
}
