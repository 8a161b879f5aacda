import type { Consciousness } from '../charted.js';
import { bandPoints, type Band } from './band.js';
import { roundHalfUp } from './rounding.js';

/** The source of the qSOFA criteria. */
export const QSOFA_SOURCE =
  'Singer M, et al. The Third International Consensus Definitions for Sepsis and Septic Shock (Sepsis-3). ' +
  'JAMA 2016;315(8):801–810; Seymour CW, et al. Assessment of Clinical Criteria for Sepsis. JAMA 2016;315(8):762–774.';

export type QsofaCriterion = 'respirationRate' | 'systolicBP' | 'mentation';

/** [qSOFA (Sepsis-3, JAMA 2016), respiratory rate ≥ 22/min] */
export const QSOFA_RESPIRATION_RATE_BANDS: readonly Band[] = [
  { below: 22, points: 0 },
  { upTo: Infinity, points: 1 },
];

/** [qSOFA (Sepsis-3, JAMA 2016), systolic blood pressure ≤ 100 mmHg] */
export const QSOFA_SYSTOLIC_BP_BANDS: readonly Band[] = [
  { upTo: 100, points: 1 },
  { upTo: Infinity, points: 0 },
];

/**
 * [qSOFA (Sepsis-3, JAMA 2016), altered mentation] Sepsis-3 defines it as GCS < 15; on an ACVPU chart
 * anything but Alert (new confusion, voice, pain, unresponsive) is altered.
 */
export const QSOFA_MENTATION_POINTS: Readonly<Record<Consciousness, number>> = { A: 0, C: 1, V: 1, P: 1, U: 1 };

/** [qSOFA (Sepsis-3, JAMA 2016)] Points at which qSOFA is positive. */
export const QSOFA_POSITIVE_AT = 2;

export interface QsofaInput {
  /** Breaths per minute. */
  readonly respirationRate: number;
  /** mmHg. */
  readonly systolicBP: number;
  readonly consciousness: Consciousness;
}

export interface QsofaResult {
  /** One point per criterion met; null for a criterion whose input is missing. */
  readonly subscores: Readonly<Record<QsofaCriterion, number | null>>;
  /** Points over the criteria present (0–3). */
  readonly value: number;
  readonly complete: boolean;
  readonly missing: QsofaCriterion[];
  readonly positive: boolean | null;
}

/**
 * qSOFA (Sepsis-3): one point each for respiration rate ≥ 22/min, altered mentation, systolic BP
 * ≤ 100 mmHg, after rounding rate and pressure half up to whole numbers. `positive` is true as soon
 * as two criteria are met, even when the third is missing (it cannot take points away); false only
 * when complete and below 2; null when incomplete and below 2. Throws RangeError for NaN or a letter
 * that is not ACVPU.
 */
export function scoreQsofa(input: Partial<QsofaInput>): QsofaResult {
  const { respirationRate, systolicBP, consciousness } = input;
  const subscores: Record<QsofaCriterion, number | null> = {
    respirationRate:
      respirationRate === undefined ? null : measured('respirationRate', QSOFA_RESPIRATION_RATE_BANDS, respirationRate),
    systolicBP: systolicBP === undefined ? null : measured('systolicBP', QSOFA_SYSTOLIC_BP_BANDS, systolicBP),
    mentation: consciousness === undefined ? null : mentationPoints(consciousness),
  };
  const criteria: readonly QsofaCriterion[] = ['respirationRate', 'systolicBP', 'mentation'];
  const missing = criteria.filter((c) => subscores[c] === null);
  const value = criteria.reduce((sum, c) => sum + (subscores[c] ?? 0), 0);
  const complete = missing.length === 0;
  const positive = value >= QSOFA_POSITIVE_AT ? true : complete ? false : null;
  return { subscores, value, complete, missing, positive };
}

function measured(name: string, bands: readonly Band[], value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, not ${value}`);
  return bandPoints(bands, roundHalfUp(value, 0));
}

function mentationPoints(consciousness: Consciousness): number {
  if (!Object.hasOwn(QSOFA_MENTATION_POINTS, consciousness))
    throw new RangeError(`consciousness must be one of A, C, V, P, U, not ${consciousness}`);
  return QSOFA_MENTATION_POINTS[consciousness];
}
