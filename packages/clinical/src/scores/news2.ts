import type { Consciousness } from '../charted.js';
import { bandPoints, type Band } from './band.js';
import {
  AIR_OR_OXYGEN_POINTS,
  CONSCIOUSNESS_POINTS,
  NEWS2_MONITORING,
  NEWS2_PARAMETERS,
  NEWS2_PRECISION,
  NEWS2_RED_SCORE,
  NEWS2_RESPONSE,
  NEWS2_RISK_BANDS,
  PULSE_BANDS,
  RESPIRATION_RATE_BANDS,
  SPO2_SCALE_1_BANDS,
  SPO2_SCALE_2_AIR_BANDS,
  SPO2_SCALE_2_OXYGEN_BANDS,
  SYSTOLIC_BP_BANDS,
  TEMPERATURE_BANDS,
  type News2Parameter,
  type News2Risk,
} from './news2-chart.js';
import { roundHalfUp } from './rounding.js';

export { NEWS2_PARAMETERS };
export type { News2Parameter, News2Risk };

/** One set of NEWS2 observations, in the units of NEWS2 chart 1. */
export interface News2Input {
  /** Breaths per minute. */
  readonly respirationRate: number;
  /** Peripheral oxygen saturation, %. */
  readonly spo2: number;
  /** 2 only for a patient with a clinician-documented SpO2 target of 88–92 %; otherwise 1. */
  readonly spo2Scale: 1 | 2;
  /** Supplemental oxygen (any device or flow). */
  readonly onOxygen: boolean;
  /** mmHg. */
  readonly systolicBP: number;
  /** Beats per minute. */
  readonly pulse: number;
  readonly consciousness: Consciousness;
  readonly temperatureC: number;
}

/** A complete NEWS2 score with its chart 2 risk and response and chart 4 monitoring frequency. */
export interface News2Result {
  readonly subscores: Readonly<Record<News2Parameter, number>>;
  /** 0–20. */
  readonly aggregate: number;
  /** Any one parameter scored 3 (a "red score"). */
  readonly anySingleParameter3: boolean;
  readonly clinicalRisk: News2Risk;
  readonly response: string;
  readonly monitoring: string;
}

/** A NEWS2 score over the parameters present; never presented as complete when one is missing. */
export interface News2PartialResult {
  /** null for a parameter that could not be scored. */
  readonly subscores: Readonly<Record<News2Parameter, number | null>>;
  /** The sum over the parameters present. */
  readonly aggregate: number;
  readonly anySingleParameter3: boolean;
  readonly complete: boolean;
  readonly missing: News2Parameter[];
  /** null unless complete. */
  readonly clinicalRisk: News2Risk | null;
}

/**
 * Scores one complete set of observations by NEWS2 chart 1, after rounding each input half up to the
 * chart's precision (whole numbers; 0.1 °C). Throws RangeError for a value outside its type (NaN, a
 * letter that is not ACVPU): untrusted input goes through `parseNews2Input` first.
 */
export function scoreNews2(input: News2Input): News2Result {
  const subscores: Record<News2Parameter, number> = {
    respirationRate: measuredPoints('respirationRate', input.respirationRate),
    spo2: spo2Points(input.spo2, input.spo2Scale, input.onOxygen),
    airOrOxygen: AIR_OR_OXYGEN_POINTS[input.onOxygen ? 'oxygen' : 'air'],
    systolicBP: measuredPoints('systolicBP', input.systolicBP),
    pulse: measuredPoints('pulse', input.pulse),
    consciousness: consciousnessPoints(input.consciousness),
    temperature: measuredPoints('temperatureC', input.temperatureC),
  };
  const points = Object.values(subscores);
  const aggregate = points.reduce((sum, p) => sum + p, 0);
  const anySingleParameter3 = points.some((p) => p === NEWS2_RED_SCORE);
  const clinicalRisk = news2Risk(aggregate, anySingleParameter3);
  return {
    subscores,
    aggregate,
    anySingleParameter3,
    clinicalRisk,
    response: NEWS2_RESPONSE[clinicalRisk],
    monitoring: news2Monitoring(aggregate, anySingleParameter3),
  };
}

/**
 * Scores whatever is present. SpO2 needs `spo2`, and on scale 2 also `onOxygen` (its upper bands
 * depend on it); an absent `spo2Scale` is scale 1, the chart's default — scale 2 must be charted.
 * `airOrOxygen` needs `onOxygen`. The risk is null unless every parameter was scored, even when
 * the parameters present already reach a band. Throws like `scoreNews2` for a value outside its type.
 */
export function scoreNews2Partial(input: Partial<News2Input>): News2PartialResult {
  const { respirationRate, spo2, onOxygen, systolicBP, pulse, consciousness, temperatureC } = input;
  const spo2Scale = input.spo2Scale ?? 1;
  const spo2Scorable = spo2 !== undefined && (spo2Scale === 1 || onOxygen !== undefined);
  const subscores: Record<News2Parameter, number | null> = {
    respirationRate: respirationRate === undefined ? null : measuredPoints('respirationRate', respirationRate),
    spo2: spo2Scorable ? spo2Points(spo2, spo2Scale, onOxygen ?? false) : null,
    airOrOxygen: onOxygen === undefined ? null : AIR_OR_OXYGEN_POINTS[onOxygen ? 'oxygen' : 'air'],
    systolicBP: systolicBP === undefined ? null : measuredPoints('systolicBP', systolicBP),
    pulse: pulse === undefined ? null : measuredPoints('pulse', pulse),
    consciousness: consciousness === undefined ? null : consciousnessPoints(consciousness),
    temperature: temperatureC === undefined ? null : measuredPoints('temperatureC', temperatureC),
  };
  const missing = NEWS2_PARAMETERS.filter((p) => subscores[p] === null);
  const points = Object.values(subscores).filter((p) => p !== null);
  const aggregate = points.reduce((sum, p) => sum + p, 0);
  const anySingleParameter3 = points.some((p) => p === NEWS2_RED_SCORE);
  const complete = missing.length === 0;
  return {
    subscores,
    aggregate,
    anySingleParameter3,
    complete,
    missing,
    clinicalRisk: complete ? news2Risk(aggregate, anySingleParameter3) : null,
  };
}

/**
 * NEWS2 chart 2: 0–4 low, but low–medium when any single parameter scored 3; 5–6 medium; ≥7 high.
 * Throws RangeError for an aggregate that is not a non-negative integer.
 */
export function news2Risk(aggregate: number, anySingleParameter3: boolean): News2Risk {
  const row = aggregateRow(NEWS2_RISK_BANDS, aggregate);
  return anySingleParameter3 ? (row.withSingle3 ?? row.risk) : row.risk;
}

/** NEWS2 chart 4: the minimum frequency of observations for an aggregate. */
export function news2Monitoring(aggregate: number, anySingleParameter3: boolean): string {
  const row = aggregateRow(NEWS2_MONITORING, aggregate);
  return anySingleParameter3 ? (row.withSingle3 ?? row.frequency) : row.frequency;
}

function aggregateRow<Row extends { readonly aggregateUpTo: number }>(rows: readonly Row[], aggregate: number): Row {
  const row =
    Number.isInteger(aggregate) && aggregate >= 0 ? rows.find((r) => aggregate <= r.aggregateUpTo) : undefined;
  if (row === undefined) throw new RangeError(`a NEWS2 aggregate is a non-negative integer, not ${aggregate}`);
  return row;
}

const MEASURED_BANDS: Readonly<Record<Exclude<keyof typeof NEWS2_PRECISION, 'spo2'>, readonly Band[]>> = {
  respirationRate: RESPIRATION_RATE_BANDS,
  systolicBP: SYSTOLIC_BP_BANDS,
  pulse: PULSE_BANDS,
  temperatureC: TEMPERATURE_BANDS,
};

function rounded(name: keyof typeof NEWS2_PRECISION, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, not ${value}`);
  return roundHalfUp(value, NEWS2_PRECISION[name]);
}

function measuredPoints(name: keyof typeof MEASURED_BANDS, value: number): number {
  return bandPoints(MEASURED_BANDS[name], rounded(name, value));
}

const SPO2_BANDS: Readonly<Record<1 | 2, { readonly air: readonly Band[]; readonly oxygen: readonly Band[] }>> = {
  1: { air: SPO2_SCALE_1_BANDS, oxygen: SPO2_SCALE_1_BANDS },
  2: { air: SPO2_SCALE_2_AIR_BANDS, oxygen: SPO2_SCALE_2_OXYGEN_BANDS },
};

function spo2Points(spo2: number, scale: 1 | 2, onOxygen: boolean): number {
  if (!Object.hasOwn(SPO2_BANDS, scale)) throw new RangeError(`spo2Scale must be 1 or 2, not ${String(scale)}`);
  return bandPoints(SPO2_BANDS[scale][onOxygen ? 'oxygen' : 'air'], rounded('spo2', spo2));
}

function consciousnessPoints(consciousness: Consciousness): number {
  if (!Object.hasOwn(CONSCIOUSNESS_POINTS, consciousness))
    throw new RangeError(`consciousness must be one of A, C, V, P, U, not ${consciousness}`);
  return CONSCIOUSNESS_POINTS[consciousness];
}
