/**
 * Beat-by-beat comparison per ANSI/AAMI EC57 (as WFDB's `bxb` does it): a detection matches a
 * reference beat when they are at most `windowMs` apart (150 ms); each is matched at most once,
 * nearest first; beats in the first `skipMs` of the record (5 minutes, the learning period) are
 * left out of both sides.
 */

export interface Ec57Options {
  readonly fsHz: number;
  readonly windowMs?: number;
  readonly skipMs?: number;
  /** Samples in the record; beats at or after it are ignored. Default: no end. */
  readonly endSample?: number;
}

export interface Ec57Result {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  /** Sensitivity TP / (TP + FN); null when there is no reference beat. */
  readonly se: number | null;
  /** Positive predictivity TP / (TP + FP); null when there is no detection. */
  readonly ppv: number | null;
}

export const EC57_WINDOW_MS = 150;
export const EC57_SKIP_MS = 5 * 60_000;

export function scoreBeats(
  detected: readonly number[],
  reference: readonly number[],
  options: Ec57Options,
): Ec57Result {
  const window = Math.round(((options.windowMs ?? EC57_WINDOW_MS) * options.fsHz) / 1000);
  const start = Math.round(((options.skipMs ?? EC57_SKIP_MS) * options.fsHz) / 1000);
  const end = options.endSample ?? Number.POSITIVE_INFINITY;
  const inRange = (s: number): boolean => s >= start && s < end;
  const det = [...detected].filter(inRange).sort((a, b) => a - b);
  const ref = [...reference].filter(inRange).sort((a, b) => a - b);
  // Nearest-first matching: candidate pairs within the window, sorted by distance, greedily taken.
  const pairs: [number, number, number][] = [];
  let lo = 0;
  for (let r = 0; r < ref.length; r++) {
    const at = ref[r]!;
    while (lo < det.length && det[lo]! < at - window) lo++;
    for (let d = lo; d < det.length && det[d]! <= at + window; d++) pairs.push([Math.abs(det[d]! - at), r, d]);
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const refUsed = new Uint8Array(ref.length);
  const detUsed = new Uint8Array(det.length);
  let tp = 0;
  for (const [, r, d] of pairs) {
    if (refUsed[r] === 1 || detUsed[d] === 1) continue;
    refUsed[r] = 1;
    detUsed[d] = 1;
    tp++;
  }
  const fn = ref.length - tp;
  const fp = det.length - tp;
  return { tp, fp, fn, se: tp + fn === 0 ? null : tp / (tp + fn), ppv: tp + fp === 0 ? null : tp / (tp + fp) };
}

/** Pools results (gross statistics: beats summed over records). */
export function grossResult(results: readonly Ec57Result[]): Ec57Result {
  const tp = results.reduce((s, r) => s + r.tp, 0);
  const fp = results.reduce((s, r) => s + r.fp, 0);
  const fn = results.reduce((s, r) => s + r.fn, 0);
  return { tp, fp, fn, se: tp + fn === 0 ? null : tp / (tp + fn), ppv: tp + fp === 0 ? null : tp / (tp + fp) };
}
