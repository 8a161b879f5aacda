import {
  NO_FLEET_COUNTERS,
  QualityFlag,
  type DeviceFleetStatus,
  type DeviceId,
  type FleetCounters,
  type IngestRecord,
} from '@wardstream/domain';
import type { ProcessorStage } from './stage.js';

/** The clock-skew estimate is the median over this many of a device's newest messages. */
export const CLOCK_SKEW_WINDOW = 20;
/**
 * The (boot, seq) keys of this many newest messages per device are remembered, so that a record a
 * stage sees again after the processor replayed from the store's checkpoint is not counted twice.
 * A replay covers what the store had not made durable, seconds of data: far fewer messages per device.
 */
const REPLAY_WINDOW = 64;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface DeviceState {
  lastSeenAt: number | null;
  lastObservedAt: number | null;
  batteryFraction: number | null;
  rssiDbm: number | null;
  firmware: string | null;
  deviceErrors: readonly string[];
  certificateNotAfter: number | null;
  readonly counters: Mutable<FleetCounters>;
  /** observedAt − receivedAt of the newest messages, oldest first. */
  readonly skewSamples: number[];
  readonly recentKeys: Set<string>;
  readonly recentOrder: string[];
}

const READING_FLAGS = [
  ['implausible', QualityFlag.implausible],
  ['artifact', QualityFlag.artifact],
  ['late', QualityFlag.late],
  ['clockSkew', QualityFlag.clockSkew],
] as const;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * The operational status of every device that sent, connected or was refused since this tracker was
 * made: what the fleet view shows besides the registry's facts. A processor stage (it sees each
 * stored record with the processor's quality flags, `late` included), told by the gateway of
 * refusals and of the certificates devices connect with.
 *
 * In memory: after a restart it starts empty and fills again as devices connect and send. Pure
 * bookkeeping, it never throws (a throwing stage would stop the processor). Time comes from the
 * records, never from a clock.
 */
export class FleetStatusTracker implements ProcessorStage {
  readonly name = 'fleet-status';
  private readonly devices = new Map<DeviceId, DeviceState>();

  onBatch(records: readonly IngestRecord[]): void {
    for (const record of records) this.observe(record);
  }

  /** Takes in one stored record; a record already taken in (a replay) changes nothing. */
  observe(record: IngestRecord): void {
    const device = this.device(record.deviceId);
    const key = `${record.boot}\u0000${record.seq}`;
    if (device.recentKeys.has(key)) return;
    device.recentKeys.add(key);
    device.recentOrder.push(key);
    if (device.recentOrder.length > REPLAY_WINDOW) device.recentKeys.delete(device.recentOrder.shift() ?? '');

    const { counters } = device;
    counters.messages++;
    for (const reading of record.readings) {
      for (const [name, flag] of READING_FLAGS) if ((reading.quality & flag) !== 0) counters[name]++;
    }
    device.skewSamples.push(record.observedAt - record.receivedAt);
    if (device.skewSamples.length > CLOCK_SKEW_WINDOW) device.skewSamples.shift();

    // An older message arriving late (a re-send) does not replace what a newer one said.
    if (device.lastSeenAt !== null && record.receivedAt < device.lastSeenAt) return;
    device.lastSeenAt = record.receivedAt;
    device.lastObservedAt = record.observedAt;
    const { status } = record;
    if (status === undefined) return;
    if (status.batteryFraction !== undefined) device.batteryFraction = status.batteryFraction;
    if (status.rssiDbm !== undefined) device.rssiDbm = status.rssiDbm;
    if (status.firmware !== undefined) device.firmware = status.firmware;
    device.deviceErrors = status.errors;
  }

  /** The gateway refused a whole message of the device, or one item of a stored message. */
  refused(deviceId: DeviceId, what: 'message' | 'item'): void {
    const { counters } = this.device(deviceId);
    if (what === 'message') counters.refusedMessages++;
    else counters.refusedItems++;
  }

  /** The device connected with a client certificate valid until `notAfter` (epoch ms). */
  certificate(deviceId: DeviceId, notAfter: number): void {
    this.device(deviceId).certificateNotAfter = notAfter;
  }

  /** Every device observed so far, in the order first observed. */
  status(): DeviceFleetStatus[] {
    return [...this.devices].map(([deviceId, d]) => ({
      deviceId,
      lastSeenAt: d.lastSeenAt,
      lastObservedAt: d.lastObservedAt,
      batteryFraction: d.batteryFraction,
      rssiDbm: d.rssiDbm,
      firmware: d.firmware,
      deviceErrors: [...d.deviceErrors],
      clockSkewMs: median(d.skewSamples),
      certificateNotAfter: d.certificateNotAfter,
      counters: { ...d.counters },
    }));
  }

  private device(id: DeviceId): DeviceState {
    let d = this.devices.get(id);
    if (d === undefined) {
      d = {
        lastSeenAt: null,
        lastObservedAt: null,
        batteryFraction: null,
        rssiDbm: null,
        firmware: null,
        deviceErrors: [],
        certificateNotAfter: null,
        counters: { ...NO_FLEET_COUNTERS },
        skewSamples: [],
        recentKeys: new Set(),
        recentOrder: [],
      };
      this.devices.set(id, d);
    }
    return d;
  }
}
