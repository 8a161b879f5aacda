import { QualityFlag, type IngestRecord, type PatientId } from '@wardstream/domain';
import { idleTracker, type ConditionTracker } from '../alarms/condition.js';
import type { AlarmRule } from '../alarms/rules.js';
import { AnomalyDetector } from '../anomaly/anomaly-detector.js';
import type { AnomalyPolicy } from '../anomaly/anomaly-policy.js';
import type { BaselineTrackerState } from '../anomaly/baseline-tracker-state.js';
import type { ChartedObservation } from '../charted.js';
import type { ScoreName, ScoreRecord } from '../score-record.js';
import type { AlarmBook } from './alarm-book.js';
import { emptyInputs, observe, type PatientInputs } from './patient-inputs.js';
import type { ScorePolicy } from './score-policy.js';
import { endNow, stepAnomaly, stepBands, stepThreshold } from './rule-steps.js';
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

export interface PatientMonitorDeps {
  readonly book: AlarmBook;
  readonly rulesFor: (patientId: PatientId) => readonly AlarmRule[];
  readonly onScore: (score: ScoreRecord) => void;
  /** Longest gap between readings that still counts as monitored time (and as condition persistence). */
  readonly maxGapMs: number;
  /** A rule that stands down for the patient at `at` because a better source covers it (beat-based ECG alarms). */
  readonly standsDown?: (patientId: PatientId, ruleId: string, at: number) => boolean;
}

/**
 * Monitored patient-milliseconds in the event-time hours overlapping [from, to), from a map of
 * hour start → milliseconds (a monitor's own, or `monitoredByHour` of a saved state).
 */
export function monitoredInHours(byHour: Iterable<readonly [number, number]>, from: number, to: number): number {
  let total = 0;
  for (const [hour, ms] of byHour) if (hour + HOUR_MS > from && hour < to) total += ms;
  return total;
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
    return monitoredInHours(this.monitoredByHour, from, to);
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
          if (this.deps.standsDown?.(record.patientId, rule.id, at) === true) {
            // Its alarm, if any, ends here: the other source carries the condition from now on.
            const open = patient.conditions[rule.id];
            if (open !== undefined && open.phase !== 'idle') {
              this.deps.book.end(open.alarmId, at);
              patient.conditions[rule.id] = idleTracker();
            }
            continue;
          }
          const tracker = (patient.conditions[rule.id] ??= idleTracker());
          const sample = { at, value: reading.value, unit: reading.unit, code: reading.code };
          stepThreshold(
            this.deps.book,
            record.patientId,
            tracker,
            rule,
            sample,
            patient.gaps[reading.code],
            this.deps.maxGapMs,
          );
        }
      }
      const evaluation = this.anomaly.observe(record.patientId, reading.code, at, reading.value);
      if (evaluation !== undefined) {
        for (const m of [evaluation.level, evaluation.trend]) {
          if (m !== null) stepAnomaly(this.deps.book, record.patientId, patient.anomalies, m, evaluation, reading.unit);
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
        endNow(this.deps.book, tracker, at);
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
    stepBands(this.deps.book, patientId, patient.conditions, rules, news2, news2Floor, at);
  }
}
