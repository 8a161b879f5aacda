/**
 * Statistics of RR intervals (ms). HRV definitions after the Task Force of the ESC and NASPE (1996):
 * SDNN = standard deviation of the intervals, RMSSD = root mean square of successive differences.
 * The irregularity measures are Dash et al. (2009)'s: RMSSD / mean, Shannon entropy of a 16-bin
 * histogram normalised to 0–1, and the turning point ratio.
 */

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

export function sdnn(rr: readonly number[]): number | null {
  if (rr.length < 2) return null;
  const m = mean(rr)!;
  return Math.sqrt(rr.reduce((s, v) => s + (v - m) * (v - m), 0) / (rr.length - 1));
}

export function rmssd(rr: readonly number[]): number | null {
  if (rr.length < 2) return null;
  let sum = 0;
  for (let i = 1; i < rr.length; i++) sum += (rr[i]! - rr[i - 1]!) ** 2;
  return Math.sqrt(sum / (rr.length - 1));
}

/** Normalised Shannon entropy (0–1) of a histogram of `bins` equal-width bins over the values' range. */
export function shannonEntropy(values: readonly number[], bins = 16): number {
  if (values.length === 0) return 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max === min) return 0;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - min) / (max - min)) * bins))]!++;
  let h = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / values.length;
    h += p * Math.log(p);
  }
  return h / Math.log(1 / bins);
}

/** Turning points (local maxima or minima) over the possible ones (n − 2). */
export function turningPointRatio(values: readonly number[]): number {
  if (values.length < 3) return 0;
  let turns = 0;
  for (let i = 1; i < values.length - 1; i++) {
    const a = values[i - 1]!;
    const b = values[i]!;
    const c = values[i + 1]!;
    if ((b > a && b > c) || (b < a && b < c)) turns++;
  }
  return turns / (values.length - 2);
}

export interface Irregularity {
  readonly rmssdRatio: number;
  readonly entropy: number;
  readonly turningPointRatio: number;
}

/** Dash et al.'s three measures over a window, after leaving out the `dropExtremes` longest and shortest intervals. */
export function irregularity(rr: readonly number[], dropExtremes: number): Irregularity | null {
  if (rr.length <= 2 * dropExtremes + 2) return null;
  // Order kept (turning points and successive differences depend on it); extremes chosen by value, ties by position.
  const byValue = rr.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const extremes = dropExtremes > 0 ? [...byValue.slice(0, dropExtremes), ...byValue.slice(-dropExtremes)] : [];
  const dropped = new Set(extremes.map(([, i]) => i));
  const kept = rr.filter((_, i) => !dropped.has(i));
  const m = mean(kept)!;
  return { rmssdRatio: rmssd(kept)! / m, entropy: shannonEntropy(kept), turningPointRatio: turningPointRatio(kept) };
}
