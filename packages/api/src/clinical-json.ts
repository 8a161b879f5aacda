import type { AlarmBurden, AuditEntry } from '@wardstream/alerts';
import type {
  Alarm,
  AlarmEvent,
  AlarmRule,
  ChartedObservation,
  RuleScope,
  ScoreRecord,
  StoredRuleSet,
} from '@wardstream/clinical';
import { isoOrNull } from './json.js';

const iso = (at: number): string => new Date(at).toISOString();

/** An alarm as the API serves it: every instant ISO-8601 (null where the alarm has none yet). */
export function alarmJson(a: Alarm) {
  return {
    id: a.id,
    category: a.category,
    ruleId: a.ruleId,
    patientId: a.patientId,
    deviceId: a.deviceId,
    parameter: a.parameter,
    priority: a.priority,
    latching: a.latching,
    state: a.state,
    conditionActive: a.conditionActive,
    message: a.message,
    onsetAt: iso(a.onsetAt),
    raisedAt: iso(a.raisedAt),
    value: a.value,
    limit: a.limit,
    details: a.details,
    acknowledgedAt: isoOrNull(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    silencedUntil: isoOrNull(a.silencedUntil),
    escalations: a.escalations,
    conditionEndedAt: isoOrNull(a.conditionEndedAt),
    conditionChangedAt: iso(a.conditionChangedAt),
    resolvedAt: isoOrNull(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    version: a.version,
  };
}

/** One entry of an alarm's history, without the alarm snapshot (`GET /alarms/{id}`). */
export function alarmHistoryJson(e: AlarmEvent) {
  return { id: e.id, seq: e.seq, type: e.type, at: iso(e.at), by: e.by, note: e.note };
}

/** An alarm event as the live feed sends it: the change and the alarm after it. */
export function alarmEventJson(e: AlarmEvent) {
  return { ...alarmHistoryJson(e), alarmId: e.alarmId, alarm: alarmJson(e.alarm) };
}

export function scoreJson(s: ScoreRecord) {
  return {
    patientId: s.patientId,
    score: s.score,
    at: iso(s.at),
    value: s.value,
    complete: s.complete,
    missing: s.missing,
    stale: s.stale,
    subscores: s.subscores,
    band: s.band,
    inputs: Object.fromEntries(
      Object.entries(s.inputs).map(([name, input]) => [name, { ...input, observedAt: iso(input.observedAt) }]),
    ),
  };
}

/** A charted observation, flat like the request that recorded it: `{id, patientId, kind, …, observedAt}`. */
export function chartedJson(o: ChartedObservation) {
  return {
    id: o.id,
    patientId: o.patientId,
    ...o.observation,
    observedAt: iso(o.observedAt),
    recordedAt: iso(o.recordedAt),
    recordedBy: o.recordedBy,
  };
}

/** A scope's rule set; a scope never set is version 0 with `fallback` rules and no author. */
export function ruleSetJson(scope: RuleScope, stored: StoredRuleSet | undefined, fallback: readonly AlarmRule[]) {
  return {
    scope,
    rules: stored?.rules ?? fallback,
    version: stored?.version ?? 0,
    updatedAt: stored === undefined ? null : iso(stored.updatedAt),
    updatedBy: stored?.updatedBy ?? null,
  };
}

export function auditJson(e: AuditEntry) {
  return { seq: e.seq, at: iso(e.at), actor: e.actor, action: e.action, subject: e.subject, details: e.details };
}

export function burdenJson(b: AlarmBurden) {
  return { ...b, from: iso(b.from), to: iso(b.to) };
}
