import { CATALOGUE } from '@wardstream/domain';

/** Which way a measure points: the sign of z, or the direction of the open deviation episode. */
export type AnomalyDirection = 'up' | 'down';

/**
 * One measure of how a closed bucket compares with the patient's own baseline.
 *
 * - `level`: `observed` is the bucket median; z = (median − baselineCenter) / baselineScale.
 * - `trend`: `observed` is the least-squares slope of the last `trendBuckets` bucket medians in
 *   canonical units per hour; z = (last fitted − first fitted value over the window) / baselineScale,
 *   i.e. how many baseline spreads the fitted line moved across the trend window.
 *
 * `deviating` is the hysteresis state after this bucket: it becomes true when |z| reaches the start
 * threshold (levelZ / trendZ) and stays true until z, taken in the episode's direction, is below
 * clearZ. `changed` is 'started' / 'ended' on the bucket where that state flips, else null.
 * `direction` is the episode's direction while deviating and on the 'ended' bucket, otherwise the
 * sign of z ('up' for z ≥ 0). A sign reversal past clearZ ends the episode; the opposite one may
 * start on the next bucket.
 */
export interface AnomalyMeasure {
  readonly kind: 'level' | 'trend';
  readonly observed: number;
  /** Median of the baseline bucket medians, canonical unit. */
  readonly baselineCenter: number;
  /** max(1.4826 × MAD of the baseline bucket medians, the code's minScale), canonical unit. */
  readonly baselineScale: number;
  /** How many bucket medians the baseline holds (minBaselineBuckets … baselineBuckets). */
  readonly baselineBuckets: number;
  /** Start of the oldest baseline bucket (epoch ms, event time). */
  readonly baselineFromAt: number;
  /** End (exclusive) of the newest baseline bucket; never after the evaluated bucket's start. */
  readonly baselineToAt: number;
  readonly z: number;
  readonly direction: AnomalyDirection;
  readonly deviating: boolean;
  readonly changed: 'started' | 'ended' | null;
}

/**
 * The verdict on one closed event-time bucket [bucketStartAt, bucketEndAt) of one parameter.
 * `trend` is null when fewer than trendBuckets medians fall in the trend window (gaps); a trend
 * episode then carries over unchanged.
 */
export interface AnomalyEvaluation {
  readonly code: string;
  readonly bucketStartAt: number;
  readonly bucketEndAt: number;
  readonly level: AnomalyMeasure;
  readonly trend: AnomalyMeasure | null;
}

/** Up to one decimal (two below 1), trailing zeros dropped: 96, 95.5, 0.15. */
function formatNumber(value: number): string {
  return String(Number(value.toFixed(Math.abs(value) < 1 ? 2 : 1)));
}

function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 120 ? `${minutes} min` : `${formatNumber(minutes / 60)} h`;
}

function bucketWord(bucketMs: number): string {
  if (bucketMs === 60_000) return 'minute';
  if (bucketMs % 60_000 === 0) return `${bucketMs / 60_000}-min`;
  return `${formatNumber(bucketMs / 1000)}-s`;
}

function parameterLabel(code: string): string {
  return CATALOGUE.find((entry) => entry.code === code)?.display ?? code;
}

/**
 * Alert text for a measure: which parameter, by how much, versus what baseline. `unit` is the
 * code's canonical unit as shown to users; `bucketMs` only names the bucket ("minute median").
 * E.g. "SpO2 (pulse oximetry) minute median 88 % is 5.2 robust SDs below the patient's baseline
 * of 96 % (MAD-scaled 1.5, 45 min)".
 */
export function describeAnomaly(m: AnomalyMeasure, code: string, unit: string, bucketMs = 60_000): string {
  const label = parameterLabel(code);
  const sds = formatNumber(Math.abs(m.z));
  const baseline =
    `the patient's baseline of ${formatNumber(m.baselineCenter)} ${unit} ` +
    `(MAD-scaled ${formatNumber(m.baselineScale)}, ${formatDuration(m.baselineToAt - m.baselineFromAt)})`;
  if (m.kind === 'level') {
    const side = m.z >= 0 ? 'above' : 'below';
    return `${label} ${bucketWord(bucketMs)} median ${formatNumber(m.observed)} ${unit} is ${sds} robust SDs ${side} ${baseline}`;
  }
  const moved = formatNumber(Math.abs(m.z) * m.baselineScale);
  const way = m.observed >= 0 ? 'rising' : 'falling';
  return (
    `${label} ${way} at ${formatNumber(Math.abs(m.observed))} ${unit}/h: moved ${moved} ${unit} ` +
    `(${sds} robust SDs) across the trend window, versus ${baseline}`
  );
}
