/**
 * `npm run bench`: the benchmark of issue 2, every number measured in one run on this machine.
 *   node packages/bench/dist/main.js [--only e2e,latency,alarm,aedes,mosquitto,query] [--duration-ms N]
 *                                    [--rate MSG_PER_S (latency and alarm runs, default 5000)] [--readings N (query)]
 * Prints a Markdown report (for docs/BENCHMARKS.md) and writes it with the raw JSON to bench-results/.
 */
import { execSync } from 'node:child_process';
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
import { DEFAULT_QUERY_OPTIONS, queryLatency } from './query-bench.js';
import { formatReport, type BenchResults } from './report.js';

const ALL = ['e2e', 'latency', 'alarm', 'aedes', 'mosquitto', 'query'] as const;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'duration-ms': { type: 'string' },
    readings: { type: 'string' },
    rate: { type: 'string' },
  },
});
const only = new Set((values.only ?? ALL.join(',')).split(','));
for (const name of only) {
  if (!(ALL as readonly string[]).includes(name)) {
    process.stderr.write(`bench: unknown benchmark "${name}" (choose from ${ALL.join(', ')})\n`);
    process.exit(2);
  }
}
const ingest: IngestBenchOptions = {
  ...DEFAULT_INGEST_OPTIONS,
  ...(values['duration-ms'] === undefined ? {} : { durationMs: Number(values['duration-ms']) }),
  ...(values.rate === undefined ? {} : { fixedRatePerS: Number(values.rate) }),
};
const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

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
if (only.has('query')) {
  const options = {
    ...DEFAULT_QUERY_OPTIONS,
    ...(values.readings === undefined ? {} : { readings: Number(values.readings) }),
  };
  progress(`query latency on a store of ${options.readings.toLocaleString('en')} readings (filling it takes a while)`);
  results.query = await queryLatency(options, progress);
}

const report = formatReport(results);
await mkdir('bench-results', { recursive: true });
const stamp = results.date.replace(/[:.]/g, '-');
await writeFile(`bench-results/${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(`bench-results/${stamp}.md`, report);
process.stdout.write(report);
