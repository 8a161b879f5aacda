/**
 * Physiological plausibility limits: a value outside them cannot be a correct measurement of the
 * parameter, so the reading is stored flagged `implausible` (never dropped, never altered).
 * These are not alarm limits. They are local policy: `PlausibilityLimits` can be replaced from
 * configuration; the defaults below name where each number comes from.
 */
export interface PlausibleRange {
  readonly min: number;
  readonly max: number;
  readonly source: string;
}

export type PlausibilityLimits = Readonly<Record<string, PlausibleRange>>;

const MINDRAY_N22 =
  "upper bound: Mindray BeneVision N22/N19 Operator's Manual A.14.4, PR measurement range up to 300 bpm; " +
  'lower bound 0: a rate of 0 is real (asystole, no pulse) and must never be hidden as implausible';
const MINDRAY_N1_RESP =
  "Mindray BeneVision N1 Operator's Manual A.14.2, respiration rate measurement range 0 to 200 rpm";
// Provisional: these are the monitor's adult auto-alarm-limit ranges, not its measurement ranges;
// replace them by measurement ranges or local policy through configuration.
const MINDRAY_N1_LIMITS = "Mindray BeneVision N1 Operator's Manual, auto alarm limit range table (adult), provisional";
const PERCENT = 'a saturation is a fraction of 0 to 100 %';

/** Default limits in each code's canonical unit. Codes not listed have no plausibility check. */
export const DEFAULT_PLAUSIBILITY: PlausibilityLimits = {
  MDC_ECG_HEART_RATE: { min: 0, max: 300, source: MINDRAY_N22 },
  MDC_PULS_OXIM_PULS_RATE: { min: 0, max: 300, source: MINDRAY_N22 },
  MDC_PULS_RATE_NON_INV: { min: 0, max: 300, source: MINDRAY_N22 },
  MDC_PULS_RATE: { min: 0, max: 300, source: MINDRAY_N22 },
  MDC_RESP_RATE: { min: 0, max: 200, source: MINDRAY_N1_RESP },
  MDC_PULS_OXIM_SAT_O2: { min: 0, max: 100, source: PERCENT },
  MDC_SAT_O2_ART: { min: 0, max: 100, source: PERCENT },
  MDC_TEMP_BODY: { min: 1, max: 49, source: `${MINDRAY_N1_LIMITS}: Temp T1/T2 1 to 49 °C` },
  MDC_TEMP: { min: 1, max: 49, source: `${MINDRAY_N1_LIMITS}: Temp T1/T2 1 to 49 °C` },
  MDC_PRESS_BLD_NONINV_SYS: { min: 45, max: 270, source: `${MINDRAY_N1_LIMITS}: NIBP-S 45 to 270 mmHg` },
  MDC_PRESS_BLD_NONINV_DIA: { min: 25, max: 210, source: `${MINDRAY_N1_LIMITS}: NIBP-D 25 to 210 mmHg` },
  MDC_PRESS_BLD_NONINV_MEAN: { min: 30, max: 230, source: `${MINDRAY_N1_LIMITS}: NIBP-M 30 to 230 mmHg` },
  MDC_PRESS_BLD_SYS: { min: 45, max: 270, source: `${MINDRAY_N1_LIMITS}: IBP-S 45 to 270 mmHg` },
};

/** True when `value` (canonical unit) lies outside the limits for `code`. */
export function isImplausible(limits: PlausibilityLimits, code: string, value: number): boolean {
  const range = limits[code];
  return range !== undefined && (value < range.min || value > range.max);
}
