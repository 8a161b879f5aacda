import { QualityFlag, type IngestRecord, type PatientId } from '@wardstream/domain';
import { alarmId } from '../alarms/alarm-id.js';
import {
  forceEnd,
  idleTracker,
  stepCondition,
  type ConditionTracker,
  type ConditionZone,
} from '../alarms/condition.js';
import type { AlarmRule, ScoreBandRule, ThresholdRule } from '../alarms/rules.js';
import { describeAnomaly, type AnomalyEvaluation, type AnomalyMeasure } from '../anomaly/anomaly-evaluation.js';
import { AnomalyDetector } from '../anomaly/anomaly-detector.js';
import type { AnomalyPolicy } from '../anomaly/anomaly-policy.js';
import type { BaselineTrackerState } from '../anomaly/baseline-tracker-state.js';
import type { ChartedObservation } from '../charted.js';
import type { ScoreName, ScoreRecord } from '../score-record.js';
import type { News2Risk } from '../scores/news2.js';
import type { AlarmBook } from './alarm-book.js';
import { emptyInputs, observe, type PatientInputs } from './patient-inputs.js';
import type { ScorePolicy } from './score-policy.js';
import { scoreKey, streamScores } from './stream-scores.js';

interface PatientState {
  inputs: PatientInputs;
  /** Rule id → its condition. */
  conditions: Record<string, ConditionTracker>;
  /** MDC code → the last two gaps between its valid readings (ms), to tell spot measurements from streams. */
  gaps: Record<string, [number, number]>;
  /** Anomaly `${kind}.${code}` → the open anomaly alarm. */
  anomalies: Record<string, string>;
  lastScores: Partial<Record<ScoreName, { key: string; at: number; band: string | null; complete: boolean }>>;
  /** Event time of the newest valid reading, and the monitored time it adds up to. */
  lastValidAt: number;
  monitoredMs: number;
}

export interface PatientMonitorState {
  readonly patients: Record<string, PatientState>;
  /** Hour start (epoch ms, event time) → monitored patient-milliseconds in that hour, all patients. */
  readonly monitoredByHour: Record<string, number>;
  readonly anomaly: Record<string, BaselineTrackerState>;
}

const HOUR_MS = 3_600_000;
/** Monitored time is kept per hour for 31 days (alarm-burden rates over any window within them). */
const MONITORED_HOURS_KEPT = 31 * 24;
const BAD_DATA = QualityFlag.implausible | QualityFlag.artifact;
const RISK_RANK: Readonly<Record<News2Risk, number>> = { low: 0, 'low-medium': 1, medium: 2, high: 3 };
/** A pending score-band condition starts over after this long without an evaluation. */
const BAND_MAX_GAP_MS = 5 * 60_000;

export interface PatientMonitorDeps {
  readonly book: AlarmBook;
  readonly rulesFor: (patientId: PatientId) => readonly AlarmRule[];
  readonly onScore: (score: ScoreRecord) => void;
  /** Longest gap between readings that still counts as monitored time (and as condition persistence). */
  readonly maxGapMs: number;
}

/**
 * The patient side of the engine: the newest valid inputs, threshold rules (with artifact gating),
 * stream scores and their escalation rules, and anomaly detection against the patient's baseline.
 */
export class PatientMonitor {
  private readonly patients = new Map<PatientId, PatientState>();
  private readonly anomaly: AnomalyDetector;
  private readonly monitoredByHour = new Map<number, number>();

  constructor(
    private readonly scorePolicy: ScorePolicy,
    anomalyPolicy: AnomalyPolicy,
    private readonly deps: PatientMonitorDeps,
    state?: PatientMonitorState,
  ) {
    this.anomaly =
      state === undefined ? new AnomalyDetector(anomalyPolicy) : AnomalyDetector.restore(anomalyPolicy, state.anomaly);
    for (const [id, s] of Object.entries(state?.patients ?? {}))
      this.patients.set(id as PatientId, { ...s, gaps: (s as Partial<PatientState>).gaps ?? {} });
    for (const [hour, ms] of Object.entries(state?.monitoredByHour ?? {})) this.monitoredByHour.set(Number(hour), ms);
  }

  state(): PatientMonitorState {
    return {
      patients: Object.fromEntries(this.patients),
      monitoredByHour: Object.fromEntries(this.monitoredByHour),
      anomaly: this.anomaly.state(),
    };
  }

  /** Monitored time per patient (event time covered by valid readings), for alarm-burden rates. */
  monitoredMs(): Map<PatientId, number> {
    return new Map([...this.patients].map(([id, p]) => [id, p.monitoredMs]));
  }

  /** Monitored patient-milliseconds (all patients) in the event-time hours overlapping [from, to). */
  monitoredBetween(from: number, to: number): number {
    let total = 0;
    for (const [hour, ms] of this.monitoredByHour) if (hour + HOUR_MS > from && hour < to) total += ms;
    return total;
  }

  onRecord(record: IngestRecord): void {
    if (record.patientId === null) return;
    const patient = this.patient(record.patientId);
    // A clock-skewed device's own time cannot be trusted; its readings are placed at receipt.
    const at = record.readings.some((r) => (r.quality & QualityFlag.clockSkew) !== 0)
      ? record.receivedAt
      : record.observedAt;
    const rules = this.deps.rulesFor(record.patientId);
    let valid = false;
    for (const reading of record.readings) {
      if ((reading.quality & BAD_DATA) !== 0) continue;
      const previous = patient.inputs.latest[reading.code];
      if (!observe(patient.inputs, reading.code, { value: reading.value, observedAt: at, source: reading.code }))
        continue;
      valid = true;
      if (previous !== undefined) {
        patient.gaps[reading.code] = [patient.gaps[reading.code]?.[1] ?? -1, at - previous.observedAt];
      }
      for (const rule of rules) {
        if (rule.kind === 'threshold' && rule.codes.includes(reading.code)) {
          this.threshold(record.patientId, patient, rule, at, reading.value, reading.unit, reading.code);
        }
      }
      const evaluation = this.anomaly.observe(record.patientId, reading.code, at, reading.value);
      if (evaluation !== undefined) {
        for (const m of [evaluation.level, evaluation.trend]) {
          if (m !== null) this.anomalyMeasure(record.patientId, patient, m, evaluation, reading.unit);
        }
      }
    }
    if (!valid) return;
    if (patient.lastValidAt >= 0 && at > patient.lastValidAt && at - patient.lastValidAt <= this.deps.maxGapMs) {
      patient.monitoredMs += at - patient.lastValidAt;
      this.addMonitored(at, at - patient.lastValidAt);
    }
    patient.lastValidAt = Math.max(patient.lastValidAt, at);
    this.evaluateScores(record.patientId, patient, at, rules, true);
  }

  /** A charted observation: consciousness, oxygen, SpO2 scale, or a hand-entered vital sign. */
  chart(observation: ChartedObservation): void {
    const patient = this.patient(observation.patientId);
    const o = observation.observation;
    const at = observation.observedAt;
    const newer = (current: { observedAt: number } | null) => current === null || current.observedAt <= at;
    switch (o.kind) {
      case 'consciousness':
        if (newer(patient.inputs.consciousness))
          patient.inputs.consciousness = { value: o.value, observedAt: at, source: 'charted' };
        break;
      case 'oxygen':
        if (newer(patient.inputs.oxygen))
          patient.inputs.oxygen = { value: o.onOxygen, observedAt: at, source: 'charted' };
        break;
      case 'spo2Scale':
        if (newer(patient.inputs.spo2Scale))
          patient.inputs.spo2Scale = { value: o.scale, observedAt: at, source: 'charted' };
        break;
      case 'vital':
        observe(patient.inputs, o.code, { value: o.value, observedAt: at, source: 'charted' });
        break;
    }
    this.evaluateScores(
      observation.patientId,
      patient,
      Math.max(at, patient.lastValidAt),
      this.deps.rulesFor(observation.patientId),
      true,
    );
  }

  /**
   * Wall-clock pass: a patient whose scores have not been stored for `emitIntervalMs` gets them
   * re-evaluated at `now`, so the current score turns partial as its inputs go stale. Escalation
   * rules do not step on it: missing data is not evidence of recovery.
   */
  tick(now: number): void {
    for (const [id, patient] of this.patients) {
      const last = patient.lastScores.news2;
      if (last !== undefined && now - last.at >= this.scorePolicy.emitIntervalMs) {
        this.evaluateScores(id, patient, now, [], false);
      }
    }
  }

  /** Rules changed: conditions of rules that are gone or disabled end now. */
  rulesChanged(at: number): void {
    for (const [id, patient] of this.patients) {
      const enabled = new Set(
        this.deps
          .rulesFor(id)
          .filter((r) => r.enabled)
          .map((r) => r.id),
      );
      for (const [ruleId, tracker] of Object.entries(patient.conditions)) {
        if (enabled.has(ruleId)) continue;
        const step = forceEnd(tracker, at);
        if (step.kind === 'end') this.deps.book.end(step.alarmId, at);
        Reflect.deleteProperty(patient.conditions, ruleId);
      }
    }
  }

  private patient(id: PatientId): PatientState {
    let p = this.patients.get(id);
    if (p === undefined) {
      p = {
        inputs: emptyInputs(),
        conditions: {},
        gaps: {},
        anomalies: {},
        lastScores: {},
        lastValidAt: -1,
        monitoredMs: 0,
      };
      this.patients.set(id, p);
    }
    return p;
  }

  private addMonitored(at: number, ms: number): void {
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    this.monitoredByHour.set(hour, (this.monitoredByHour.get(hour) ?? 0) + ms);
    if (this.monitoredByHour.size > MONITORED_HOURS_KEPT) {
      const oldest = Math.min(...this.monitoredByHour.keys());
      this.monitoredByHour.delete(oldest);
    }
  }

  private endNow(tracker: ConditionTracker, at: number): void {
    const step = forceEnd(tracker, at);
    if (step.kind === 'end') this.deps.book.end(step.alarmId, at);
  }

  private tracker(patient: PatientState, ruleId: string): ConditionTracker {
    return (patient.conditions[ruleId] ??= idleTracker());
  }

  private threshold(
    patientId: PatientId,
    patient: PatientState,
    rule: ThresholdRule,
    at: number,
    value: number,
    unit: string,
    code: string,
  ): void {
    const tracker = this.tracker(patient, rule.id);
    if (!rule.enabled) {
      this.endNow(tracker, at);
      return;
    }
    const past = rule.direction === 'atOrAbove' ? value >= rule.limit : value <= rule.limit;
    const clear =
      rule.direction === 'atOrAbove' ? value <= rule.limit - rule.hysteresis : value >= rule.limit + rule.hysteresis;
    const zone: ConditionZone = past ? 'alarm' : clear ? 'clear' : 'hold';
    // Sampled less often than the delays (both recent gaps, or the only one known): a spot measurement.
    const [before = -1, last = -1] = patient.gaps[code] ?? [];
    const longest = Math.max(rule.delayMs, rule.clearDelayMs, 1);
    const spot = last >= longest && (before >= longest || before < 0);
    const step = stepCondition(tracker, at, zone, {
      delayMs: rule.delayMs,
      clearDelayMs: rule.clearDelayMs,
      maxGapMs: this.deps.maxGapMs,
      spot,
    });
    if (step.kind === 'end') this.deps.book.end(step.alarmId, step.at);
    if (step.kind !== 'raise') return;
    const sign = rule.direction === 'atOrAbove' ? '≥' : '≤';
    tracker.alarmId = this.deps.book.raise({
      id: alarmId(`patient:${patientId}`, rule.id, step.onsetAt),
      category: 'physiological',
      ruleId: rule.id,
      patientId,
      deviceId: null,
      parameter: rule.codes[0] ?? null,
      priority: rule.priority,
      latching: rule.latching,
      message: `${rule.label}: ${value} ${unit} ${sign} ${rule.limit} ${spot ? '(spot measurement)' : `for ${Math.round((step.at - step.onsetAt) / 1000)} s`}`,
      onsetAt: step.onsetAt,
      raisedAt: step.at,
      value,
      limit: rule.limit,
      details: { code, spot, delayMs: rule.delayMs, hysteresis: rule.hysteresis, source: rule.source },
    });
  }

  private evaluateScores(
    patientId: PatientId,
    patient: PatientState,
    at: number,
    rules: readonly AlarmRule[],
    stepRules: boolean,
  ): void {
    const { scores, news2Floor } = streamScores(patientId, patient.inputs, at, this.scorePolicy);
    for (const score of scores) {
      const key = scoreKey(score);
      const last = patient.lastScores[score.score];
      if (last !== undefined && at < last.at) continue;
      if (last !== undefined && last.band === score.band && last.complete === score.complete) {
        // Same band: store a change at most every minEmitIntervalMs, an unchanged score every emitIntervalMs.
        const wait = last.key === key ? this.scorePolicy.emitIntervalMs : this.scorePolicy.minEmitIntervalMs;
        if (at - last.at < wait) continue;
      }
      patient.lastScores[score.score] = { key, at, band: score.band, complete: score.complete };
      this.deps.onScore(score);
    }
    if (!stepRules) return;
    const news2 = scores[0];
    if (news2 === undefined) return;
    // Highest band first: once a band's alarm is active, the lower bands' conditions are held.
    const bandRules = rules
      .filter((r): r is ScoreBandRule => r.kind === 'news2Band')
      .sort((a, b) => RISK_RANK[b.band] - RISK_RANK[a.band]);
    let higherActive = false;
    for (const rule of bandRules) {
      this.band(patientId, patient, rule, news2, news2Floor, at, higherActive);
      if (rule.enabled && patient.conditions[rule.id]?.phase === 'active') higherActive = true;
    }
  }

  /**
   * One escalation rule: its condition is "the score proves this band or a higher one". While a higher
   * band's alarm is active this one is held (and ended if it was active): one band alarm at a time. It
   * clears only on a complete score below the band — missing data is not evidence of recovery.
   */
  private band(
    patientId: PatientId,
    patient: PatientState,
    rule: ScoreBandRule,
    news2: ScoreRecord,
    floor: News2Risk,
    at: number,
    higherActive: boolean,
  ): void {
    const tracker = this.tracker(patient, rule.id);
    if (!rule.enabled || higherActive) {
      if (tracker.phase === 'active' || !rule.enabled) this.endNow(tracker, at);
      return;
    }
    const reached = RISK_RANK[floor] >= RISK_RANK[rule.band];
    const zone: ConditionZone = reached ? 'alarm' : news2.complete ? 'clear' : 'hold';
    const step = stepCondition(tracker, at, zone, {
      delayMs: rule.delayMs,
      clearDelayMs: rule.clearDelayMs,
      maxGapMs: BAND_MAX_GAP_MS,
    });
    if (step.kind === 'end') this.deps.book.end(step.alarmId, step.at);
    if (step.kind !== 'raise') return;
    const partial = news2.complete ? '' : ` (partial: ${[...news2.missing, ...news2.stale].join(', ')} not available)`;
    tracker.alarmId = this.deps.book.raise({
      id: alarmId(`patient:${patientId}`, rule.id, step.onsetAt),
      category: 'score',
      ruleId: rule.id,
      patientId,
      deviceId: null,
      parameter: 'news2',
      priority: rule.priority,
      latching: rule.latching,
      message: `${rule.label}: NEWS2 ${news2.value}${partial} — ${rule.response}`,
      onsetAt: step.onsetAt,
      raisedAt: step.at,
      value: news2.value,
      limit: null,
      details: {
        subscores: news2.subscores,
        complete: news2.complete,
        band: rule.band,
        response: rule.response,
        source: rule.source,
      },
    });
  }

  private anomalyMeasure(
    patientId: PatientId,
    patient: PatientState,
    m: AnomalyMeasure,
    bucket: AnomalyEvaluation,
    unit: string,
  ): void {
    const code = bucket.code;
    const key = `${m.kind}.${code}`;
    if (m.changed === 'ended') {
      this.deps.book.end(patient.anomalies[key] ?? null, bucket.bucketEndAt);
      Reflect.deleteProperty(patient.anomalies, key);
      return;
    }
    if (m.changed !== 'started') return;
    const ruleId = `anomaly.${key}`;
    patient.anomalies[key] = this.deps.book.raise({
      id: alarmId(`patient:${patientId}`, ruleId, bucket.bucketStartAt),
      category: 'anomaly',
      ruleId,
      patientId,
      deviceId: null,
      parameter: code,
      priority: 'low',
      latching: false,
      message: describeAnomaly(m, code, unit),
      onsetAt: bucket.bucketStartAt,
      raisedAt: bucket.bucketEndAt,
      value: m.observed,
      limit: null,
      details: { ...m },
    });
  }
}
