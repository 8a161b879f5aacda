import {
  DEFAULT_RHYTHM_POLICY,
  EcgAnalyzer,
  QrsDetector,
  RHYTHM_SOURCES,
  type EcgEvent,
  type LeadCondition,
  type RhythmCondition,
  type RhythmPolicy,
} from '@wardstream/ecg';
import type { DeviceId, IngestRecord, PatientId } from '@wardstream/domain';
import type { Alarm, AlarmCategory, AlarmPriority } from '../alarm.js';
import { alarmId } from '../alarms/alarm-id.js';
import type { AlarmBook } from './alarm-book.js';

export type EcgCondition = RhythmCondition | LeadCondition;

export interface EcgPolicy {
  readonly rhythm: RhythmPolicy;
  /** ECG waveform codes analysed, in order of preference: one lead per device (the first it sends). */
  readonly leads: readonly string[];
  /** Priority of each condition's alarm (local policy; the Challenge 2015 calls the three arrhythmias life-threatening). */
  readonly priority: Readonly<Record<EcgCondition, AlarmPriority>>;
  /** Latching: the alarm stays until acknowledged even after the condition ends (local policy). */
  readonly latching: Readonly<Record<EcgCondition, boolean>>;
}

export const DEFAULT_ECG_POLICY: EcgPolicy = {
  rhythm: DEFAULT_RHYTHM_POLICY,
  leads: ['MDC_ECG_ELEC_POTL_II', 'MDC_ECG_ELEC_POTL_I'],
  priority: {
    asystole: 'high',
    bradycardia: 'high',
    tachycardia: 'high',
    irregular: 'low',
    'no-signal': 'medium',
    'poor-signal': 'low',
  },
  latching: {
    asystole: true,
    bradycardia: true,
    tachycardia: true,
    irregular: false,
    'no-signal': false,
    'poor-signal': false,
  },
};

/** Heart rate, HRV and signal quality of one device's ECG, every few seconds of signal. */
export interface EcgMetrics {
  readonly deviceId: DeviceId;
  readonly patientId: PatientId | null;
  readonly code: string;
  readonly at: number;
  readonly heartRateBpm: number | null;
  readonly lastRrMs: number | null;
  readonly sdnnMs: number | null;
  readonly rmssdMs: number | null;
  readonly rrCount: number;
  readonly sqi: number | null;
  readonly quality: string | null;
  readonly beatsAt: readonly number[];
}

/** What a restart carries over per device: the lead, the patient, the active conditions and their alarms. */
export type EcgState = Record<
  string,
  { code: string; patientId?: PatientId | null; alarms: Partial<Record<EcgCondition, string>> }
>;

const CONDITIONS: readonly EcgCondition[] = [
  'asystole',
  'bradycardia',
  'tachycardia',
  'irregular',
  'no-signal',
  'poor-signal',
];

/** The condition of an ECG alarm's rule id (`ecg.asystole` → asystole), or null for other rules. */
function ecgCondition(ruleId: string): EcgCondition | null {
  return CONDITIONS.find((c) => ruleId === `ecg.${c}`) ?? null;
}

const TEXT: Readonly<Record<EcgCondition, string>> = {
  asystole: 'Asystole: no QRS',
  bradycardia: 'Extreme bradycardia',
  tachycardia: 'Extreme tachycardia',
  irregular: 'Irregular rhythm (AF suspected)',
  'no-signal': 'ECG: no signal (leads off?); rhythm alarms suspended',
  'poor-signal': 'ECG: signal too noisy for rhythm analysis; rhythm alarms suspended',
};

/** The numeric heart-rate rules (issue 3) that stand in for the Challenge 2015 beat rules without beats. */
const SUPERSEDED_RULES: readonly string[] = ['ecg.extreme-bradycardia', 'ecg.extreme-tachycardia'];
/** How recent the patient's ECG must be for the beat-based alarms to replace them. */
const SUPERSEDE_WINDOW_MS = 10_000;

interface DeviceEcg {
  readonly code: string;
  readonly analyzer: EcgAnalyzer;
  alarms: Partial<Record<EcgCondition, string>>;
  readonly patientId: PatientId | null;
  /** The `no-signal` alarm was raised because the device reported its leads off. */
  leadOffReported: boolean;
}

/** A device status error saying the ECG electrodes are off (e.g. `ECG_LEAD_OFF`, `lead-off`, `MDC_EVT_LEAD_DISCONN`). */
const LEAD_OFF = /lead[\s_-]*(off|disconn)/i;

function leadOff(record: IngestRecord): boolean {
  return record.status?.errors.some((e) => LEAD_OFF.test(e)) ?? false;
}

function withoutCondition(
  alarms: Partial<Record<EcgCondition, string>>,
  condition: EcgCondition,
): Partial<Record<EcgCondition, string>> {
  return Object.fromEntries(Object.entries(alarms).filter(([c]) => c !== condition));
}

/**
 * Rhythm alarms from the ECG waveform (issue: waveforms and ECG): one lead per device is analysed
 * as it streams (QRS detection, RR, HRV, signal quality); rhythm conditions become physiological
 * alarms, an unusable signal a technical one, through the same alarm book as every other alarm.
 * A restart carries the active conditions over (not the detector: it learns again for a few seconds,
 * during which no rhythm condition is judged).
 */
export class EcgMonitor {
  private readonly devices = new Map<DeviceId, DeviceEcg>();
  /** Per patient, the event time of the newest ECG sample judged (learned, usable). */
  private readonly judgedUntil = new Map<PatientId, number>();

  /** Checkpointed devices not seen since the restart; a device leaves it at its first record. */
  private readonly restored: Map<string, EcgState[string]>;

  /**
   * `restored` is the state of the last checkpoint; `openAlarms` what the store holds now. An ECG
   * alarm raised after that checkpoint (by a process that then crashed) is in the store but not in
   * the state: its condition is carried over too, so the replay does not raise it a second time.
   */
  constructor(
    private readonly policy: EcgPolicy,
    private readonly book: AlarmBook,
    restored: EcgState = {},
    openAlarms: readonly Alarm[] = [],
    private readonly onMetrics: (metrics: EcgMetrics) => void = () => {},
  ) {
    const state: EcgState = {};
    for (const [id, d] of Object.entries(restored)) state[id] = { ...d, alarms: { ...d.alarms } };
    for (const alarm of openAlarms) {
      const condition = ecgCondition(alarm.ruleId);
      if (condition === null || alarm.deviceId === null || !alarm.conditionActive || alarm.parameter === null) continue;
      const device = (state[alarm.deviceId] ??= { code: alarm.parameter, patientId: alarm.patientId, alarms: {} });
      if (device.code === alarm.parameter) device.alarms[condition] = alarm.id;
    }
    this.restored = new Map(Object.entries(state));
  }

  state(): EcgState {
    const out: EcgState = Object.fromEntries(this.restored);
    for (const [id, d] of this.devices) out[id] = { code: d.code, patientId: d.patientId, alarms: { ...d.alarms } };
    return out;
  }

  onRecord(record: IngestRecord): void {
    this.feed(record, true);
  }

  /**
   * Feeds a record already judged before a restart: the analysers learn from it; of what they
   * conclude only condition ends are applied (the alarm book ignores an end it has already seen).
   */
  warmUp(record: IngestRecord): void {
    this.feed(record, false);
  }

  private feed(record: IngestRecord, apply: boolean): void {
    const leads = record.waveforms
      .filter((w) => this.policy.leads.includes(w.code))
      .sort((a, b) => this.policy.leads.indexOf(a.code) - this.policy.leads.indexOf(b.code));
    const bound = this.devices.get(record.deviceId)?.code ?? this.restored.get(record.deviceId)?.code;
    // Keep the lead analysed while the device sends it; else take its most preferred one.
    const waveform = leads.find((w) => w.code === bound) ?? leads[0];
    if (waveform === undefined) return;
    const device = this.device(record, waveform.code, waveform.fsHz, waveform.startAt);
    if (leadOff(record)) {
      // The device knows its electrodes are off: its samples are not the patient's ECG.
      this.raiseLeadOff(record.deviceId, device, waveform.startAt);
      return;
    }
    if (device.alarms['no-signal'] !== undefined && device.leadOffReported) {
      this.book.end(device.alarms['no-signal'], waveform.startAt);
      device.alarms = withoutCondition(device.alarms, 'no-signal');
      device.leadOffReported = false;
    }
    const endAt = waveform.startAt + (waveform.samples.length * 1000) / waveform.fsHz;
    const events = device.analyzer.push(waveform.samples, waveform.startAt);
    for (const event of events)
      if (apply || (event.kind !== 'metrics' && !event.active)) this.apply(record.deviceId, device, event);
    if (record.patientId !== null && device.analyzer.judging) {
      this.judgedUntil.set(record.patientId, Math.max(endAt, this.judgedUntil.get(record.patientId) ?? endAt));
    }
  }

  /**
   * Whether the beat-based alarms replace the numeric heart-rate rule `ruleId` for the patient at
   * `at`: true while the patient's ECG is being judged (learned, usable, a sample within the last
   * `SUPERSEDE_WINDOW_MS`). One condition, one alarm: the monitor's own heart-rate number stands down
   * for the beats, and comes back as soon as the ECG cannot be judged (noise, leads off, no data).
   */
  supersedes(patientId: PatientId, ruleId: string, at: number): boolean {
    if (!SUPERSEDED_RULES.includes(ruleId)) return false;
    const last = this.judgedUntil.get(patientId);
    return last !== undefined && at - last <= SUPERSEDE_WINDOW_MS;
  }

  /**
   * The device's analysis for this lead, rate and patient. A new lead or a new patient ends the
   * conditions of the old one (they can no longer be judged: the signal is another) and starts a
   * fresh analysis; a new rate alone starts a fresh analysis keeping the conditions.
   */
  private device(record: IngestRecord, code: string, fsHz: number, at: number): DeviceEcg {
    const known = this.devices.get(record.deviceId);
    const restored = this.restored.get(record.deviceId);
    const previous =
      known ??
      (restored === undefined
        ? undefined
        : { code: restored.code, patientId: restored.patientId ?? record.patientId, alarms: restored.alarms });
    if (
      known !== undefined &&
      known.code === code &&
      known.patientId === record.patientId &&
      known.analyzer.fsHz === fsHz
    ) {
      return known;
    }
    let alarms: Partial<Record<EcgCondition, string>> = {};
    if (previous !== undefined) {
      if (previous.code === code && previous.patientId === record.patientId) alarms = { ...previous.alarms };
      else for (const id of Object.values(previous.alarms)) this.book.end(id, at);
    }
    this.restored.delete(record.deviceId);
    const device: DeviceEcg = {
      code,
      alarms,
      patientId: record.patientId,
      leadOffReported: false,
      analyzer: new EcgAnalyzer(fsHz, {
        policy: this.policy.rhythm,
        makeDetector: (fs) => new QrsDetector(fs),
        activeAtStart: Object.keys(alarms) as EcgCondition[],
      }),
    };
    this.devices.set(record.deviceId, device);
    return device;
  }

  private raiseLeadOff(deviceId: DeviceId, device: DeviceEcg, at: number): void {
    if (device.alarms['no-signal'] !== undefined) return;
    device.leadOffReported = true;
    device.alarms = {
      ...device.alarms,
      'no-signal': this.book.raise({
        id: alarmId(`device:${deviceId}`, 'ecg.no-signal', at),
        category: 'technical',
        ruleId: 'ecg.no-signal',
        patientId: device.patientId,
        deviceId,
        parameter: device.code,
        priority: this.policy.priority['no-signal'],
        latching: this.policy.latching['no-signal'],
        message: 'ECG: the device reports leads off; rhythm alarms suspended',
        onsetAt: at,
        raisedAt: at,
        value: null,
        limit: null,
        details: { source: 'device status: lead off' },
      }),
    };
  }

  private apply(deviceId: DeviceId, device: DeviceEcg, event: EcgEvent): void {
    if (event.kind === 'metrics') {
      const { kind: _kind, ...metrics } = event;
      this.onMetrics({ deviceId, patientId: device.patientId, code: device.code, ...metrics });
      return;
    }
    const condition = event.condition;
    if (!event.active) {
      this.book.end(device.alarms[condition] ?? null, event.at);
      device.alarms = withoutCondition(device.alarms, condition);
      return;
    }
    const category: AlarmCategory = event.kind === 'lead' ? 'technical' : 'physiological';
    const ruleId = `ecg.${condition}`;
    const value = event.kind === 'rhythm' ? event.value : null;
    device.alarms[condition] = this.book.raise({
      id: alarmId(`device:${deviceId}`, ruleId, event.at),
      category,
      ruleId,
      patientId: device.patientId,
      deviceId,
      parameter: device.code,
      priority: this.policy.priority[condition],
      latching: this.policy.latching[condition],
      message: this.message(condition, value),
      onsetAt: event.at,
      raisedAt: event.at,
      value,
      limit: this.limit(condition),
      details: { ...event.details, source: this.source(condition) },
    });
  }

  private message(condition: EcgCondition, value: number | null): string {
    const r = this.policy.rhythm;
    switch (condition) {
      case 'asystole':
        return `${TEXT.asystole} for ≥ ${r.asystole.noQrsMs / 1000} s`;
      case 'bradycardia':
        return `${TEXT.bradycardia}: ${value ?? '?'} bpm < ${r.bradycardia.belowBpm} for ${r.bradycardia.beats} beats`;
      case 'tachycardia':
        return `${TEXT.tachycardia}: ${value ?? '?'} bpm > ${r.tachycardia.aboveBpm} for ${r.tachycardia.beats} beats`;
      case 'irregular':
        return `${TEXT.irregular}, heart rate ${value ?? '?'} bpm`;
      case 'no-signal':
      case 'poor-signal':
        return TEXT[condition];
    }
  }

  private limit(condition: EcgCondition): number | null {
    const r = this.policy.rhythm;
    if (condition === 'bradycardia') return r.bradycardia.belowBpm;
    if (condition === 'tachycardia') return r.tachycardia.aboveBpm;
    if (condition === 'asystole') return r.asystole.noQrsMs / 1000;
    return null;
  }

  private source(condition: EcgCondition): string {
    if (condition === 'irregular') return RHYTHM_SOURCES.dash2009;
    if (condition === 'no-signal' || condition === 'poor-signal') return `${RHYTHM_SOURCES.kSqi}; local policy`;
    return RHYTHM_SOURCES.challenge2015;
  }
}
