import type { IngestRecord, PatientId } from '@wardstream/domain';
import type { Alarm, AlarmEvent, AlarmPriority } from '../alarm.js';
import { alarmId } from '../alarms/alarm-id.js';
import { DEFAULT_LIFECYCLE_POLICY, DEFAULT_TECHNICAL_POLICY } from '../alarms/default-rules.js';
import { acknowledgeAlarm, escalateAlarm, resolveAlarm, SYSTEM_ACTOR, silenceAlarm } from '../alarms/lifecycle.js';
import type { AlarmRule, LifecyclePolicy, TechnicalPolicy } from '../alarms/rules.js';
import { DEFAULT_ANOMALY_POLICY, type AnomalyPolicy } from '../anomaly/anomaly-policy.js';
import type { ChartedObservation } from '../charted.js';
import type { ScoreRecord } from '../score-record.js';
import { AlarmBook } from './alarm-book.js';
import { DEFAULT_ECG_POLICY, EcgMonitor, type EcgMetrics, type EcgPolicy, type EcgState } from './ecg-monitor.js';
import { PatientMonitor, monitoredInHours, type PatientMonitorState } from './patient-monitor.js';
import { DEFAULT_SCORE_POLICY, type ScorePolicy } from './score-policy.js';
import { TechnicalMonitor, type TechnicalState } from './technical-monitor.js';

export interface EnginePolicy {
  readonly score: ScorePolicy;
  readonly lifecycle: LifecyclePolicy;
  readonly technical: TechnicalPolicy;
  readonly anomaly: AnomalyPolicy;
  readonly ecg: EcgPolicy;
}

export const DEFAULT_ENGINE_POLICY: EnginePolicy = {
  score: DEFAULT_SCORE_POLICY,
  lifecycle: DEFAULT_LIFECYCLE_POLICY,
  technical: DEFAULT_TECHNICAL_POLICY,
  anomaly: DEFAULT_ANOMALY_POLICY,
  ecg: DEFAULT_ECG_POLICY,
};

/**
 * Monitored patient-milliseconds in [from, to) (the alarm burden's denominator) recorded in a saved
 * engine state: what `monitoredBetween` of the engine that saved it answered then. 0 for a state
 * that is not one (absent, or of another shape).
 */
export function monitoredInState(state: unknown, from: number, to: number): number {
  const patients = (state as { readonly patients?: unknown } | null | undefined)?.patients;
  const byHour = (patients as { readonly monitoredByHour?: unknown } | null | undefined)?.monitoredByHour;
  if (typeof byHour !== 'object' || byHour === null) return 0;
  const hours: [number, number][] = [];
  for (const [hour, ms] of Object.entries(byHour as Record<string, unknown>)) {
    if (Number.isFinite(Number(hour)) && typeof ms === 'number' && Number.isFinite(ms)) hours.push([Number(hour), ms]);
  }
  return monitoredInHours(hours, from, to);
}

/** The engine's evaluation state as plain JSON (alarms themselves are stored apart, see ClinicalStore). */
export interface EngineState {
  readonly version: 1;
  readonly patients: PatientMonitorState;
  readonly devices: TechnicalState;
  /** Absent in states saved before ECG analysis existed. */
  readonly ecg?: EcgState;
}

export interface EngineDeps {
  /** The effective rules of a patient (defaults, ward, patient overrides). */
  readonly rulesFor: (patientId: PatientId) => readonly AlarmRule[];
  /** A stored alarm by id: how a replay recognises an alarm it already raised. */
  readonly findAlarm: (id: string) => Alarm | undefined;
  /** Every alarm state change, in order; the caller stores and routes it. */
  readonly onAlarmEvent: (event: AlarmEvent) => void;
  /** Every score to store (on change, and at least every emitIntervalMs). */
  readonly onScore: (score: ScoreRecord) => void;
  /** ECG heart rate, HRV and signal quality per device, every few seconds of signal. */
  readonly onEcgMetrics?: (metrics: EcgMetrics) => void;
}

/** A technical alarm condition raised from outside the data (e.g. a webhook that keeps failing). */
export interface ExternalCondition {
  /** What it is about, e.g. `webhook:<targetId>`; with `ruleId`, identifies the condition. */
  readonly subject: string;
  readonly ruleId: string;
  readonly message: string;
  readonly priority: AlarmPriority;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The clinical engine: readings in (in log order per partition), alarm events and scores out. Pure and
 * deterministic for data-driven changes (event time); `tick(now)` drives the wall-clock ones (stale
 * data, escalation of unacknowledged alarms, scores going stale); operator commands come through
 * `acknowledge`, `silence`, `escalate` and `resolve`. Its state is `state()`; restore with the stored open alarms.
 */
export class ClinicalEngine {
  private readonly book: AlarmBook;
  private readonly patients: PatientMonitor;
  private readonly technical: TechnicalMonitor;
  private readonly ecg: EcgMonitor;

  constructor(
    private readonly policy: EnginePolicy,
    private readonly deps: EngineDeps,
    restore?: {
      readonly state: EngineState | undefined;
      readonly openAlarms: readonly Alarm[];
      readonly startedAt: number;
    },
  ) {
    this.book = new AlarmBook(deps.findAlarm, deps.onAlarmEvent, restore?.openAlarms ?? []);
    this.patients = new PatientMonitor(
      policy.score,
      policy.anomaly,
      {
        book: this.book,
        rulesFor: deps.rulesFor,
        onScore: deps.onScore,
        maxGapMs: policy.technical.staleAfterMs,
        standsDown: (patientId, ruleId, at) => this.ecg.supersedes(patientId, ruleId, at),
      },
      restore?.state?.patients,
    );
    this.technical = new TechnicalMonitor(
      policy.technical,
      this.book,
      restore?.state?.devices,
      restore?.startedAt ?? 0,
    );
    this.ecg = new EcgMonitor(policy.ecg, this.book, restore?.state?.ecg, restore?.openAlarms, deps.onEcgMetrics);
  }

  ingest(record: IngestRecord): void {
    this.technical.onRecord(record);
    this.patients.onRecord(record);
    if (record.waveforms.length > 0) this.ecg.onRecord(record);
  }

  /**
   * A record re-read after a restart from before the checkpoint: only the ECG analysers see it, to
   * learn the signal again; whatever they conclude from it was applied before the crash.
   */
  warmUp(record: IngestRecord): void {
    if (record.waveforms.length > 0) this.ecg.warmUp(record);
  }

  chart(observation: ChartedObservation): void {
    this.patients.chart(observation);
  }

  /** Wall-clock work: stale data, quality alarms that stopped, scores going stale, escalations. */
  tick(now: number): void {
    this.technical.tick(now);
    this.patients.tick(now);
    for (const alarm of this.book.list()) {
      if (alarm.state !== 'active') continue;
      const after = this.policy.lifecycle.escalateAfterMs[alarm.priority];
      if (after === null) continue;
      if (alarm.silencedUntil !== null && alarm.silencedUntil > now) continue;
      if (now < alarm.raisedAt + (alarm.escalations + 1) * after) continue;
      this.book.apply([escalateAlarm(alarm, SYSTEM_ACTOR, now, `not acknowledged within ${after / 1000} s`)]);
    }
  }

  /** Rules changed: conditions whose rule is gone or disabled end at `at`. */
  rulesChanged(at: number): void {
    this.patients.rulesChanged(at);
  }

  acknowledge(id: string, by: string, at: number, note: string | null): AlarmEvent[] {
    return this.book.apply(acknowledgeAlarm(this.book.require(id), by, at, note));
  }

  silence(id: string, by: string, at: number, durationMs: number, note: string | null): AlarmEvent[] {
    const alarm = this.book.require(id);
    return this.book.apply([silenceAlarm(alarm, by, at, durationMs, this.policy.lifecycle.maxSilenceMs, note)]);
  }

  escalate(id: string, by: string, at: number, note: string | null): AlarmEvent[] {
    return this.book.apply([escalateAlarm(this.book.require(id), by, at, note)]);
  }

  resolve(id: string, by: string, at: number, note: string | null): AlarmEvent[] {
    return this.book.apply([resolveAlarm(this.book.require(id), by, at, note)]);
  }

  /** Raises (or keeps) a technical alarm for a condition outside the data; returns its id. */
  raiseExternal(condition: ExternalCondition, at: number): string {
    const open = this.book.list().find((a) => a.ruleId === condition.ruleId && a.parameter === condition.subject);
    if (open !== undefined) return open.id;
    return this.book.raise({
      id: alarmId(`system:${condition.subject}`, condition.ruleId, at),
      category: 'technical',
      ruleId: condition.ruleId,
      patientId: null,
      deviceId: null,
      parameter: condition.subject,
      priority: condition.priority,
      latching: false,
      message: condition.message,
      onsetAt: at,
      raisedAt: at,
      value: null,
      limit: null,
      details: condition.details,
    });
  }

  /** The outside condition ended. */
  endExternal(subject: string, ruleId: string, at: number): void {
    for (const alarm of this.book.list()) {
      if (alarm.ruleId === ruleId && alarm.parameter === subject) this.book.end(alarm.id, at);
    }
  }

  openAlarms(): Alarm[] {
    return this.book.list();
  }

  /** Monitored time per patient (event time with valid readings), for alarm-burden rates. */
  monitoredMs(): Map<PatientId, number> {
    return this.patients.monitoredMs();
  }

  /** Monitored patient-milliseconds in the event-time hours overlapping [from, to). */
  monitoredBetween(from: number, to: number): number {
    return this.patients.monitoredBetween(from, to);
  }

  /** The evaluation state: a view of the live objects — serialise it before ingesting more (the service saves it as JSON at once). */
  state(): EngineState {
    return { version: 1, patients: this.patients.state(), devices: this.technical.state(), ecg: this.ecg.state() };
  }
}
