/**
 * A sepsis-like deterioration: from `onsetAt`, every vital drifts smoothly toward its septic value over
 * `durationMs` and stays there. The shifts are chosen so that an average resting adult ends with NEWS2
 * ≥ 7 ("high", RCP 2017 chart 2) and qSOFA ≥ 2 (respiration ≥ 22/min, systolic ≤ 100 mmHg; Sepsis-3,
 * JAMA 2016): tachycardia, tachypnoea, fever, hypotension and falling saturation.
 */
export interface Deterioration {
  /** Event time at which the drift starts, epoch ms. */
  readonly onsetAt: number;
  /** How long the drift takes to reach its full size. */
  readonly durationMs: number;
  /** Scales every shift; 1 is the full picture below. */
  readonly severity: number;
}

/** The full shift of each vital, in canonical units (added to the baseline at progress 1). */
export const SEPSIS_SHIFT = {
  heartRateBpm: 42,
  respRatePerMin: 12,
  temperatureCel: 1.9,
  systolicMmHg: -42,
  diastolicMmHg: -24,
  spo2Percent: -7,
  /** Heart-rate variability (and with it respiratory sinus arrhythmia) falls in sepsis. */
  variabilityFactor: -0.6,
} as const;

/**
 * How far the deterioration has progressed at `at`: 0 before onset, 1 after it is complete, and a
 * smoothstep (3p² − 2p³) in between, so the drift starts and ends gently.
 */
export function deteriorationProgress(d: Deterioration | undefined, at: number): number {
  if (d === undefined || at <= d.onsetAt) return 0;
  const p = d.durationMs <= 0 ? 1 : Math.min(1, (at - d.onsetAt) / d.durationMs);
  return d.severity * p * p * (3 - 2 * p);
}
