import type { Consciousness } from '../charted.js';
import type { Band } from './band.js';

/** The source of every table in this file. The RCP asks to be acknowledged as copyright holder. */
export const NEWS2_SOURCE =
  'Royal College of Physicians. National Early Warning Score (NEWS) 2: Standardising the assessment of ' +
  'acute-illness severity in the NHS. Updated report of a working party. London: RCP, 2017.';

/** The seven parameters of NEWS2 chart 1, in the chart's order (and the order of `subscores`). */
export const NEWS2_PARAMETERS = [
  'respirationRate',
  'spo2',
  'airOrOxygen',
  'systolicBP',
  'pulse',
  'consciousness',
  'temperature',
] as const;

export type News2Parameter = (typeof NEWS2_PARAMETERS)[number];

/** NEWS2 chart 2 clinical risk. */
export type News2Risk = 'low' | 'low-medium' | 'medium' | 'high';

/** [NEWS2 (RCP 2017) chart 1, respiration rate per minute] */
export const RESPIRATION_RATE_BANDS: readonly Band[] = [
  { upTo: 8, points: 3 },
  { upTo: 11, points: 1 },
  { upTo: 20, points: 0 },
  { upTo: 24, points: 2 },
  { upTo: Infinity, points: 3 },
];

/** [NEWS2 (RCP 2017) chart 1, SpO2 scale 1 (%)] */
export const SPO2_SCALE_1_BANDS: readonly Band[] = [
  { upTo: 91, points: 3 },
  { upTo: 93, points: 2 },
  { upTo: 95, points: 1 },
  { upTo: Infinity, points: 0 },
];

/** [NEWS2 (RCP 2017) chart 1, SpO2 scale 2 (%), on air]: 88–92 and ≥93 on air both score 0. */
export const SPO2_SCALE_2_AIR_BANDS: readonly Band[] = [
  { upTo: 83, points: 3 },
  { upTo: 85, points: 2 },
  { upTo: 87, points: 1 },
  { upTo: Infinity, points: 0 },
];

/** [NEWS2 (RCP 2017) chart 1, SpO2 scale 2 (%), on oxygen]: above the 88–92 target scores again. */
export const SPO2_SCALE_2_OXYGEN_BANDS: readonly Band[] = [
  { upTo: 83, points: 3 },
  { upTo: 85, points: 2 },
  { upTo: 87, points: 1 },
  { upTo: 92, points: 0 },
  { upTo: 94, points: 1 },
  { upTo: 96, points: 2 },
  { upTo: Infinity, points: 3 },
];

/** [NEWS2 (RCP 2017) chart 1, air or oxygen]: supplemental oxygen adds 2 on either SpO2 scale. */
export const AIR_OR_OXYGEN_POINTS: Readonly<Record<'air' | 'oxygen', number>> = { air: 0, oxygen: 2 };

/** [NEWS2 (RCP 2017) chart 1, systolic blood pressure (mmHg)] */
export const SYSTOLIC_BP_BANDS: readonly Band[] = [
  { upTo: 90, points: 3 },
  { upTo: 100, points: 2 },
  { upTo: 110, points: 1 },
  { upTo: 219, points: 0 },
  { upTo: Infinity, points: 3 },
];

/** [NEWS2 (RCP 2017) chart 1, pulse per minute] */
export const PULSE_BANDS: readonly Band[] = [
  { upTo: 40, points: 3 },
  { upTo: 50, points: 1 },
  { upTo: 90, points: 0 },
  { upTo: 110, points: 1 },
  { upTo: 130, points: 2 },
  { upTo: Infinity, points: 3 },
];

/** [NEWS2 (RCP 2017) chart 1, consciousness]: ACVPU; C is new confusion. */
export const CONSCIOUSNESS_POINTS: Readonly<Record<Consciousness, number>> = { A: 0, C: 3, V: 3, P: 3, U: 3 };

/** [NEWS2 (RCP 2017) chart 1, temperature (°C)] */
export const TEMPERATURE_BANDS: readonly Band[] = [
  { upTo: 35.0, points: 3 },
  { upTo: 36.0, points: 1 },
  { upTo: 38.0, points: 0 },
  { upTo: 39.0, points: 1 },
  { upTo: Infinity, points: 2 },
];

/**
 * [NEWS2 (RCP 2017) chart 1, notes] Decimal places each measured input is rounded to (half up) before
 * it is looked up.
 */
export const NEWS2_PRECISION = {
  respirationRate: 0,
  spo2: 0,
  systolicBP: 0,
  pulse: 0,
  temperatureC: 1,
} as const;

/** The most a single parameter can score; any parameter at it is a "red score" (chart 2). */
export const NEWS2_RED_SCORE = 3;

/**
 * [NEWS2 (RCP 2017) chart 2, thresholds and triggers] The first row whose `aggregateUpTo` holds the
 * aggregate gives the risk; `withSingle3` replaces it when any one parameter scored 3 (aggregate < 5
 * is low–medium, as the RCP says; some calculators on the web disagree).
 */
export const NEWS2_RISK_BANDS: readonly {
  readonly aggregateUpTo: number;
  readonly risk: News2Risk;
  readonly withSingle3?: News2Risk;
}[] = [
  { aggregateUpTo: 4, risk: 'low', withSingle3: 'low-medium' },
  { aggregateUpTo: 6, risk: 'medium' },
  { aggregateUpTo: Infinity, risk: 'high' },
];

/** [NEWS2 (RCP 2017) chart 2, clinical response] */
export const NEWS2_RESPONSE: Readonly<Record<News2Risk, string>> = {
  low: 'ward-based response',
  'low-medium': 'urgent ward-based response',
  medium: 'urgent response (key threshold)',
  high: 'emergency response',
};

/**
 * [NEWS2 (RCP 2017) chart 4, frequency of monitoring] Read like `NEWS2_RISK_BANDS`: the first row
 * whose `aggregateUpTo` holds the aggregate, `withSingle3` when any one parameter scored 3.
 */
export const NEWS2_MONITORING: readonly {
  readonly aggregateUpTo: number;
  readonly frequency: string;
  readonly withSingle3?: string;
}[] = [
  { aggregateUpTo: 0, frequency: 'at least 12-hourly' },
  { aggregateUpTo: 4, frequency: 'at least 4–6-hourly', withSingle3: 'at least hourly' },
  { aggregateUpTo: 6, frequency: 'at least hourly' },
  { aggregateUpTo: Infinity, frequency: 'continuous' },
];
