import type { AlarmRule, LifecyclePolicy, ScoreBandRule, TechnicalPolicy, ThresholdRule } from './rules.js';

/** Codes whose readings are a pulse or heart rate (../shared/clinical/vitals_code_map.csv). */
export const PULSE_CODES = [
  'MDC_PULS_OXIM_PULS_RATE',
  'MDC_ECG_HEART_RATE',
  'MDC_PULS_RATE',
  'MDC_PULS_RATE_NON_INV',
] as const;
export const RESPIRATION_CODES = ['MDC_RESP_RATE'] as const;
export const SPO2_CODES = ['MDC_PULS_OXIM_SAT_O2', 'MDC_SAT_O2_ART'] as const;
export const SYSTOLIC_CODES = ['MDC_PRESS_BLD_NONINV_SYS', 'MDC_PRESS_BLD_SYS'] as const;
export const TEMPERATURE_CODES = ['MDC_TEMP_BODY', 'MDC_TEMP'] as const;

const NEWS2_RED = 'NEWS2 (RCP 2017) chart 1: the band scoring 3 points';
const CHALLENGE_2015 = 'PhysioNet/CinC Challenge 2015 alarm definitions (Clifford et al., CinC 2015;42:273-276)';
/**
 * [ALARMS.md: "Monitor makers state ECG tachycardia time-to-alarm around 10 s including averaging"]
 * — the default alarm condition delay; local policy, set per ward.
 */
const CONDITION_DELAY_MS = 10_000;
/** Local policy: a condition clears after 10 s back inside by one chart step (the chart's precision). */
const CLEAR_DELAY_MS = 10_000;

function threshold(
  rule: Omit<ThresholdRule, 'kind' | 'delayMs' | 'clearDelayMs' | 'enabled' | 'latching'> &
    Partial<Pick<ThresholdRule, 'latching'>>,
): ThresholdRule {
  return {
    kind: 'threshold',
    delayMs: CONDITION_DELAY_MS,
    clearDelayMs: CLEAR_DELAY_MS,
    enabled: true,
    latching: false,
    ...rule,
  };
}

/**
 * The shipped physiological threshold rules. Limits come from their sources: each NEWS2 parameter's
 * 3-point band (RCP 2017 chart 1; a single red score calls for an urgent ward-based response, chart 2)
 * and the Challenge 2015 extreme brady/tachycardia definitions. Priorities, delays, hysteresis and
 * latching are local policy: a ward or a clinician changes them through the rules API.
 * SpO2 ≤ 91 % is scale 1's red band: a patient on scale 2 needs an override (≤ 83 %).
 */
export const DEFAULT_THRESHOLD_RULES: readonly ThresholdRule[] = [
  threshold({
    id: 'news2.respiration.low',
    label: 'Respiration rate low',
    codes: RESPIRATION_CODES,
    direction: 'atOrBelow',
    limit: 8,
    hysteresis: 1,
    priority: 'medium',
    source: `${NEWS2_RED} (respiration rate ≤ 8 /min)`,
  }),
  threshold({
    id: 'news2.respiration.high',
    label: 'Respiration rate high',
    codes: RESPIRATION_CODES,
    direction: 'atOrAbove',
    limit: 25,
    hysteresis: 1,
    priority: 'medium',
    source: `${NEWS2_RED} (respiration rate ≥ 25 /min)`,
  }),
  threshold({
    id: 'news2.spo2.low',
    label: 'SpO2 low',
    codes: SPO2_CODES,
    direction: 'atOrBelow',
    limit: 91,
    hysteresis: 1,
    priority: 'medium',
    source: `${NEWS2_RED} (SpO2 scale 1 ≤ 91 %)`,
  }),
  threshold({
    id: 'news2.systolic.low',
    label: 'Systolic BP low',
    codes: SYSTOLIC_CODES,
    direction: 'atOrBelow',
    limit: 90,
    hysteresis: 1,
    priority: 'medium',
    source: `${NEWS2_RED} (systolic BP ≤ 90 mmHg)`,
  }),
  threshold({
    id: 'news2.systolic.high',
    label: 'Systolic BP high',
    codes: SYSTOLIC_CODES,
    direction: 'atOrAbove',
    limit: 220,
    hysteresis: 1,
    priority: 'medium',
    source: `${NEWS2_RED} (systolic BP ≥ 220 mmHg)`,
  }),
  threshold({
    id: 'news2.pulse.low',
    label: 'Pulse low',
    codes: PULSE_CODES,
    direction: 'atOrBelow',
    limit: 40,
    hysteresis: 1,
    priority: 'medium',
    source: `${NEWS2_RED} (pulse ≤ 40 /min)`,
  }),
  threshold({
    id: 'news2.pulse.high',
    label: 'Pulse high',
    codes: PULSE_CODES,
    direction: 'atOrAbove',
    limit: 131,
    hysteresis: 1,
    priority: 'medium',
    source: `${NEWS2_RED} (pulse ≥ 131 /min)`,
  }),
  threshold({
    id: 'news2.temperature.low',
    label: 'Temperature low',
    codes: TEMPERATURE_CODES,
    direction: 'atOrBelow',
    limit: 35,
    hysteresis: 0.1,
    priority: 'medium',
    source: `${NEWS2_RED} (temperature ≤ 35.0 °C)`,
  }),
  threshold({
    id: 'ecg.extreme-bradycardia',
    label: 'Extreme bradycardia',
    codes: ['MDC_ECG_HEART_RATE'],
    direction: 'atOrBelow',
    limit: 39,
    hysteresis: 1,
    priority: 'high',
    latching: true,
    source: `${CHALLENGE_2015}: heart rate below 40 bpm (integer rate ≤ 39); the 5-beat rule needs beat data, here the condition delay stands in`,
  }),
  threshold({
    id: 'ecg.extreme-tachycardia',
    label: 'Extreme tachycardia',
    codes: ['MDC_ECG_HEART_RATE'],
    direction: 'atOrAbove',
    limit: 141,
    hysteresis: 1,
    priority: 'high',
    latching: true,
    source: `${CHALLENGE_2015}: heart rate above 140 bpm (integer rate ≥ 141); the 17-beat rule needs beat data, here the condition delay stands in`,
  }),
];

const NEWS2_CHART_2 = 'NEWS2 (RCP 2017) chart 2: clinical risk and response';
/** Local policy: the band must hold a minute before it alarms, and be left five minutes before it clears. */
const BAND_DELAY_MS = 60_000;
const BAND_CLEAR_DELAY_MS = 300_000;

/** The NEWS2 escalation rules: one per risk band above low, with the chart's response. */
export const DEFAULT_SCORE_RULES: readonly ScoreBandRule[] = [
  {
    kind: 'news2Band',
    id: 'news2.band.low-medium',
    label: 'NEWS2 single red score',
    band: 'low-medium',
    response: 'urgent ward-based response',
    delayMs: BAND_DELAY_MS,
    clearDelayMs: BAND_CLEAR_DELAY_MS,
    priority: 'low',
    latching: false,
    enabled: true,
    source: `${NEWS2_CHART_2} (any single parameter scoring 3, aggregate below 5)`,
  },
  {
    kind: 'news2Band',
    id: 'news2.band.medium',
    label: 'NEWS2 medium risk',
    band: 'medium',
    response: 'urgent response (key threshold)',
    delayMs: BAND_DELAY_MS,
    clearDelayMs: BAND_CLEAR_DELAY_MS,
    priority: 'medium',
    latching: false,
    enabled: true,
    source: `${NEWS2_CHART_2} (aggregate 5-6)`,
  },
  {
    kind: 'news2Band',
    id: 'news2.band.high',
    label: 'NEWS2 high risk',
    band: 'high',
    response: 'emergency response',
    delayMs: BAND_DELAY_MS,
    clearDelayMs: BAND_CLEAR_DELAY_MS,
    priority: 'high',
    latching: true,
    enabled: true,
    source: `${NEWS2_CHART_2} (aggregate 7 or more)`,
  },
];

export const DEFAULT_RULES: readonly AlarmRule[] = [...DEFAULT_THRESHOLD_RULES, ...DEFAULT_SCORE_RULES];

/** Local policy defaults: escalate an unacknowledged high-priority alarm after 2 minutes; silence at most 2 minutes. */
export const DEFAULT_LIFECYCLE_POLICY: LifecyclePolicy = {
  escalateAfterMs: { high: 120_000, medium: null, low: null },
  maxSilenceMs: 120_000,
};

/** Local policy defaults for technical alarms (see TechnicalPolicy). */
export const DEFAULT_TECHNICAL_POLICY: TechnicalPolicy = {
  staleAfterMs: 30_000,
  stalePriority: 'medium',
  batteryLowFraction: 0.1,
  batteryPriority: 'low',
  dataQualityPriority: 'low',
  dataQualityClearMs: 30_000,
};
