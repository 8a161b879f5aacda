import type { PatientId } from '@wardstream/domain';
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
import type { ScoreRecord } from '../score-record.js';
import type { News2Risk } from '../scores/news2.js';
import type { AlarmBook } from './alarm-book.js';

/** How one patient's rules step their alarm conditions: thresholds, NEWS2 bands, anomalies. */

const RISK_RANK: Readonly<Record<News2Risk, number>> = { low: 0, 'low-medium': 1, medium: 2, high: 3 };
/** A pending score-band condition starts over after this long without an evaluation. */
const BAND_MAX_GAP_MS = 5 * 60_000;

/** Ends a condition now (its rule was disabled, removed or superseded). */
export function endNow(book: AlarmBook, tracker: ConditionTracker, at: number): void {
  const step = forceEnd(tracker, at);
  if (step.kind === 'end') book.end(step.alarmId, at);
}

/**
 * One reading against one threshold rule (artifact-gated upstream). A parameter sampled less often than
 * the rule's delays (both recent gaps, or the only one known) is a spot measurement: it raises or clears at once.
 */
export function stepThreshold(
  book: AlarmBook,
  patientId: PatientId,
  tracker: ConditionTracker,
  rule: ThresholdRule,
  sample: { readonly at: number; readonly value: number; readonly unit: string; readonly code: string },
  gaps: readonly [number, number] | undefined,
  maxGapMs: number,
): void {
  const { at, value, unit, code } = sample;
  if (!rule.enabled) {
    endNow(book, tracker, at);
    return;
  }
  const past = rule.direction === 'atOrAbove' ? value >= rule.limit : value <= rule.limit;
  const clear =
    rule.direction === 'atOrAbove' ? value <= rule.limit - rule.hysteresis : value >= rule.limit + rule.hysteresis;
  const zone: ConditionZone = past ? 'alarm' : clear ? 'clear' : 'hold';
  const [before = -1, last = -1] = gaps ?? [];
  const longest = Math.max(rule.delayMs, rule.clearDelayMs, 1);
  const spot = last >= longest && (before >= longest || before < 0);
  const step = stepCondition(tracker, at, zone, {
    delayMs: rule.delayMs,
    clearDelayMs: rule.clearDelayMs,
    maxGapMs: maxGapMs,
    spot,
  });
  if (step.kind === 'end') book.end(step.alarmId, step.at);
  if (step.kind !== 'raise') return;
  const sign = rule.direction === 'atOrAbove' ? '≥' : '≤';
  tracker.alarmId = book.raise({
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

/**
 * The NEWS2 escalation rules, highest band first: once a band's alarm is active, the lower bands'
 * conditions are held (and ended): one band alarm at a time.
 */
export function stepBands(
  book: AlarmBook,
  patientId: PatientId,
  conditions: Record<string, ConditionTracker>,
  rules: readonly AlarmRule[],
  news2: ScoreRecord,
  floor: News2Risk,
  at: number,
): void {
  const bandRules = rules
    .filter((r): r is ScoreBandRule => r.kind === 'news2Band')
    .sort((a, b) => RISK_RANK[b.band] - RISK_RANK[a.band]);
  let higherActive = false;
  for (const rule of bandRules) {
    stepBand(book, patientId, conditions, rule, news2, floor, at, higherActive);
    if (rule.enabled && conditions[rule.id]?.phase === 'active') higherActive = true;
  }
}

/**
 * One escalation rule: its condition is "the score proves this band or a higher one". While a higher
 * band's alarm is active this one is held (and ended if it was active): one band alarm at a time. It
 * clears only on a complete score below the band — missing data is not evidence of recovery.
 */
function stepBand(
  book: AlarmBook,
  patientId: PatientId,
  conditions: Record<string, ConditionTracker>,
  rule: ScoreBandRule,
  news2: ScoreRecord,
  floor: News2Risk,
  at: number,
  higherActive: boolean,
): void {
  const tracker = (conditions[rule.id] ??= idleTracker());
  if (!rule.enabled || higherActive) {
    if (tracker.phase === 'active' || !rule.enabled) endNow(book, tracker, at);
    return;
  }
  const reached = RISK_RANK[floor] >= RISK_RANK[rule.band];
  const zone: ConditionZone = reached ? 'alarm' : news2.complete ? 'clear' : 'hold';
  const step = stepCondition(tracker, at, zone, {
    delayMs: rule.delayMs,
    clearDelayMs: rule.clearDelayMs,
    maxGapMs: BAND_MAX_GAP_MS,
  });
  if (step.kind === 'end') book.end(step.alarmId, step.at);
  if (step.kind !== 'raise') return;
  const partial = news2.complete ? '' : ` (partial: ${[...news2.missing, ...news2.stale].join(', ')} not available)`;
  tracker.alarmId = book.raise({
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

/** An anomaly measure that started or ended a deviation raises or ends its (low-priority) alarm. */
export function stepAnomaly(
  book: AlarmBook,
  patientId: PatientId,
  anomalies: Record<string, string>,
  m: AnomalyMeasure,
  bucket: AnomalyEvaluation,
  unit: string,
): void {
  const code = bucket.code;
  const key = `${m.kind}.${code}`;
  if (m.changed === 'ended') {
    book.end(anomalies[key] ?? null, bucket.bucketEndAt);
    Reflect.deleteProperty(anomalies, key);
    return;
  }
  if (m.changed !== 'started') return;
  const ruleId = `anomaly.${key}`;
  anomalies[key] = book.raise({
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
