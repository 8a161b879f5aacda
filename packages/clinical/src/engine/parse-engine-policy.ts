import type { AlarmPriority } from '../alarm.js';
import type { LifecyclePolicy, TechnicalPolicy } from '../alarms/rules.js';
import { parseAnomalyPolicy } from '../anomaly/anomaly-policy.js';
import { parseMewsTable } from '../scores/mews.js';
import { DEFAULT_ENGINE_POLICY, type EnginePolicy } from './clinical-engine.js';
import type { EcgCondition, EcgPolicy } from './ecg-monitor.js';
import type { ScorePolicy } from './score-policy.js';

type Json = Record<string, unknown>;
const PRIORITIES: readonly AlarmPriority[] = ['high', 'medium', 'low'];
const DAY_MS = 86_400_000;

function object(value: unknown, at: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RangeError(`${at}: expected an object`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new RangeError(`${at}.${key}: unknown field (expected one of ${allowed.join(', ')})`);
  }
  return value as Json;
}

function ms(value: unknown, at: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 31 * DAY_MS) {
    throw new RangeError(`${at}: expected milliseconds, an integer from ${min} to ${31 * DAY_MS}`);
  }
  return value;
}

function priority(value: unknown, at: string, fallback: AlarmPriority): AlarmPriority {
  if (value === undefined) return fallback;
  if (!PRIORITIES.includes(value as AlarmPriority)) throw new RangeError(`${at}: expected high, medium or low`);
  return value as AlarmPriority;
}

function score(json: unknown, base: ScorePolicy): ScorePolicy {
  const o = object(json, 'score', ['validityMs', 'emitIntervalMs', 'minEmitIntervalMs', 'mews']);
  const names = Object.keys(base.validityMs) as (keyof ScorePolicy['validityMs'])[];
  const validity = o.validityMs === undefined ? {} : object(o.validityMs, 'score.validityMs', names);
  return {
    ...base,
    validityMs: Object.fromEntries(
      names.map((n) => [n, ms(validity[n], `score.validityMs.${n}`, base.validityMs[n], 1)]),
    ) as ScorePolicy['validityMs'],
    emitIntervalMs: ms(o.emitIntervalMs, 'score.emitIntervalMs', base.emitIntervalMs, 1_000),
    minEmitIntervalMs: ms(o.minEmitIntervalMs, 'score.minEmitIntervalMs', base.minEmitIntervalMs),
    mews: o.mews === undefined ? base.mews : parseMewsTable(o.mews),
  };
}

function lifecycle(json: unknown, base: LifecyclePolicy): LifecyclePolicy {
  const o = object(json, 'lifecycle', ['escalateAfterMs', 'maxSilenceMs']);
  const esc = o.escalateAfterMs === undefined ? {} : object(o.escalateAfterMs, 'lifecycle.escalateAfterMs', PRIORITIES);
  const after = (p: AlarmPriority) =>
    esc[p] === null ? null : ms(esc[p], `lifecycle.escalateAfterMs.${p}`, base.escalateAfterMs[p] ?? -1, 1_000);
  const escalateAfterMs = { high: after('high'), medium: after('medium'), low: after('low') };
  for (const p of PRIORITIES) if (escalateAfterMs[p] === -1) escalateAfterMs[p] = null;
  return { escalateAfterMs, maxSilenceMs: ms(o.maxSilenceMs, 'lifecycle.maxSilenceMs', base.maxSilenceMs, 1_000) };
}

function technical(json: unknown, base: TechnicalPolicy): TechnicalPolicy {
  const o = object(json, 'technical', Object.keys(base));
  const fraction = o.batteryLowFraction;
  if (fraction !== undefined && (typeof fraction !== 'number' || !(fraction >= 0 && fraction < 1))) {
    throw new RangeError('technical.batteryLowFraction: expected a fraction, 0 ≤ f < 1');
  }
  return {
    staleAfterMs: ms(o.staleAfterMs, 'technical.staleAfterMs', base.staleAfterMs, 1_000),
    stalePriority: priority(o.stalePriority, 'technical.stalePriority', base.stalePriority),
    batteryLowFraction: fraction ?? base.batteryLowFraction,
    batteryPriority: priority(o.batteryPriority, 'technical.batteryPriority', base.batteryPriority),
    dataQualityPriority: priority(o.dataQualityPriority, 'technical.dataQualityPriority', base.dataQualityPriority),
    dataQualityClearMs: ms(o.dataQualityClearMs, 'technical.dataQualityClearMs', base.dataQualityClearMs, 1_000),
  };
}

/** Numbers (and number pairs) of `base` overridden by `json`, field by field, each finite and ≥ 0. */
function overlayNumbers<T>(json: unknown, base: T, at: string): T {
  const o = object(json, at, Object.keys(base as object));
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(o)) {
    const current = out[key];
    const where = `${at}.${key}`;
    if (typeof current === 'number') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw new RangeError(`${where}: expected a number ≥ 0`);
      out[key] = value;
    } else if (Array.isArray(current)) {
      if (
        !Array.isArray(value) ||
        value.length !== current.length ||
        value.some((v) => typeof v !== 'number' || !Number.isFinite(v))
      )
        throw new RangeError(`${where}: expected ${current.length} numbers`);
      out[key] = value;
    } else {
      out[key] = overlayNumbers(value, current, where);
    }
  }
  return out as T;
}

function ecg(json: unknown, base: EcgPolicy): EcgPolicy {
  const o = object(json, 'ecg', ['leads', 'priority', 'latching', 'rhythm']);
  const conditions = Object.keys(base.priority) as EcgCondition[];
  const pri = o.priority === undefined ? {} : object(o.priority, 'ecg.priority', conditions);
  const latch = o.latching === undefined ? {} : object(o.latching, 'ecg.latching', conditions);
  for (const c of conditions) {
    if (latch[c] !== undefined && typeof latch[c] !== 'boolean')
      throw new RangeError(`ecg.latching.${c}: expected true or false`);
  }
  if (
    o.leads !== undefined &&
    (!Array.isArray(o.leads) || o.leads.some((l) => typeof l !== 'string') || o.leads.length === 0)
  ) {
    throw new RangeError('ecg.leads: expected a non-empty list of ECG waveform codes');
  }
  return {
    leads: (o.leads as string[] | undefined) ?? base.leads,
    priority: Object.fromEntries(
      conditions.map((c) => [c, priority(pri[c], `ecg.priority.${c}`, base.priority[c])]),
    ) as EcgPolicy['priority'],
    latching: Object.fromEntries(
      conditions.map((c) => [c, (latch[c] as boolean | undefined) ?? base.latching[c]]),
    ) as EcgPolicy['latching'],
    rhythm: o.rhythm === undefined ? base.rhythm : overlayNumbers(o.rhythm, base.rhythm, 'ecg.rhythm'),
  };
}

/**
 * A site's local policy for the clinical engine, as JSON (`wardstream up --clinical-policy FILE`):
 * any subset of `score` (validity windows, storage intervals, a MEWS table), `lifecycle` (escalation
 * per priority — `null` for never — and the longest silence), `technical` (stale data, battery, data
 * quality), `anomaly` (see `parseAnomalyPolicy`) and `ecg` (leads analysed, priority and latching per
 * rhythm or lead condition, `rhythm` numbers of RhythmPolicy). What is not given keeps its default. Throws a
 * RangeError naming the first bad field. Alarm limits are rules, set through the rules API.
 */
export function parseEnginePolicy(json: unknown, base: EnginePolicy = DEFAULT_ENGINE_POLICY): EnginePolicy {
  const o = object(json, 'policy', ['score', 'lifecycle', 'technical', 'anomaly', 'ecg']);
  return {
    score: o.score === undefined ? base.score : score(o.score, base.score),
    lifecycle: o.lifecycle === undefined ? base.lifecycle : lifecycle(o.lifecycle, base.lifecycle),
    technical: o.technical === undefined ? base.technical : technical(o.technical, base.technical),
    anomaly: o.anomaly === undefined ? base.anomaly : parseAnomalyPolicy(o.anomaly, base.anomaly),
    ecg: o.ecg === undefined ? base.ecg : ecg(o.ecg, base.ecg),
  };
}
