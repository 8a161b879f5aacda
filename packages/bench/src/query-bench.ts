import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { deviceId, patientId, type IngestRecord } from '@wardstream/domain';
import { SqliteReadingStore } from '@wardstream/store';
import { Histogram } from './histogram.js';
import { BENCH_CODES, BENCH_T0 } from './vital-codes.js';

export interface QueryOptions {
  /** Readings to fill the store with (patients × 7 codes × seconds at 1 Hz). */
  readonly readings: number;
  readonly patients: number;
  readonly queries: number;
}

export const DEFAULT_QUERY_OPTIONS: QueryOptions = { readings: 10_080_000, patients: 200, queries: 1_000 };

export interface QueryResult {
  readonly readings: number;
  readonly patients: number;
  readonly codes: number;
  readonly fileMiB: number;
  readonly fillReadingsPerS: number;
  /** Newest 5 minutes, random patient and code. */
  readonly latencyMs: { p50: number; p99: number; max: number; count: number };
  /** A 5-minute window anywhere in the stored span, random patient and code. */
  readonly randomWindowLatencyMs: { p50: number; p99: number; max: number; count: number };
  readonly rowsPerQuery: number;
}

const CODES = BENCH_CODES;
const T0 = BENCH_T0;
const FIVE_MIN_MS = 300_000;

/** One second of messages (one per patient) at second `s`. */
function second(s: number, patients: number): IngestRecord[] {
  const out: IngestRecord[] = [];
  for (let p = 0; p < patients; p++) {
    const observedAt = T0 + s * 1_000;
    out.push({
      deviceId: deviceId(`dev-${p}`),
      patientId: patientId(`pat-${p}`),
      boot: 'b1',
      seq: s + 1,
      observedAt,
      receivedAt: observedAt + 35,
      readings: CODES.map(([code, unit, base], i) => ({
        code,
        unit,
        value: base + ((s + p + i) % 7) * 0.5,
        quality: 0,
      })),
      waveforms: [],
    });
  }
  return out;
}

async function timeQueries(
  store: SqliteReadingStore,
  o: QueryOptions,
  endAt: number,
  randomWindow: boolean,
): Promise<{ hist: Histogram; rows: number }> {
  const hist = new Histogram();
  let rows = 0;
  for (let q = 0; q < o.queries; q++) {
    const p = Math.floor(Math.random() * o.patients);
    const code = CODES[Math.floor(Math.random() * CODES.length)]?.[0] ?? 'MDC_ECG_HEART_RATE';
    const toAt = randomWindow ? T0 + FIVE_MIN_MS + Math.floor(Math.random() * (endAt - T0 - FIVE_MIN_MS)) : endAt;
    const started = performance.now();
    const page = await store.range({
      subject: { patientId: patientId(`pat-${p}`) },
      code,
      fromAt: toAt - FIVE_MIN_MS,
      toAt,
    });
    hist.record(performance.now() - started);
    rows = page.readings.length;
  }
  return { hist, rows };
}

/**
 * Fills an embedded store the way the processor does (batches of messages with their checkpoint),
 * lets it compact, reopens it (so every answer comes from disk, not from the in-memory head), then
 * times "last 5 minutes of one metric for one patient" through the store port.
 */
export async function queryLatency(o: QueryOptions, progress: (text: string) => void): Promise<QueryResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-query-'));
  const path = join(dir, 'store.db');
  try {
    const seconds = Math.ceil(o.readings / (o.patients * CODES.length));
    let store = await SqliteReadingStore.open({ path, compactAfterMs: 0, compactIntervalMs: 0 });
    const fillStart = performance.now();
    let offset = 0;
    for (let s = 0; s < seconds; s += 10) {
      const records = [];
      for (let k = s; k < Math.min(seconds, s + 10); k++) records.push(...second(k, o.patients));
      offset += records.length;
      await store.write(records, { offsets: { 0: offset }, state: null });
      await nextTurn();
      if (s % 600 === 0) progress(`filled ${Math.round((s / seconds) * 100)} %`);
    }
    await store.flush();
    const fillS = (performance.now() - fillStart) / 1000;
    progress('compacting');
    await store.compact();
    const stats = await store.stats();
    await store.close();
    store = await SqliteReadingStore.open({ path, compactIntervalMs: 0 });
    const endAt = T0 + seconds * 1_000;
    await timeQueries(store, { ...o, queries: 100 }, endAt, false); // warm the page cache, as a running server has it
    const newest = await timeQueries(store, o, endAt, false);
    const anywhere = await timeQueries(store, o, endAt, true);
    await store.close();
    let bytes = 0;
    for (const suffix of ['', '-wal'])
      bytes += await stat(path + suffix).then(
        (s) => s.size,
        () => 0,
      );
    return {
      readings: stats.readings,
      patients: o.patients,
      codes: CODES.length,
      fileMiB: bytes / 2 ** 20,
      fillReadingsPerS: stats.readings / fillS,
      latencyMs: newest.hist.summary(),
      randomWindowLatencyMs: anywhere.hist.summary(),
      rowsPerQuery: newest.rows,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
