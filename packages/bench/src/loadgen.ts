/**
 * The benchmark's device load, run as its own process so it does not share a thread with what it
 * measures: `node loadgen.js '<json LoadSpec>'`. MQTT.js clients publish telemetry payloads of the
 * device wire contract (7 readings each) at QoS 1, either as fast as the endpoint acknowledges
 * (`window` unacknowledged per client) or at a fixed total rate. Optionally it follows the live feed
 * of some devices to time publish → stored (the processor emits live readings right after the store
 * write), and the live feed of some patients to time publish → alarm raised (`alarmPatients`).
 * Prints one JSON line with the result when done.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { AlarmProbe, TRIGGER_HEART_RATE_BPM, type AlarmProbeResult, type AlarmProbeSpec } from './alarm-probe.js';
import { Histogram } from './histogram.js';
import { cpuSeconds } from './processes.js';
import { followLive } from './sse.js';

export interface LoadSpec {
  readonly url: string;
  readonly protocolVersion: 4 | 5;
  readonly devicePrefix: string;
  readonly devices: number;
  /** 'max': keep `window` unacknowledged per client; 'rate': `ratePerS` messages/s over all clients. */
  readonly mode: 'max' | 'rate';
  readonly window: number;
  readonly ratePerS: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Follow `/api/v1/devices/{id}/live` of the first N devices to time publish → stored. */
  readonly liveApiUrl?: string;
  readonly liveDevices?: number;
  /**
   * Time publish → alarm on the patient live feed: every `every`-th message of the first
   * `patientIds.length` devices carries heart rate TRIGGER_HEART_RATE_BPM.
   */
  readonly alarmPatients?: AlarmProbeSpec;
  /**
   * Mutual TLS (`url` is mqtts://): `dir` holds `ca.crt` and each device's `<id>.crt` and `<id>.key`;
   * the client id is the device id, which the certificate's CN carries too.
   */
  readonly tls?: { readonly dir: string };
  /** Processes whose CPU (user + system) is measured over the measured window, by name. */
  readonly cpuPids?: Readonly<Record<string, number>>;
}

export interface LoadResult {
  readonly acked: number;
  readonly sent: number;
  readonly failed: number;
  readonly measuredMs: number;
  readonly ackedPerS: number;
  /** Publishes issued per second during the measured window (the offered load). */
  readonly sentPerS: number;
  readonly ackLatencyMs: { p50: number; p99: number; max: number; count: number };
  readonly storedLatencyMs?: { p50: number; p99: number; max: number; count: number };
  readonly alarms?: AlarmProbeResult;
  /** Connecting every device, one after the other (TLS handshakes included), before the warm-up. */
  readonly connectMs: number;
  /** Cores used during the measured window by each `cpuPids` process and the load generator (`loadgen`). */
  readonly cpuCores?: Record<string, number>;
}

/** How long after the run a trigger's alarm may still arrive (beyond the 1 s every run waits). */
const ALARM_GRACE_MS = 5_000;

/** `jitter`: the value cycles through value … value + jitter (SpO2 stays ≤ 99 %, below its 100 % limit). */
const READINGS = [
  { code: 'MDC_ECG_HEART_RATE', value: 72, unit: '/min', jitter: 4 },
  { code: 'MDC_PULS_OXIM_SAT_O2', value: 97, unit: '%', jitter: 2 },
  { code: 'MDC_RESP_RATE', value: 14, unit: '/min', jitter: 4 },
  { code: 'MDC_TEMP_BODY', value: 36.9, unit: 'Cel', jitter: 4 },
  { code: 'MDC_PRESS_BLD_NONINV_SYS', value: 121, unit: 'mm[Hg]', jitter: 4 },
  { code: 'MDC_PRESS_BLD_NONINV_DIA', value: 79, unit: 'mm[Hg]', jitter: 4 },
  { code: 'MDC_PULS_OXIM_PULS_RATE', value: 73, unit: '/min', jitter: 4 },
] as const;

class Device {
  seq = 0;
  /** `ts` of the last message: strictly increasing, so a trigger's `ts` names it. */
  ts = 0;
  readonly sentAt = new Map<number, number>();
  inflight = 0;
  constructor(
    readonly index: number,
    readonly id: string,
    readonly client: MqttClient,
    readonly boot: string,
  ) {}

  payload(now: number, trigger: boolean): string {
    this.seq++;
    this.ts = Math.max(now, this.ts + 1);
    const readings = READINGS.map((r) => ({
      code: r.code,
      value:
        trigger && r.code === 'MDC_ECG_HEART_RATE' ? TRIGGER_HEART_RATE_BPM : r.value + (this.seq % (r.jitter + 1)),
      unit: r.unit,
    }));
    return JSON.stringify({
      seq: this.seq,
      boot: this.boot,
      ts: this.ts,
      readings,
      status: { battery: 0.9, rssi: -60, errors: [] },
    });
  }
}

/** The id of the `index`-th device (from 1) of a load: what it connects and publishes as. */
export function loadDeviceId(devicePrefix: string, index: number): string {
  return `${devicePrefix}${String(index).padStart(4, '0')}`;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const boot = `bench-${Date.now().toString(36)}`;
  const devices: Device[] = [];
  const tlsDir = spec.tls?.dir;
  const ca = tlsDir === undefined ? null : readFileSync(join(tlsDir, 'ca.crt'));
  const connectStart = performance.now();
  for (let i = 1; i <= spec.devices; i++) {
    const id = loadDeviceId(spec.devicePrefix, i);
    const client = await connectAsync(spec.url, {
      clientId: id,
      protocolVersion: spec.protocolVersion,
      reconnectPeriod: 0,
      clean: true,
      ...(tlsDir !== undefined &&
        ca !== null && {
          ca,
          cert: readFileSync(join(tlsDir, `${id}.crt`)),
          key: readFileSync(join(tlsDir, `${id}.key`)),
          rejectUnauthorized: true,
        }),
    });
    devices.push(new Device(i - 1, id, client, boot));
  }
  const connectMs = performance.now() - connectStart;
  const probe = spec.alarmPatients === undefined ? undefined : new AlarmProbe(spec.alarmPatients);
  await probe?.start();
  const ackHist = new Histogram();
  const storedHist = new Histogram();
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const measureTo = measureFrom + spec.durationMs;
  let acked = 0;
  let sent = 0;
  let failed = 0;
  let running = true;
  const pids = { ...(spec.cpuPids ?? {}), loadgen: process.pid };
  const cpuNow = () =>
    Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => {
        const own = process.cpuUsage();
        return [name, pid === process.pid ? (own.user + own.system) / 1e6 : cpuSeconds(pid)] as const;
      }),
    );
  const cpuAt: { at: number; cpu: Record<string, number> }[] = [];
  setTimeout(() => cpuAt.push({ at: performance.now(), cpu: cpuNow() }), spec.warmupMs);
  setTimeout(() => cpuAt.push({ at: performance.now(), cpu: cpuNow() }), spec.warmupMs + spec.durationMs);
  const measuring = () => {
    const now = performance.now();
    return now >= measureFrom && now < measureTo;
  };
  const stopLive = new AbortController();
  const live =
    spec.liveApiUrl === undefined
      ? []
      : devices
          .slice(0, spec.liveDevices ?? 4)
          .map((d) => followLive(spec.liveApiUrl ?? '', d, measuring, storedHist, stopLive.signal));
  const follows = new Set(devices.slice(0, spec.liveApiUrl === undefined ? 0 : (spec.liveDevices ?? 4)));

  const publish = (device: Device, onDone?: () => void) => {
    const trigger = probe?.isTrigger(device.index, device.seq + 1) ?? false;
    const now = performance.now();
    const body = device.payload(Date.now(), trigger);
    const seq = device.seq;
    const measured = now >= measureFrom && now < measureTo;
    if (follows.has(device)) device.sentAt.set(seq, now);
    if (trigger) probe?.published(device.index, device.ts, now, measured);
    device.inflight++;
    if (measured) sent++;
    device.client.publish(`wardstream/v1/devices/${device.id}/telemetry`, body, { qos: 1 }, (err) => {
      device.inflight--;
      const at = performance.now();
      if (err) failed++;
      else if (at >= measureFrom && at < measureTo) {
        acked++;
        ackHist.record(at - now);
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
    // Paced by elapsed time, not by tick count, so a late timer does not lower the offered rate.
    const tickMs = 5;
    let issued = 0;
    let turn = 0;
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - start) * spec.ratePerS) / 1000);
      while (issued < due) {
        issued++;
        const device = devices[turn++ % devices.length];
        if (device !== undefined && device.inflight < 1000) publish(device);
      }
    }, tickMs);
    timer.unref();
    setTimeout(() => clearInterval(timer), spec.warmupMs + spec.durationMs).unref();
  }
  await new Promise((resolve) => setTimeout(resolve, spec.warmupMs + spec.durationMs));
  running = false;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  stopLive.abort();
  await Promise.allSettled(live);
  // An alarm later than this is counted missing, not timed.
  const alarms = await probe?.finish(ALARM_GRACE_MS);
  await Promise.all(devices.map((d) => d.client.endAsync(true)));
  const [c0, c1] = cpuAt;
  const windowS = c0 !== undefined && c1 !== undefined ? (c1.at - c0.at) / 1000 : NaN;
  const cpuCores = Object.fromEntries(
    Object.keys(pids).map((name) => [name, ((c1?.cpu[name] ?? NaN) - (c0?.cpu[name] ?? NaN)) / windowS]),
  );
  return {
    acked,
    sent,
    failed,
    measuredMs: spec.durationMs,
    ackedPerS: (acked * 1000) / spec.durationMs,
    sentPerS: (sent * 1000) / spec.durationMs,
    ackLatencyMs: ackHist.summary(),
    ...(spec.liveApiUrl === undefined ? {} : { storedLatencyMs: storedHist.summary() }),
    ...(alarms === undefined ? {} : { alarms }),
    connectMs: Math.round(connectMs),
    ...(spec.cpuPids === undefined ? {} : { cpuCores }),
  };
}

const arg = process.argv[2];
if (arg !== undefined && process.argv[1]?.endsWith('loadgen.js') === true) {
  const result = await runLoad(JSON.parse(arg) as LoadSpec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
