import { execFileSync } from 'node:child_process';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { admitDevices, startMosquitto, startPlatform } from './ingest-bench.js';
import { apiHeaders, scrape, script, sleep, start, type Child } from './processes.js';
import { ECG_CODE, WavePool } from './wave-payload.js';
import { seqsOf, type WaveLoadResult, type WaveLoadSpec } from './wave-loadgen.js';

/**
 * `--only waveform`: ECG waveform ingest of a ward of beds, end to end through `wardstream up`,
 * and the same device load relayed by Mosquitto as the reference.
 *
 * 1. Paced (the clinical load): every bed sends one message per `chunkMs` with a 250 Hz lead II
 *    segment. Measured: acknowledged messages and samples per second, publish → PUBACK, publish →
 *    stored (on the live feed of some devices), the platform's CPU; then, once the processor has
 *    caught up, every acknowledged segment is read back through `GET /api/v1/devices/{id}/waveforms`
 *    and compared sample by sample with what was sent (lost, duplicated, altered); after a clean
 *    stop, the store file's growth per stored sample.
 * 2. Saturated (capacity, `maxDurationMs` > 0): the same payloads, each bed keeping `window`
 *    unacknowledged, on a fresh platform and on Mosquitto: the ratio of what each takes.
 */
export interface WaveformBenchOptions {
  readonly beds: number;
  readonly fsHz: number;
  readonly chunkMs: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Measured window of the saturated runs; 0 skips them. */
  readonly maxDurationMs: number;
  /** Unacknowledged messages per bed in the saturated runs. */
  readonly window: number;
  /** Devices whose live feed times publish → stored (paced run). */
  readonly liveDevices: number;
  /** Devices read back after the paced run (0: all) and after the saturated run. */
  readonly verifyDevices: number;
  readonly verifyDevicesMax: number;
  readonly protocolVersion: 4 | 5;
}

export const DEFAULT_WAVEFORM_OPTIONS: WaveformBenchOptions = {
  beds: 500,
  fsHz: 250,
  chunkMs: 1_000,
  warmupMs: 10_000,
  durationMs: 30_000,
  maxDurationMs: 15_000,
  window: 2,
  liveDevices: 20,
  verifyDevices: 0,
  verifyDevicesMax: 50,
  protocolVersion: 4,
};

/** The read-back check: acknowledged segments against what the API returns. */
export interface WaveVerifyResult {
  readonly devicesChecked: number;
  /** Acknowledged messages of the devices checked (whole run, warm-up included). */
  readonly ackedMessages: number;
  readonly ackedSamples: number;
  /** Segments the API returned for this run's boot. */
  readonly storedSegments: number;
  readonly storedSamples: number;
  /** Acknowledged, not returned. */
  readonly lost: number;
  /** Extra copies of one (device, boot, seq) segment. */
  readonly duplicated: number;
  /** Returned but never acknowledged (a PUBACK still on its way when the load stopped). */
  readonly storedNotAcked: number;
  /** Returned with samples different from those sent (count or any value). */
  readonly altered: number;
  readonly readBackMs: number;
}

/** The store's file after a clean stop, against its size before the load. */
export interface WaveStorageResult {
  readonly storeBytesBefore: number;
  readonly storeBytesAfter: number;
  /** Growth of store.db + store.db-wal ÷ samples stored (also holds the 2 readings per message). */
  readonly fileBytesPerSample: number;
  /** The durable log (raw messages, JSON) ÷ samples stored, for comparison. */
  readonly logBytes: number;
  readonly logBytesPerSample: number;
  /** From SQLite itself (sqlite3 CLI, dbstat), when available. */
  readonly sqlite?: {
    readonly segments: number;
    readonly blobBytes: number;
    readonly tableBytes: number;
    readonly indexBytes: number;
    readonly blobBytesPerSample: number;
    readonly tableAndIndexBytesPerSample: number;
    /** Where the file's pages went: bytes per table or index (dbstat), and free pages. */
    readonly pagesByObject: Record<string, number>;
    readonly freeBytes: number;
  };
  /** store.db-wal after the clean stop (part of `storeBytesAfter`). */
  readonly walBytesAfter: number;
}

export type WaveLoadSummary = Omit<WaveLoadResult, 'ackedSeqs'>;

export interface WaveformPlatformRun {
  readonly load: WaveLoadSummary;
  /** From the end of the load until the processor's lag was 0. */
  readonly drainMs: number;
  readonly verify: WaveVerifyResult;
  readonly storage?: WaveStorageResult;
}

export interface WaveformRelayRun {
  readonly load: WaveLoadSummary;
  readonly receivedPerS: number;
}

export interface WaveformResult {
  readonly options: WaveformBenchOptions;
  readonly samplesPerMessage: number;
  readonly payloadBytes: number;
  readonly paced: { readonly wardstream: WaveformPlatformRun; readonly mosquitto?: WaveformRelayRun };
  readonly saturated?: { readonly wardstream: WaveformPlatformRun; readonly mosquitto?: WaveformRelayRun };
}

const PREFIX = 'bench-';

function waveSpec(
  o: WaveformBenchOptions,
  url: string,
  mode: 'paced' | 'max',
  extra: Partial<WaveLoadSpec>,
): WaveLoadSpec {
  return {
    url,
    protocolVersion: o.protocolVersion,
    devicePrefix: PREFIX,
    devices: o.beds,
    fsHz: o.fsHz,
    chunkMs: o.chunkMs,
    mode,
    window: o.window,
    warmupMs: o.warmupMs,
    durationMs: mode === 'max' ? o.maxDurationMs : o.durationMs,
    ...extra,
  };
}

/** Runs the load generator; `onConnected` runs once all its clients are connected. */
async function runWaveLoad(spec: WaveLoadSpec, onConnected?: () => void): Promise<WaveLoadResult> {
  const child = await start(process.execPath, [script('wave-loadgen.js'), JSON.stringify(spec)], 'connected');
  onConnected?.();
  const last = await child.done;
  try {
    return JSON.parse(last) as WaveLoadResult;
  } catch {
    throw new Error(`wave-loadgen did not print a result:\n${child.output().slice(-2000)}`);
  }
}

function summary(load: WaveLoadResult): WaveLoadSummary {
  const { ackedSeqs: _acks, ...rest } = load;
  return rest;
}

async function waitForDrain(metricsUrl: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let zeroes = 0;
  while (performance.now() - t0 < timeoutMs) {
    zeroes = (await scrape(metricsUrl, 'wardstream_processor_lag_messages')) === 0 ? zeroes + 1 : 0;
    if (zeroes >= 2) return performance.now() - t0;
    await sleep(100);
  }
  throw new Error(`the processor still lagged ${timeoutMs} ms after the load ended`);
}

async function verifyStored(
  apiUrl: string,
  pool: WavePool,
  load: WaveLoadResult,
  devices: number,
  fromAt: number,
): Promise<WaveVerifyResult> {
  const t0 = performance.now();
  const toAt = Date.now() + 60_000;
  const ids = Object.keys(load.ackedSeqs).sort().slice(0, devices);
  const r = { ackedMessages: 0, ackedSamples: 0, storedSegments: 0, storedSamples: 0, lost: 0, duplicated: 0 };
  let storedNotAcked = 0;
  let altered = 0;
  const check = async (id: string) => {
    const index = Number(id.slice(PREFIX.length)) - 1;
    const url = `${apiUrl}/api/v1/devices/${id}/waveforms?from=${fromAt}&to=${toAt}&code=${ECG_CODE}`;
    const res = await fetch(url, { headers: apiHeaders() });
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { waveforms: { boot: string; seq: number; samples: number[] }[] };
    const copies = new Map<number, number>();
    for (const w of body.waveforms) {
      if (w.boot !== load.boot) continue;
      r.storedSegments++;
      r.storedSamples += w.samples.length;
      copies.set(w.seq, (copies.get(w.seq) ?? 0) + 1);
      const sent = pool.samples(index, w.seq);
      if (w.samples.length !== sent.length || w.samples.some((v, k) => v !== sent[k])) altered++;
    }
    const acked = new Set(seqsOf(load.ackedSeqs[id] ?? []));
    r.ackedMessages += acked.size;
    r.ackedSamples += acked.size * pool.samplesPerChunk;
    for (const seq of acked) if (!copies.has(seq)) r.lost++;
    for (const [seq, n] of copies) {
      r.duplicated += n - 1;
      if (!acked.has(seq)) storedNotAcked++;
    }
  };
  for (let i = 0; i < ids.length; i += 4) await Promise.all(ids.slice(i, i + 4).map(check));
  return { devicesChecked: ids.length, ...r, storedNotAcked, altered, readBackMs: Math.round(performance.now() - t0) };
}

async function fileBytes(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) return s.size;
    const entries = await readdir(path);
    let sum = 0;
    for (const e of entries) sum += await fileBytes(join(path, e));
    return sum;
  } catch {
    return 0;
  }
}

const storeBytes = async (dataDir: string) =>
  (await fileBytes(join(dataDir, 'store.db'))) + (await fileBytes(join(dataDir, 'store.db-wal')));

interface SqliteFigures {
  segments: number;
  blobBytes: number;
  tableBytes: number;
  indexBytes: number;
  pagesByObject: Record<string, number>;
  freeBytes: number;
}

/** Figures read by the sqlite3 CLI (read-only) from the closed store; undefined without it. */
function sqliteFigures(dbPath: string): SqliteFigures | undefined {
  const query = <T>(sql: string): T[] => {
    const out = execFileSync('sqlite3', ['-readonly', '-json', dbPath, sql], { encoding: 'utf8' });
    return out.trim() === '' ? [] : (JSON.parse(out) as T[]);
  };
  try {
    const [row] = query<Omit<SqliteFigures, 'pagesByObject' | 'freeBytes'>>(
      'SELECT (SELECT COUNT(*) FROM waveform) AS segments, (SELECT COALESCE(SUM(LENGTH(samples)), 0) FROM waveform) AS blobBytes, ' +
        "(SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = 'waveform') AS tableBytes, " +
        "(SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN ('waveform_by_patient', 'waveform_by_device')) AS indexBytes;",
    );
    const objects = query<{ name: string; bytes: number }>(
      'SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC;',
    );
    const [free] = query<{ bytes: number }>(
      'SELECT (SELECT freelist_count FROM pragma_freelist_count) * (SELECT page_size FROM pragma_page_size) AS bytes;',
    );
    if (row === undefined) return undefined;
    return {
      ...row,
      pagesByObject: Object.fromEntries(objects.map((o) => [o.name, o.bytes])),
      freeBytes: free?.bytes ?? 0,
    };
  } catch {
    return undefined;
  }
}

/** SIGTERM (a clean stop: drain, flush, close), SIGKILL if that takes more than 60 s. */
async function stopCleanly(child: Child): Promise<void> {
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 60_000);
  await child.stop('SIGTERM');
  clearTimeout(timer);
}

async function platformRun(
  o: WaveformBenchOptions,
  pool: WavePool,
  mode: 'paced' | 'max',
  progress: (text: string) => void,
): Promise<WaveformPlatformRun> {
  const platform = await startPlatform();
  try {
    progress(`admitting ${o.beds} beds`);
    await admitDevices(platform.apiUrl, o.beds, 10);
    const before = await storeBytes(platform.dataDir);
    const fromAt = Date.now() - 60_000;
    const metricsUrl = `${platform.apiUrl}/metrics`;
    progress(`${mode === 'paced' ? 'paced' : 'saturated'} load on wardstream up`);
    const load = await runWaveLoad(
      waveSpec(o, platform.mqttUrl, mode, {
        metricsUrl,
        reportSeqs: true,
        cpuPids: { platform: platform.child.process.pid ?? 0 },
        ...(mode === 'paced' ? { liveApiUrl: platform.apiUrl, liveDevices: o.liveDevices } : {}),
      }),
    );
    const drainMs = await waitForDrain(metricsUrl, 120_000);
    const devices =
      mode === 'paced' ? o.verifyDevices || o.beds : Math.min(o.verifyDevices || o.beds, o.verifyDevicesMax);
    progress(`reading back the segments of ${devices} devices`);
    const verify = await verifyStored(platform.apiUrl, pool, load, devices, fromAt);
    if (mode !== 'paced') return { load: summary(load), drainMs, verify };
    await stopCleanly(platform.child);
    const after = await storeBytes(platform.dataDir);
    const logBytes = await fileBytes(join(platform.dataDir, 'log'));
    const db = sqliteFigures(join(platform.dataDir, 'store.db'));
    // Every stored sample, not only the acknowledged ones of the devices read back.
    const samples = db === undefined ? verify.storedSamples : db.segments * pool.samplesPerChunk;
    const storage: WaveStorageResult = {
      storeBytesBefore: before,
      storeBytesAfter: after,
      walBytesAfter: await fileBytes(join(platform.dataDir, 'store.db-wal')),
      fileBytesPerSample: (after - before) / samples,
      logBytes,
      logBytesPerSample: logBytes / samples,
      ...(db === undefined
        ? {}
        : {
            sqlite: {
              ...db,
              blobBytesPerSample: db.blobBytes / samples,
              tableAndIndexBytesPerSample: (db.tableBytes + db.indexBytes) / samples,
            },
          }),
    };
    return { load: summary(load), drainMs, verify, storage };
  } finally {
    await platform.child.stop('SIGKILL');
    await rm(platform.dataDir, { recursive: true, force: true });
  }
}

async function mosquittoRun(o: WaveformBenchOptions, mode: 'paced' | 'max'): Promise<WaveformRelayRun> {
  const mosquitto = await startMosquitto();
  try {
    const durationMs = mode === 'max' ? o.maxDurationMs : o.durationMs;
    const subscriber = await start(
      process.execPath,
      [script('subscriber.js'), JSON.stringify({ url: mosquitto.url, warmupMs: o.warmupMs, durationMs })],
      'subscribed',
    );
    const load = await runWaveLoad(
      waveSpec(o, mosquitto.url, mode, { cpuPids: { mosquitto: mosquitto.broker.process.pid ?? 0 } }),
      () => subscriber.process.stdin?.write('go\n'),
    );
    const last = await subscriber.done;
    return { load: summary(load), receivedPerS: (JSON.parse(last) as { receivedPerS: number }).receivedPerS };
  } finally {
    await mosquitto.stop();
  }
}

export async function waveformIngest(
  o: WaveformBenchOptions,
  withMosquitto: boolean,
  progress: (text: string) => void,
): Promise<WaveformResult> {
  const pool = new WavePool({ fsHz: o.fsHz, chunkMs: o.chunkMs });
  const paced = await platformRun(o, pool, 'paced', progress);
  let pacedRelay: WaveformRelayRun | undefined;
  if (withMosquitto) {
    progress('paced load on Mosquitto');
    pacedRelay = await mosquittoRun(o, 'paced');
  }
  let saturated: WaveformResult['saturated'];
  if (o.maxDurationMs > 0) {
    const wardstream = await platformRun(o, pool, 'max', progress);
    let relay: WaveformRelayRun | undefined;
    if (withMosquitto) {
      progress('saturated load on Mosquitto');
      relay = await mosquittoRun(o, 'max');
    }
    saturated = { wardstream, ...(relay === undefined ? {} : { mosquitto: relay }) };
  }
  return {
    options: o,
    samplesPerMessage: pool.samplesPerChunk,
    payloadBytes: paced.load.payloadBytes,
    paced: { wardstream: paced, ...(pacedRelay === undefined ? {} : { mosquitto: pacedRelay }) },
    ...(saturated === undefined ? {} : { saturated }),
  };
}
