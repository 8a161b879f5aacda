/**
 * Small, allocation-light statistics used by the anomaly detector. Pure and deterministic: the
 * same input always gives bit-identical output (fixed summation order, no randomness).
 */

/**
 * Consistency constant: 1.4826 × MAD estimates the standard deviation of normally distributed
 * data (1 / Φ⁻¹(3/4); Rousseeuw & Croux 1993, "Alternatives to the median absolute deviation").
 */
export const MAD_TO_SD = 1.4826;

/** Median of a non-empty list (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? NaN) + upper) / 2;
}

/** Median absolute deviation from `center`. */
export function medianAbsoluteDeviation(values: readonly number[], center: number): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/** A point of a least-squares fit: x in any unit (here bucket index), y the bucket median. */
export interface FitPoint {
  readonly x: number;
  readonly y: number;
}

/**
 * Ordinary least-squares slope of y over x (units of y per unit of x); NaN with fewer than two
 * distinct x. Centres x and y first, which keeps the sums small and the result stable.
 */
export function leastSquaresSlope(points: readonly FitPoint[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  let sumX = 0;
  let sumY = 0;
  for (const p of points) {
    sumX += p.x;
    sumY += p.y;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    const dx = p.x - meanX;
    sxy += dx * (p.y - meanY);
    sxx += dx * dx;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}
