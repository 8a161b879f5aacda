import type { PatientId } from '@wardstream/domain';
import type { ScoreInput, ScoreRecord } from '../score-record.js';
import { scoreMews } from '../scores/mews.js';
import { news2Risk, scoreNews2Partial, type News2Input } from '../scores/news2.js';
import { scoreQsofa } from '../scores/qsofa.js';
import { newestOf, type PatientInputs, type Sample } from './patient-inputs.js';
import type { ScorePolicy, VitalParameter } from './score-policy.js';

/** The inputs of one evaluation: each parameter fresh, stale or missing at `at`. */
interface Gathered {
  readonly fresh: Partial<Record<VitalParameter | 'consciousness' | 'oxygen' | 'spo2Scale', Sample<unknown>>>;
  readonly stale: string[];
  readonly missing: string[];
}

function gather(inputs: PatientInputs, at: number, policy: ScorePolicy): Gathered {
  const fresh: Gathered['fresh'] = {};
  const stale: string[] = [];
  const missing: string[] = [];
  const take = (name: VitalParameter | 'consciousness' | 'oxygen', sample: Sample<unknown> | null | undefined) => {
    if (sample === null || sample === undefined) missing.push(name);
    else if (at - sample.observedAt > policy.validityMs[name]) stale.push(name);
    else fresh[name] = sample;
  };
  for (const p of ['respirationRate', 'spo2', 'systolicBP', 'pulse', 'temperature'] as const) {
    take(p, newestOf(inputs, policy.codes[p]));
  }
  take('consciousness', inputs.consciousness);
  take('oxygen', inputs.oxygen);
  if (inputs.spo2Scale !== null) fresh.spo2Scale = inputs.spo2Scale;
  return { fresh, stale, missing };
}

function num(g: Gathered, p: VitalParameter): number | undefined {
  return g.fresh[p]?.value as number | undefined;
}

function inputRecord(g: Gathered): Record<string, ScoreInput> {
  const out: Record<string, ScoreInput> = {};
  for (const [name, s] of Object.entries(g.fresh)) {
    out[name] = { value: s.value as number | string | boolean, observedAt: s.observedAt, source: s.source };
  }
  return out;
}

/** NEWS2 parameter names of the score record that a gathered input name maps to. */
const NEWS2_OF: Readonly<Record<string, string>> = {
  respirationRate: 'respirationRate',
  spo2: 'spo2',
  systolicBP: 'systolicBP',
  pulse: 'pulse',
  temperature: 'temperature',
  consciousness: 'consciousness',
  oxygen: 'airOrOxygen',
};

/**
 * The patient's NEWS2, qSOFA and MEWS at event time `at` from the newest valid inputs within their
 * validity windows. A missing or stale input makes the score partial and is named; the band of a
 * partial score is null (never presented as complete). `news2Floor` is the lowest NEWS2 risk band the
 * present parameters already prove, for escalation rules.
 */
export function streamScores(
  patientId: PatientId,
  inputs: PatientInputs,
  at: number,
  policy: ScorePolicy,
): { scores: ScoreRecord[]; news2Floor: ReturnType<typeof news2Risk> } {
  const g = gather(inputs, at, policy);
  const used = inputRecord(g);
  const scale = (g.fresh.spo2Scale?.value as 1 | 2 | undefined) ?? 1;
  const news2Input: Partial<Record<keyof News2Input, unknown>> = {
    respirationRate: num(g, 'respirationRate'),
    spo2: num(g, 'spo2'),
    spo2Scale: scale,
    onOxygen: g.fresh.oxygen?.value,
    systolicBP: num(g, 'systolicBP'),
    pulse: num(g, 'pulse'),
    consciousness: g.fresh.consciousness?.value,
    temperatureC: num(g, 'temperature'),
  };
  const news2 = scoreNews2Partial(withoutUndefined(news2Input));
  const rename = (names: readonly string[]) => names.map((n) => NEWS2_OF[n] ?? n);
  const news2Record: ScoreRecord = {
    patientId,
    score: 'news2',
    at,
    value: news2.aggregate,
    complete: news2.complete && g.stale.length === 0 && g.missing.length === 0,
    missing: rename(g.missing),
    stale: rename(g.stale),
    subscores: news2.subscores,
    band: news2.complete ? news2.clinicalRisk : null,
    inputs: used,
  };
  const qsofaInput = withoutUndefined({
    respirationRate: num(g, 'respirationRate'),
    systolicBP: num(g, 'systolicBP'),
    consciousness: g.fresh.consciousness?.value,
  });
  const qsofa = scoreQsofa(qsofaInput);
  const qsofaParams = new Set(['respirationRate', 'systolicBP', 'consciousness']);
  const qsofaRecord: ScoreRecord = {
    patientId,
    score: 'qsofa',
    at,
    value: qsofa.value,
    complete: qsofa.complete,
    missing: g.missing.filter((n) => qsofaParams.has(n)),
    stale: g.stale.filter((n) => qsofaParams.has(n)),
    subscores: qsofa.subscores,
    band: qsofa.positive === null ? null : qsofa.positive ? 'positive' : 'negative',
    inputs: pick(used, qsofaParams),
  };
  const mewsInput = withoutUndefined({
    systolicBP: num(g, 'systolicBP'),
    heartRate: num(g, 'pulse'),
    respirationRate: num(g, 'respirationRate'),
    temperatureC: num(g, 'temperature'),
    consciousness: g.fresh.consciousness?.value,
  });
  const mews = scoreMews(mewsInput, policy.mews);
  const mewsParams = new Set(['systolicBP', 'pulse', 'respirationRate', 'temperature', 'consciousness']);
  const mewsRecord: ScoreRecord = {
    patientId,
    score: 'mews',
    at,
    value: mews.value,
    complete: mews.complete,
    missing: mews.missing,
    stale: g.stale.filter((n) => mewsParams.has(n)),
    subscores: mews.subscores,
    band: null,
    inputs: pick(used, mewsParams),
  };
  return {
    scores: [news2Record, qsofaRecord, mewsRecord],
    news2Floor: news2Risk(news2.aggregate, news2.anySingleParameter3),
  };
}

// The three helpers below run for every record of every patient: plain loops, no intermediate arrays.

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function pick(o: Record<string, ScoreInput>, keys: ReadonlySet<string>): Record<string, ScoreInput> {
  const out: Record<string, ScoreInput> = {};
  for (const k in o) if (keys.has(k)) out[k] = o[k] as ScoreInput;
  return out;
}

/** A key that changes when anything a reader of the score would see changes (not its time). */
export function scoreKey(s: ScoreRecord): string {
  let key = `${s.value}|${s.complete}|${s.band}|${s.missing.join(',')}|${s.stale.join(',')}|`;
  for (const k in s.subscores) key += `${k}=${s.subscores[k]},`;
  return key;
}
