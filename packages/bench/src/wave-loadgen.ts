/**
 * The waveform benchmark's device load, in its own process: `node wave-loadgen.js '<json WaveLoadSpec>'`.
 * One MQTT.js client per bed publishes, at QoS 1, a telemetry message carrying an ECG lead II segment
 * of `chunkMs` (250 samples at 250 Hz for 1 s) and two numeric readings (see wave-payload.ts):
 * - 'paced': each device once every `chunkMs`, devices spread evenly over the interval, each
 *   segment's `t0` following the previous one (a real monitor streaming its lead);
 * - 'max': each device keeps `window` messages unacknowledged (capacity, not a clinical load).
 * It times publish → PUBACK for every message, optionally publish → stored on the live feed of some
 * devices, reads the CPU time of the given processes over the measured window, and reports every
 * acknowledged seq per device so the caller can check the store. Prints `connected` once every
 * client is connected, then one JSON line with the result when done.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { Histogram } from './histogram.js';
import { cpuSeconds, scrape } from './processes.js';
import { followLive } from './sse.js';
import { WavePool } from './wave-payload.js';

export interface WaveLoadSpec {
  readonly url: string;
  readonly protocolVersion: 4 | 5;
  readonly devicePrefix: string;
  readonly devices: number;
  readonly fsHz: number;
  readonly chunkMs: number;
  readonly mode: 'paced' | 'max';
  readonly window: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Follow `/api/v1/devices/{id}/live` of the first `liveDevices` devices to time publish → stored. */
  readonly liveApiUrl?: string;
  readonly liveDevices?: number;
  /** Processes whose CPU time is read at the start and end of the measured window. */
  readonly cpuPids?: Readonly<Record<string, number>>;
  /** The platform's /metrics: processor messages counted over the window. */
  readonly metricsUrl?: string;
  /** Report every acknowledged seq (for the read-back check). */
  readonly reportSeqs?: boolean;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly count: number;
}

export interface WaveLoadResult {
  /** Counted inside the measured window. */
  readonly acked: number;
  readonly sent: number;
  readonly failed: number;
  /** Publishes not issued because the device had 1,000 unacknowledged (paced mode only). */
  readonly skipped: number;
  readonly measuredMs: number;
  readonly samplesPerMessage: number;
  readonly ackedPerS: number;
  readonly sentPerS: number;
  readonly ackedSamplesPerS: number;
  readonly ackLatencyMs: LatencySummary;
  readonly storedLatencyMs?: LatencySummary;
  /** JSON payload size of one message, bytes (they differ by a few digits only). */
  readonly payloadBytes: number;
  /** CPU seconds per second of the measured window (1 = one core busy), by process name. */
  readonly cpuCores: Record<string, number>;
  /** Processor messages stored per second over the window (when `metricsUrl` was given). */
  readonly storedMessagesPerS?: number;
  /** Over the whole run (warm-up included): messages published, acknowledged, failed. */
  readonly total: { readonly sent: number; readonly acked: number; readonly failed: number };
  readonly boot: string;
  /** Every acknowledged seq, per device id (whole run), as [first, last] ranges; empty unless `reportSeqs`. */
  readonly ackedSeqs: Record<string, [number, number][]>;
}

class Device {
  seq = 0;
  ts = 0;
  t0 = 0;
  inflight = 0;
  readonly acked: number[] = [];
  readonly sentAt = new Map<number, number>();
  constructor(
    readonly index: number,
    readonly id: string,
    readonly client: MqttClient,
  ) {}
}

export async function runWaveLoad(spec: WaveLoadSpec): Promise<WaveLoadResult> {
  const pool = new WavePool({ fsHz: spec.fsHz, chunkMs: spec.chunkMs });
  const boot = `wave-${Date.now().toString(36)}`;
  const devices: Device[] = [];
  // Connect a few at a time: 500 connections at once would be a connection storm, not the load.
  for (let i = 0; i < spec.devices; i += 25) {
    const batch = Array.from({ length: Math.min(25, spec.devices - i) }, (_, j) => i + j);
    const clients = await Promise.all(
      batch.map((k) =>
        connectAsync(spec.url, {
          clientId: `${spec.devicePrefix}${String(k + 1).padStart(4, '0')}`,
          protocolVersion: spec.protocolVersion,
          reconnectPeriod: 0,
          clean: true,
        }),
      ),
    );
    clients.forEach((client, j) => {
      const k = i + j;
      devices.push(new Device(k, `${spec.devicePrefix}${String(k + 1).padStart(4, '0')}`, client));
    });
  }
  process.stdout.write('connected\n');

  const ackHist = new Histogram();
  const storedHist = new Histogram();
  const start = performance.now();
  const startEpoch = Date.now();
  const measureFrom = start + spec.warmupMs;
  const measureTo = measureFrom + spec.durationMs;
  const measuring = () => {
    const now = performance.now();
    return now >= measureFrom && now < measureTo;
  };
  let acked = 0;
  let sent = 0;
  let failed = 0;
  let skipped = 0;
  const total = { sent: 0, acked: 0, failed: 0 };
  let running = true;
  let payloadBytes = 0;

  // CPU and processor counters at both ends of the window.
  const pids = { ...(spec.cpuPids ?? {}), loadgen: process.pid };
  const probe = async () => ({
    at: performance.now(),
    cpu: Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [
        name,
        pid === process.pid ? (process.cpuUsage().user + process.cpuUsage().system) / 1e6 : cpuSeconds(pid),
      ]),
    ),
    stored: spec.metricsUrl === undefined ? NaN : await scrape(spec.metricsUrl, 'wardstream_processor_messages_total'),
  });
  type Probe = Awaited<ReturnType<typeof probe>>;
  const probes: Promise<Probe>[] = [];
  setTimeout(() => probes.push(probe()), spec.warmupMs);
  setTimeout(() => probes.push(probe()), spec.warmupMs + spec.durationMs);

  const stopLive = new AbortController();
  const liveCount = spec.liveApiUrl === undefined ? 0 : (spec.liveDevices ?? 10);
  const followed = new Set(devices.slice(0, liveCount));
  const live = [...followed].map((d) => followLive(spec.liveApiUrl ?? '', d, measuring, storedHist, stopLive.signal));

  const publish = (device: Device, onDone?: () => void) => {
    const now = performance.now();
    const seq = ++device.seq;
    const wall = Date.now();
    device.ts = Math.max(wall, device.ts + 1);
    // Paced: segments follow each other (t0 from the schedule); max: the segment ends at `ts`.
    const t0 =
      spec.mode === 'paced'
        ? startEpoch + Math.round((device.index * spec.chunkMs) / spec.devices) + (seq - 1) * spec.chunkMs
        : device.ts - spec.chunkMs;
    const body = pool.payload(device.index, seq, boot, device.ts, t0);
    payloadBytes = body.length;
    const measured = now >= measureFrom && now < measureTo;
    if (followed.has(device)) device.sentAt.set(seq, now);
    device.inflight++;
    total.sent++;
    if (measured) sent++;
    device.client.publish(`wardstream/v1/devices/${device.id}/telemetry`, body, { qos: 1 }, (err) => {
      device.inflight--;
      const at = performance.now();
      if (err) {
        total.failed++;
        if (at >= measureFrom && at < measureTo) failed++;
      } else {
        total.acked++;
        device.acked.push(seq);
        if (at >= measureFrom && at < measureTo) {
          acked++;
          ackHist.record(at - now);
        }
      }
      onDone?.();
    });
  };

  if (spec.mode === 'max') {
    for (const device of devices) {
      const next = () => {
        if (running) publish(device, next);
      };
      for (let w = 0; w < spec.window; w++) next();
    }
  } else {
    // Device i's k-th message is due at start + i·chunk/devices + (k+1)·chunk: every device once per
    // chunk, spread evenly. Paced by elapsed time, so a late timer does not lower the offered rate.
    const ratePerMs = spec.devices / spec.chunkMs;
    let issued = 0;
    const timer = setInterval(() => {
      const due = Math.floor((performance.now() - start - spec.chunkMs) * ratePerMs) + 1;
      while (issued < due) {
        const device = devices[issued % devices.length] as Device;
        issued++;
        if (device.inflight >= 1000) {
          skipped++;
          device.seq++; // the segment is lost at the device, as a full buffer would lose it
        } else publish(device);
      }
    }, 5);
    setTimeout(() => clearInterval(timer), spec.warmupMs + spec.durationMs);
  }
  await new Promise((resolve) => setTimeout(resolve, spec.warmupMs + spec.durationMs));
  running = false;
  // Acknowledgements of the last publishes, and the live feeds' last events.
  const drainUntil = performance.now() + 10_000;
  while (devices.some((d) => d.inflight > 0) && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  stopLive.abort();
  await Promise.allSettled(live);
  await Promise.all(devices.map((d) => d.client.endAsync(true)));
  const [p0, p1] = await Promise.all(probes);
  const windowS = p0 !== undefined && p1 !== undefined ? (p1.at - p0.at) / 1000 : NaN;
  const cpuCores = Object.fromEntries(
    Object.keys(pids).map((name) => [name, ((p1?.cpu[name] ?? NaN) - (p0?.cpu[name] ?? NaN)) / windowS]),
  );
  const samplesPerMessage = pool.samplesPerChunk;
  return {
    acked,
    sent,
    failed,
    skipped,
    measuredMs: spec.durationMs,
    samplesPerMessage,
    ackedPerS: (acked * 1000) / spec.durationMs,
    sentPerS: (sent * 1000) / spec.durationMs,
    ackedSamplesPerS: (acked * samplesPerMessage * 1000) / spec.durationMs,
    ackLatencyMs: ackHist.summary(),
    ...(liveCount > 0 ? { storedLatencyMs: storedHist.summary() } : {}),
    payloadBytes,
    cpuCores,
    ...(spec.metricsUrl === undefined
      ? {}
      : { storedMessagesPerS: ((p1?.stored ?? NaN) - (p0?.stored ?? NaN)) / windowS }),
    total,
    boot,
    ackedSeqs: spec.reportSeqs === true ? Object.fromEntries(devices.map((d) => [d.id, ranges(d.acked)])) : {},
  };
}

/** Sorted seqs as [first, last] ranges of consecutive values. */
function ranges(seqs: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const seq of [...seqs].sort((a, b) => a - b)) {
    const last = out.at(-1);
    if (last !== undefined && seq === last[1] + 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}

/** Expands `ranges()`. */
export function seqsOf(ranges: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  for (const [first, last] of ranges) for (let seq = first; seq <= last; seq++) out.push(seq);
  return out;
}

const arg = process.argv[2];
if (arg !== undefined && process.argv[1]?.endsWith('wave-loadgen.js') === true) {
  const result = await runWaveLoad(JSON.parse(arg) as WaveLoadSpec);
  // Exit only once the line is written: a pipe write is asynchronous, and exit() would cut it.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
