import { deviceId, patientId } from '@wardstream/domain';
import {
  alarmEventId,
  type Alarm,
  type AlarmEvent,
  type AlarmEventType,
  type ChartedObservation,
  type ScoreBandRule,
  type ScoreRecord,
  type ThresholdRule,
} from '@wardstream/clinical';

/** 2025-01-15T08:00:00Z: the instant fixtures start from (epoch ms). */
export const T0 = Date.UTC(2025, 0, 15, 8, 0, 0);
export const MINUTE_MS = 60_000;

/**
 * A raised (version 1) physiological alarm of patient `p-1` on monitor `mon-1`, every field set,
 * with `overrides` applied. An alarm's later states come from `eventFixture`/`alarmHistory`.
 */
export function alarmFixture(overrides: Partial<Alarm> = {}): Alarm {
  return {
    id: 'alarm-1',
    category: 'physiological',
    ruleId: 'news2.pulse.high',
    patientId: patientId('p-1'),
    deviceId: deviceId('mon-1'),
    parameter: 'MDC_PULS_OXIM_PULS_RATE',
    priority: 'high',
    latching: false,
    state: 'active',
    conditionActive: true,
    message: 'Pulse 142 /min ≥ 131 for 10 s',
    onsetAt: T0 - 10_000,
    raisedAt: T0,
    value: 142,
    limit: 131,
    details: { source: 'NEWS2 (RCP 2017) chart 1, pulse per minute', delayMs: 10_000 },
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedUntil: null,
    escalations: 0,
    conditionEndedAt: null,
    conditionChangedAt: overrides.raisedAt ?? T0,
    resolvedAt: null,
    resolvedBy: null,
    version: 1,
    ...overrides,
  };
}

export interface EventFixtureOptions {
  /** Default: `alarm.raisedAt` plus a minute per seq after the first. */
  readonly at?: number;
  /** Default: `system` for the engine's changes, `nurse.okafor` for an operator's. */
  readonly by?: string;
  readonly note?: string | null;
}

const OPERATOR_EVENTS: ReadonlySet<AlarmEventType> = new Set(['acknowledged', 'silenced', 'resolved']);

/**
 * Event `seq` of `alarm` (the alarm as it stood before it), with the alarm after the change:
 * state, the matching `…At`/`…By` fields and `version = seq` set as the lifecycle would.
 */
export function eventFixture(
  alarm: Alarm,
  seq: number,
  type: AlarmEventType,
  options: EventFixtureOptions = {},
): AlarmEvent {
  const at = options.at ?? alarm.raisedAt + (seq - 1) * MINUTE_MS;
  const by = options.by ?? (OPERATOR_EVENTS.has(type) ? 'nurse.okafor' : 'system');
  return {
    id: alarmEventId(alarm.id, seq),
    alarmId: alarm.id,
    seq,
    type,
    at,
    by,
    note: options.note ?? null,
    alarm: { ...applyEvent(alarm, type, at, by), version: seq },
  };
}

/** The events `types[0]` (seq 1), `types[1]` (seq 2), … of `alarm`, each applied to the one before. */
export function alarmHistory(alarm: Alarm, types: readonly AlarmEventType[]): AlarmEvent[] {
  const events: AlarmEvent[] = [];
  let current = alarm;
  for (const [index, type] of types.entries()) {
    const event = eventFixture(current, index + 1, type);
    events.push(event);
    current = event.alarm;
  }
  return events;
}

function applyEvent(alarm: Alarm, type: AlarmEventType, at: number, by: string): Alarm {
  switch (type) {
    case 'raised':
      return { ...alarm, state: 'active' };
    case 'acknowledged':
      return { ...alarm, state: 'acknowledged', acknowledgedAt: at, acknowledgedBy: by };
    case 'silenced':
      return { ...alarm, silencedUntil: at + 2 * MINUTE_MS };
    case 'escalated':
      return { ...alarm, escalations: alarm.escalations + 1 };
    case 'condition-ended':
      return { ...alarm, conditionActive: false, conditionEndedAt: at, conditionChangedAt: at };
    case 'condition-returned':
      return { ...alarm, conditionActive: true, conditionEndedAt: null, conditionChangedAt: at };
    case 'resolved':
      return { ...alarm, state: 'resolved', conditionActive: false, resolvedAt: at, resolvedBy: by };
  }
}

/** A complete NEWS2 of patient `p-1` at T0 (medium band), with `overrides` applied. */
export function scoreFixture(overrides: Partial<ScoreRecord> = {}): ScoreRecord {
  return {
    patientId: patientId('p-1'),
    score: 'news2',
    at: T0,
    value: 5,
    complete: true,
    missing: [],
    stale: [],
    subscores: {
      respirationRate: 2,
      spo2: 1,
      airOrOxygen: 0,
      systolicBp: 0,
      pulse: 2,
      consciousness: 0,
      temperature: 0,
    },
    band: 'medium',
    inputs: {
      respirationRate: { value: 22, observedAt: T0 - 30_000, source: 'MDC_RESP_RATE' },
      airOrOxygen: { value: false, observedAt: T0 - 3_600_000, source: 'charted' },
      consciousness: { value: 'A', observedAt: T0 - 3_600_000, source: 'charted' },
    },
    ...overrides,
  };
}

/** A partial score: a missing and a stale parameter (null sub-scores), no band. */
export function partialScoreFixture(overrides: Partial<ScoreRecord> = {}): ScoreRecord {
  return scoreFixture({
    value: 3,
    complete: false,
    missing: ['systolicBp'],
    stale: ['temperature'],
    subscores: { respirationRate: 2, spo2: 1, systolicBp: null, temperature: null },
    band: null,
    ...overrides,
  });
}

/** Consciousness `A` charted for patient `p-1` at T0 by `nurse.okafor`, with `overrides` applied. */
export function chartedFixture(overrides: Partial<ChartedObservation> = {}): ChartedObservation {
  return {
    id: 'charted-1',
    patientId: patientId('p-1'),
    observation: { kind: 'consciousness', value: 'A' },
    observedAt: T0,
    recordedAt: T0 + 120_000,
    recordedBy: 'nurse.okafor',
    ...overrides,
  };
}

/** NEWS2's pulse ≥ 131 /min threshold rule, every field set, with `overrides` applied. */
export function thresholdRuleFixture(overrides: Partial<ThresholdRule> = {}): ThresholdRule {
  return {
    kind: 'threshold',
    id: 'news2.pulse.high',
    label: 'Pulse high',
    codes: ['MDC_PULS_OXIM_PULS_RATE', 'MDC_ECG_HEART_RATE'],
    direction: 'atOrAbove',
    limit: 131,
    hysteresis: 5,
    delayMs: 10_000,
    clearDelayMs: 30_000,
    priority: 'high',
    latching: false,
    enabled: true,
    source: 'NEWS2 (RCP 2017) chart 1, pulse per minute',
    ...overrides,
  };
}

/** NEWS2's high-band escalation rule, with `overrides` applied. */
export function bandRuleFixture(overrides: Partial<ScoreBandRule> = {}): ScoreBandRule {
  return {
    kind: 'news2Band',
    id: 'news2.band.high',
    label: 'NEWS2 high',
    band: 'high',
    response: 'Emergency assessment by a clinical team with critical-care competencies',
    delayMs: 0,
    clearDelayMs: 60_000,
    priority: 'high',
    latching: true,
    enabled: true,
    source: 'NEWS2 (RCP 2017) chart 2',
    ...overrides,
  };
}
