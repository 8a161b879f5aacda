import { QualityFlag, type DeviceId, type IngestRecord, type PatientId } from '@wardstream/domain';
import { alarmId } from '../alarms/alarm-id.js';
import { idleTracker, stepCondition, type ConditionTracker } from '../alarms/condition.js';
import type { TechnicalPolicy } from '../alarms/rules.js';
import type { AlarmBook } from './alarm-book.js';

interface SeenCode {
  receivedAt: number;
  observedAt: number;
  /** Smoothed interval between this code's readings (EWMA), or -1 before the second reading. */
  intervalMs: number;
  staleAlarm: string | null;
}

interface QualityIssue {
  lastFlaggedAt: number;
  alarmId: string;
}

interface DeviceState {
  patientId: PatientId | null;
  seen: Record<string, SeenCode>;
  quality: Record<string, QualityIssue>;
  battery: ConditionTracker;
}

export type TechnicalState = Record<string, DeviceState>;

const QUALITY_KINDS = [
  { flag: QualityFlag.implausible, name: 'implausible', text: 'implausible values (outside the physiological range)' },
  { flag: QualityFlag.artifact, name: 'artifact', text: 'readings flagged as artifact by the device' },
] as const;

/** A code is stale after this many of its usual intervals without a reading (and never before staleAfterMs). */
const STALE_INTERVALS = 3;
/** The pseudo-code under which any message from the device counts. */
const ANY = '*';
const EWMA_WEIGHT = 0.2;

/**
 * Technical alarm conditions per device (IEC 60601-1-8 "technical alarm conditions"): stale data or
 * communication failure per parameter, low battery, clock skew, and implausible or artifact data.
 * Stale data is judged on ingest time against the wall clock (`tick`); everything else on the data.
 */
export class TechnicalMonitor {
  private readonly devices = new Map<DeviceId, DeviceState>();

  constructor(
    private readonly policy: TechnicalPolicy,
    private readonly book: AlarmBook,
    state: TechnicalState = {},
    /** Wall-clock time the engine started: staleness counts from no earlier than this (a restart is not an outage of every device). */
    private readonly startedAt = 0,
  ) {
    for (const [id, s] of Object.entries(state)) this.devices.set(id as DeviceId, s);
  }

  state(): TechnicalState {
    return Object.fromEntries(this.devices);
  }

  onRecord(record: IngestRecord): void {
    const device = this.device(record.deviceId);
    device.patientId = record.patientId;
    this.seen(record, device, ANY);
    let skewed = false;
    for (const reading of record.readings) {
      this.seen(record, device, reading.code);
      if ((reading.quality & QualityFlag.clockSkew) !== 0) skewed = true;
      for (const kind of QUALITY_KINDS) {
        if ((reading.quality & kind.flag) !== 0)
          this.flagged(record, device, `${kind.name}:${reading.code}`, kind.text, reading.code);
      }
    }
    for (const waveform of record.waveforms) this.seen(record, device, waveform.code);
    if (skewed)
      this.flagged(
        record,
        device,
        'clock-skew',
        'a clock that disagrees with the gateway; readings placed at receipt time',
        null,
      );
    const battery = record.status?.batteryFraction;
    if (battery !== undefined) this.battery(record, device, battery);
  }

  /** Wall-clock checks: stale data, and quality alarms whose flagged data has stopped. */
  tick(now: number): void {
    for (const [deviceId, device] of this.devices) {
      if (device.patientId !== null) this.staleness(deviceId, device, now);
      for (const [key, issue] of Object.entries(device.quality)) {
        if (now - issue.lastFlaggedAt < this.policy.dataQualityClearMs) continue;
        this.book.end(issue.alarmId, now);
        Reflect.deleteProperty(device.quality, key);
      }
    }
  }

  /**
   * Nothing at all from the device (`*`): one communication-failure alarm, and no per-parameter ones
   * on top of it. A parameter that stops while others keep coming (a probe off the finger): a stale
   * alarm for it, once its usual interval is known (two readings), so a first NIBP is not stale 30 s later.
   */
  private staleness(deviceId: DeviceId, device: DeviceState, now: number): void {
    const all = device.seen[ANY];
    if (all !== undefined && this.isStale(all, now)) {
      if (all.staleAlarm === null) all.staleAlarm = this.raiseStale(deviceId, device, ANY, all, now);
      return;
    }
    for (const [code, seen] of Object.entries(device.seen)) {
      if (code === ANY || seen.staleAlarm !== null || seen.intervalMs < 0 || !this.isStale(seen, now)) continue;
      seen.staleAlarm = this.raiseStale(deviceId, device, code, seen, now);
    }
  }

  private isStale(seen: SeenCode, now: number): boolean {
    const expected = Math.max(this.policy.staleAfterMs, STALE_INTERVALS * seen.intervalMs);
    return now - Math.max(seen.receivedAt, this.startedAt) > expected;
  }

  private raiseStale(deviceId: DeviceId, device: DeviceState, code: string, seen: SeenCode, now: number): string {
    const any = code === ANY;
    const ruleId = any ? 'technical.communication' : `technical.stale.${code}`;
    const silentS = Math.round((now - seen.receivedAt) / 1000);
    return this.book.raise({
      id: alarmId(`device:${deviceId}`, ruleId, seen.observedAt),
      category: 'technical',
      ruleId,
      patientId: device.patientId,
      deviceId,
      parameter: any ? null : code,
      priority: this.policy.stalePriority,
      latching: false,
      message: any
        ? `No data from ${deviceId} for ${silentS} s: communication failure`
        : `No ${code} from ${deviceId} for ${silentS} s while it sends other data: sensor off or failed`,
      onsetAt: seen.observedAt,
      raisedAt: now,
      value: null,
      limit: null,
      details: {
        lastReceivedAt: seen.receivedAt,
        usualIntervalMs: seen.intervalMs,
        source: 'local policy: TechnicalPolicy.staleAfterMs, or 3 usual intervals if longer',
      },
    });
  }

  private device(id: DeviceId): DeviceState {
    let d = this.devices.get(id);
    if (d === undefined) {
      d = { patientId: null, seen: {}, quality: {}, battery: idleTracker() };
      this.devices.set(id, d);
    }
    return d;
  }

  private seen(record: IngestRecord, device: DeviceState, code: string): void {
    const seen = device.seen[code];
    if (seen === undefined) {
      device.seen[code] = {
        receivedAt: record.receivedAt,
        observedAt: record.observedAt,
        intervalMs: -1,
        staleAlarm: null,
      };
      return;
    }
    if (record.receivedAt > seen.receivedAt) {
      const gap = record.receivedAt - seen.receivedAt;
      seen.intervalMs = seen.intervalMs < 0 ? gap : seen.intervalMs + EWMA_WEIGHT * (gap - seen.intervalMs);
      seen.receivedAt = record.receivedAt;
    }
    if (record.observedAt > seen.observedAt) seen.observedAt = record.observedAt;
    if (seen.staleAlarm !== null) {
      this.book.end(seen.staleAlarm, record.receivedAt);
      seen.staleAlarm = null;
    }
  }

  private flagged(record: IngestRecord, device: DeviceState, key: string, text: string, code: string | null): void {
    const issue = device.quality[key];
    if (issue !== undefined) {
      issue.lastFlaggedAt = Math.max(issue.lastFlaggedAt, record.receivedAt);
      return;
    }
    const ruleId = `technical.${key.split(':')[0] ?? key}`;
    const id = this.book.raise({
      id: alarmId(`device:${record.deviceId}`, `${ruleId}:${code ?? ''}`, record.observedAt),
      category: 'technical',
      ruleId: code === null ? ruleId : `${ruleId}.${code}`,
      patientId: record.patientId,
      deviceId: record.deviceId,
      parameter: code,
      priority: this.policy.dataQualityPriority,
      latching: false,
      message: `${record.deviceId} sends ${text}${code === null ? '' : ` for ${code}`}; physiological alarms ignore such data`,
      onsetAt: record.observedAt,
      raisedAt: record.observedAt,
      value: null,
      limit: null,
      details: { boot: record.boot, seq: record.seq },
    });
    device.quality[key] = { lastFlaggedAt: record.receivedAt, alarmId: id };
  }

  private battery(record: IngestRecord, device: DeviceState, fraction: number): void {
    const zone = fraction <= this.policy.batteryLowFraction ? 'alarm' : 'clear';
    const step = stepCondition(device.battery, record.observedAt, zone, {
      delayMs: 0,
      clearDelayMs: 0,
      maxGapMs: Infinity,
    });
    if (step.kind === 'raise') {
      device.battery.alarmId = this.book.raise({
        id: alarmId(`device:${record.deviceId}`, 'technical.battery-low', step.onsetAt),
        category: 'technical',
        ruleId: 'technical.battery-low',
        patientId: record.patientId,
        deviceId: record.deviceId,
        parameter: null,
        priority: this.policy.batteryPriority,
        latching: false,
        message: `${record.deviceId} battery at ${Math.round(fraction * 100)} % (≤ ${Math.round(this.policy.batteryLowFraction * 100)} %)`,
        onsetAt: step.onsetAt,
        raisedAt: step.at,
        value: fraction,
        limit: this.policy.batteryLowFraction,
        details: { source: 'local policy: TechnicalPolicy.batteryLowFraction' },
      });
    } else if (step.kind === 'end') {
      this.book.end(step.alarmId, step.at);
    }
  }
}
