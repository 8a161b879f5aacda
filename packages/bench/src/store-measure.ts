/**
 * Hand-run measurements of `SqliteReadingStore` alone (the store's share of ingest; not part of `npm run bench`):
 *
 *   node packages/bench/dist/store-measure.js throughput [dir]
 *   node packages/bench/dist/store-measure.js paced [dir]
 *   node packages/bench/dist/store-measure.js query [dir]
 *   node packages/bench/dist/store-measure.js live [dir]
 *
 * throughput: 1000 devices × 7 codes, batches of 2000 messages, as fast as the store takes them,
 *             flushes (every 1000 ms) and background compaction included.
 * paced:      the same load paced at 100,000 readings/s for 120 s: event-loop delay and flush steps.
 * query:      200 patients × 7 codes at 1 Hz for 2 h (10.08 M readings) written in batches, then
 *             compacted; 1000 "last 5 minutes of one metric for one patient" range queries.
 * live:       the same 200 patients in real-time shape: one flush per second of event time (so one
 *             sample per series per chunk), compaction every 30 s of chunks older than 60 s, for
 *             15 minutes of event time; then the same queries on the newest 5 minutes.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { deviceId, ManualClock, patientId, type IngestRecord } from '@wardstream/domain';
import type { FlushReport } from '@wardstream/store';
import { SqliteReadingStore } from '@wardstream/store';
import { BENCH_CODES, BENCH_T0 } from './vital-codes.js';

const CODES = BENCH_CODES;
const T0 = BENCH_T0;

/** One message per device at `observedAt`, seq `seq`, for devices [first, first + count). */
function batch(first: number, count: number, devices: number, seq: number, observedAt: number): IngestRecord[] {
  const out: IngestRecord[] = [];
  for (let k = 0; k < count; k++) {
    const d = (first + k) % devices;
    const s = seq + Math.floor((first + k) / devices);
    out.push({
      deviceId: deviceId(`dev-${d}`),
      patientId: patientId(`pat-${d}`),
      boot: 'b1',
      seq: s,
      observedAt: observedAt + Math.floor((first + k) / devices) * 1_000,
      receivedAt: observedAt + Math.floor((first + k) / devices) * 1_000 + 35,
      readings: CODES.map(([code, unit, base], i) => ({
        code,
        unit,
        value: i === 3 ? Math.round((base + ((s + d) % 9) / 10) * 10) / 10 : base + ((s * 7 + d) % 11) - 5,
        quality: 0,
      })),
      waveforms: [],
    });
  }
  return out;
}

function fileBytes(path: string): number {
  let total = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      total += statSync(p).size;
    } catch {
      // absent
    }
  }
  return total;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function flushSummary(all: readonly FlushReport[]): string {
  // The first flushes create the series rows and meet cold code; they are reported on their own.
  const reports = all.length > 5 ? all.slice(3) : all;
  const first = all.slice(0, all.length - reports.length).map((r) => r.mainThreadMs.toFixed(1));
  const max = (f: (r: FlushReport) => number) => Math.max(...reports.map(f)).toFixed(1);
  const total = reports.map((r) => r.totalMs).sort((a, b) => a - b);
  const readings = reports.reduce((n, r) => n + r.readings, 0) / Math.max(1, reports.length);
  return (
    `${all.length} flushes of ${readings.toFixed(0)} readings on average; main-thread step max ${max((r) => r.mainThreadMs)} ms ` +
    `(first flushes: ${first.join(', ')} ms); ` +
    `writer thread: transaction max ${max((r) => r.transactionMs)} ms (commit max ${max((r) => r.commitMs)} ms), ` +
    `WAL checkpoint max ${max((r) => r.walCheckpointMs)} ms; flush duration p50 ${percentile(total, 50).toFixed(0)} ms, max ${percentile(total, 100).toFixed(0)} ms`
  );
}

async function throughput(dir: string, paced: boolean): Promise<void> {
  const path = join(dir, paced ? 'paced.db' : 'throughput.db');
  const reports: FlushReport[] = [];
  const store = await SqliteReadingStore.open({ path, onFlush: (r) => reports.push(r) });
  const devices = 1_000;
  const perBatch = 2_000;
  const readingsPerBatch = perBatch * CODES.length;
  const batches = paced ? Math.ceil((100_000 * 120) / readingsPerBatch) : 400;
  const intervalMs = (readingsPerBatch / 100_000) * 1_000;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let generateMs = 0;
  let writeMs = 0;
  let longestWriteMs = 0;
  let firstWriteMs = 0;
  const startedAt = performance.now();
  for (let b = 0; b < batches; b++) {
    if (b === 30) delay.enable(); // after warm-up: the first writes and flushes create 7000 series
    const g = performance.now();
    const records = batch(b * perBatch, perBatch, devices, 1, T0);
    const w = performance.now();
    generateMs += w - g;
    await store.write(records, { offsets: { 0: (b + 1) * perBatch }, state: null });
    const took = performance.now() - w;
    writeMs += took;
    if (b === 0) firstWriteMs = took;
    else if (b >= 30) longestWriteMs = Math.max(longestWriteMs, took);
    if (paced) {
      const due = startedAt + (b + 1) * intervalMs;
      await sleep(Math.max(0, due - performance.now()));
    } else {
      await nextTurn();
    }
  }
  await store.flush();
  const elapsedMs = performance.now() - startedAt;
  delay.disable();
  const readings = batches * readingsPerBatch;
  console.log(paced ? 'paced at 100,000 readings/s' : 'unpaced throughput');
  console.log(
    `  ${readings} readings in ${(elapsedMs / 1000).toFixed(2)} s (generating records ${(generateMs / 1000).toFixed(2)} s)`,
  );
  console.log(
    `  ${Math.round(readings / ((elapsedMs - generateMs) / 1000))} readings/s store time (write + flush + compaction)`,
  );
  console.log(
    `  write() total ${(writeMs / 1000).toFixed(2)} s; first write() (creates 7000 series) ${firstWriteMs.toFixed(1)} ms; ` +
      `longest later write() of ${readingsPerBatch} readings ${longestWriteMs.toFixed(1)} ms (includes waiting for a flush under back-pressure)`,
  );
  console.log(`  ${flushSummary(reports)}`);
  console.log(
    `  event-loop delay after warm-up: max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, mean ${(delay.mean / 1e6).toFixed(2)} ms`,
  );
  console.log(`  file ${(fileBytes(path) / 2 ** 20).toFixed(1)} MiB`);
  await store.close();
}

async function query(dir: string): Promise<void> {
  const path = join(dir, 'query.db');
  const reports: FlushReport[] = [];
  const store = await SqliteReadingStore.open({
    path,
    compactAfterMs: 0,
    compactIntervalMs: 0,
    onFlush: (r) => reports.push(r),
  });
  const patients = 200;
  const seconds = 7_200;
  const perBatch = 2_000;
  const messages = patients * seconds;
  let startedAt = performance.now();
  for (let first = 0; first < messages; first += perBatch) {
    await store.write(batch(first, perBatch, patients, 1, T0), { offsets: { 0: first + perBatch }, state: null });
    await nextTurn();
  }
  await store.flush();
  const stats = await store.stats();
  console.log(
    `filled ${stats.readings} readings in ${((performance.now() - startedAt) / 1000).toFixed(1)} s; ${flushSummary(reports)}`,
  );
  console.log(`  file before compaction ${(fileBytes(path) / 2 ** 20).toFixed(1)} MiB`);
  const endAt = T0 + seconds * 1_000;
  await timeQueries(store, patients, endAt, 'before compaction');
  startedAt = performance.now();
  const compaction = await store.compact();
  console.log(`compacted ${JSON.stringify(compaction)} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  await store.close();
  startedAt = performance.now();
  const reopened = await SqliteReadingStore.open({ path, compactIntervalMs: 0 });
  console.log(
    `reopened in ${(performance.now() - startedAt).toFixed(0)} ms; file ${(fileBytes(path) / 2 ** 20).toFixed(1)} MiB`,
  );
  await timeQueries(reopened, patients, endAt, 'after compaction');
  await timeQueries(reopened, patients, endAt, 'after compaction, random 5-minute windows', true);
  await reopened.close();
}

async function timeQueries(
  store: SqliteReadingStore,
  patients: number,
  endAt: number,
  label: string,
  randomWindow = false,
): Promise<void> {
  const times: number[] = [];
  let rows = 0;
  for (let q = 0; q < 1_000; q++) {
    const p = Math.floor(Math.random() * patients);
    const code = CODES[Math.floor(Math.random() * CODES.length)]?.[0] ?? 'MDC_ECG_HEART_RATE';
    const toAt = randomWindow ? T0 + 300_000 + Math.floor(Math.random() * (endAt - T0 - 300_000)) : endAt;
    const t = performance.now();
    const page = await store.range({
      subject: { patientId: patientId(`pat-${p}`) },
      code,
      fromAt: toAt - 300_000,
      toAt,
    });
    times.push(performance.now() - t);
    rows += page.readings.length;
  }
  times.sort((a, b) => a - b);
  console.log(
    `  ${label}: 1000 queries, ${(rows / 1000).toFixed(0)} readings each, p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms, max ${percentile(times, 100).toFixed(3)} ms`,
  );
}

async function live(dir: string): Promise<void> {
  const path = join(dir, 'live.db');
  const clock = new ManualClock(T0);
  const store = await SqliteReadingStore.open({ path, clock, flushIntervalMs: 60_000, compactIntervalMs: 0 });
  const patients = 200;
  const seconds = 900;
  for (let s = 0; s < seconds; s++) {
    await store.write(batch(0, patients, patients, s + 1, T0 + s * 1_000), { offsets: { 0: s }, state: null });
    clock.advance(1_000);
    await store.flush();
    if (s % 30 === 29) await store.compact();
  }
  const stats = await store.stats();
  console.log(
    `live shape: ${stats.readings} readings, ${seconds} flushes, compaction every 30 s; file ${(fileBytes(path) / 2 ** 20).toFixed(1)} MiB`,
  );
  await timeQueries(
    store,
    patients,
    T0 + seconds * 1_000,
    'newest 5 minutes (about 60 one-sample chunks + compacted ones)',
  );
  await store.close();
}

const [mode = 'throughput', dir = '/tmp/ws-store-measure'] = process.argv.slice(2);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
if (mode === 'throughput') await throughput(dir, false);
else if (mode === 'paced') await throughput(dir, true);
else if (mode === 'query') await query(dir);
else if (mode === 'live') await live(dir);
else throw new Error(`unknown mode ${mode}`);
