/**
 * `npm run bench`: the benchmark of issue 2, every number measured in one run on this machine.
 *   node packages/bench/dist/main.js [--only e2e,scaled,latency,alarm,aedes,mosquitto,tls,query,qrs,waveform]
 *                                    [--duration-ms N] [--warmup-ms N]
 *                                    [--rate MSG_PER_S (latency, alarm and tls runs, default 5000)] [--readings N (query)]
 *                                    [--qrs-seconds N] [--qrs-runs N]
 *                                    [--wave-beds N] [--wave-chunk-ms N] [--wave-warmup-ms N] [--wave-duration-ms N]
 *                                    [--wave-max-ms N (saturated runs; 0 skips them)] [--wave-window N]
 *                                    [--wave-verify N (devices read back; 0 = all)] [--out DIR]
 *                                    [--render-beds N] [--render-seconds N]
 * `qrs`, `waveform` and `render` run only when named in --only (the default runs the issue-2 set).
 * `render` is the dashboard's rendering benchmark (packages/dashboard/src/render-bench.ts), run as its
 * own process: it drives Debian's Chromium.
 * Prints a Markdown report (for docs/BENCHMARKS.md) and writes it with the raw JSON to bench-results/
 * (or --out).
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import {
  aedesRelay,
  alarmLatency,
  DEFAULT_INGEST_OPTIONS,
  endToEndThroughput,
  fixedRateLatency,
  mosquittoRelay,
  type IngestBenchOptions,
} from './ingest-bench.js';
import { mtlsCost } from './mtls-bench.js';
import { DEFAULT_QUERY_OPTIONS, queryLatency } from './query-bench.js';
import { qrsThroughput } from './qrs-bench.js';
import { formatReport, type BenchResults } from './report.js';
import { scaledThroughput } from './scaled-bench.js';
import { DEFAULT_WAVEFORM_OPTIONS, waveformIngest, type WaveformBenchOptions } from './waveform-bench.js';

const DEFAULT_SET = ['e2e', 'scaled', 'latency', 'alarm', 'aedes', 'mosquitto', 'tls', 'query'] as const;
const ALL = [...DEFAULT_SET, 'qrs', 'waveform', 'render'] as const;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'duration-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
    readings: { type: 'string' },
    rate: { type: 'string' },
    'qrs-seconds': { type: 'string' },
    'qrs-runs': { type: 'string' },
    'wave-beds': { type: 'string' },
    'wave-chunk-ms': { type: 'string' },
    'wave-warmup-ms': { type: 'string' },
    'wave-duration-ms': { type: 'string' },
    'wave-max-ms': { type: 'string' },
    'wave-window': { type: 'string' },
    'wave-verify': { type: 'string' },
    'render-beds': { type: 'string' },
    'render-seconds': { type: 'string' },
    out: { type: 'string' },
  },
});
const only = new Set((values.only ?? DEFAULT_SET.join(',')).split(','));
for (const name of only) {
  if (!(ALL as readonly string[]).includes(name)) {
    process.stderr.write(`bench: unknown benchmark "${name}" (choose from ${ALL.join(', ')})\n`);
    process.exit(2);
  }
}
const ingest: IngestBenchOptions = {
  ...DEFAULT_INGEST_OPTIONS,
  ...(values['duration-ms'] === undefined ? {} : { durationMs: Number(values['duration-ms']) }),
  ...(values['warmup-ms'] === undefined ? {} : { warmupMs: Number(values['warmup-ms']) }),
  ...(values.rate === undefined ? {} : { fixedRatePerS: Number(values.rate) }),
};
const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** A non-negative number option, or exit 2. */
function numberOption(name: keyof typeof values, fallback: number): number {
  const raw = values[name];
  if (raw === undefined || typeof raw !== 'string') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`bench: --${name} must be a non-negative number, not "${raw}"\n`);
    process.exit(2);
  }
  return value;
}
const d = DEFAULT_WAVEFORM_OPTIONS;
const waveform: WaveformBenchOptions = {
  ...d,
  beds: numberOption('wave-beds', d.beds),
  chunkMs: numberOption('wave-chunk-ms', d.chunkMs),
  warmupMs: numberOption('wave-warmup-ms', d.warmupMs),
  durationMs: numberOption('wave-duration-ms', d.durationMs),
  maxDurationMs: numberOption('wave-max-ms', d.maxDurationMs),
  window: numberOption('wave-window', d.window),
  verifyDevices: numberOption('wave-verify', d.verifyDevices),
};

let mosquittoVersion = 'not installed';
try {
  mosquittoVersion = execSync('mosquitto -h', { encoding: 'utf8' }).split('\n')[0] ?? '';
} catch (err) {
  mosquittoVersion = ((err as { stdout?: string }).stdout ?? '').split('\n')[0] ?? 'not installed';
}
const results: BenchResults = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    mosquitto: mosquittoVersion,
  },
  ingest,
};

if (only.has('e2e')) {
  progress(`end to end, saturated: ${ingest.devices} devices × ${ingest.window} in flight, ${ingest.durationMs} ms`);
  results.endToEnd = await endToEndThroughput(ingest);
}
if (only.has('scaled')) {
  // Needs the local NATS (JetStream) on 4222 and PostgreSQL on 5432 that .ci/run starts.
  results.scaled = await scaledThroughput(ingest, progress);
}
if (only.has('latency')) {
  progress(`latency at a fixed ${ingest.fixedRatePerS} messages/s`);
  results.latency = await fixedRateLatency(ingest);
}
if (only.has('alarm')) {
  progress(`publish → alarm on the live feed at a fixed ${ingest.fixedRatePerS} messages/s`);
  results.alarm = await alarmLatency(ingest);
}
if (only.has('aedes')) {
  progress('relay reference: aedes');
  results.aedes = await aedesRelay(ingest);
}
if (only.has('mosquitto')) {
  progress('relay reference: Mosquitto');
  results.mosquitto = await mosquittoRelay(ingest);
}
if (only.has('tls')) {
  progress(
    `cost of mutual TLS: ${ingest.devices} devices, ${ingest.fixedRatePerS} msg/s then saturated, plain TCP then mutual TLS`,
  );
  results.mtls = await mtlsCost(ingest, progress);
}
if (only.has('query')) {
  const options = {
    ...DEFAULT_QUERY_OPTIONS,
    ...(values.readings === undefined ? {} : { readings: Number(values.readings) }),
  };
  progress(`query latency on a store of ${options.readings.toLocaleString('en')} readings (filling it takes a while)`);
  results.query = await queryLatency(options, progress);
}
if (only.has('qrs')) {
  results.qrs = await qrsThroughput(numberOption('qrs-seconds', 5), numberOption('qrs-runs', 3), progress);
}
if (only.has('waveform')) {
  progress(
    `waveform ingest: ${waveform.beds} beds × ${waveform.fsHz} Hz, one message per ${waveform.chunkMs} ms, ` +
      `${waveform.warmupMs / 1000} s warm-up, ${waveform.durationMs / 1000} s measured` +
      (waveform.maxDurationMs > 0 ? `, then saturated ${waveform.maxDurationMs / 1000} s` : ''),
  );
  results.waveform = await waveformIngest(waveform, mosquittoVersion.startsWith('mosquitto'), progress);
}

let renderReport = '';
if (only.has('render')) {
  const beds = String(numberOption('render-beds', 64));
  const seconds = String(numberOption('render-seconds', 60));
  progress(`dashboard rendering: ${beds} beds at 1 Hz in headless Chromium, ${seconds} s per phase`);
  const run = spawnSync(
    process.execPath,
    ['packages/dashboard/dist/render-bench.js', '--beds', beds, '--seconds', seconds],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (run.status !== 0) {
    process.stderr.write(`bench: the rendering benchmark failed (exit ${String(run.status)})\n`);
    process.exit(1);
  }
  renderReport = `\n${run.stdout}`;
}

const report = formatReport(results) + renderReport;
const outDir = values.out ?? 'bench-results';
await mkdir(outDir, { recursive: true });
const stamp = results.date.replace(/[:.]/g, '-');
await writeFile(`${outDir}/${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(`${outDir}/${stamp}.md`, report);
process.stdout.write(report);
