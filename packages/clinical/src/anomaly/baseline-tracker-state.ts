import type { AnomalyDirection } from './anomaly-evaluation.js';

/** The median of one closed bucket starting at `startAt` (epoch ms, a multiple of bucketMs). */
export interface BucketMedian {
  readonly startAt: number;
  readonly median: number;
}

/**
 * Everything a BaselineTracker needs to continue after a restart; plain JSON. Bounded: at most
 * baselineBuckets + trendBuckets medians plus the open bucket's readings.
 */
export interface BaselineTrackerState {
  /** Start of the open (not yet evaluated) bucket; null before the first reading. */
  readonly openStartAt: number | null;
  /** Readings kept of the open bucket, in arrival order (every `openStride`-th one). */
  readonly openSamples: readonly number[];
  /** Absent in states saved before the open bucket was bounded: 1 and the sample count. */
  readonly openStride?: number;
  readonly openSeen?: number;
  /** Non-deviating bucket medians, oldest first. */
  readonly baseline: readonly BucketMedian[];
  /** The newest bucket medians of any verdict, oldest first: the trend window. */
  readonly recent: readonly BucketMedian[];
  /** Direction of the open level / trend deviation episode, or null. */
  readonly levelEpisode: AnomalyDirection | null;
  readonly trendEpisode: AnomalyDirection | null;
  readonly ignoredLate: number;
  readonly skippedSparse: number;
  readonly ignoredInvalid: number;
}

function fail(what: string): never {
  throw new RangeError(`baseline tracker state: ${what}`);
}

function checkMedians(field: string, list: unknown, bucketMs: number): void {
  if (!Array.isArray(list)) fail(`${field} must be an array`);
  let previous = -Infinity;
  for (const item of list as unknown[]) {
    const b = item as Partial<BucketMedian> | null;
    if (typeof b?.startAt !== 'number' || typeof b.median !== 'number' || !Number.isFinite(b.median)) {
      fail(`${field} holds an entry that is not { startAt, median }`);
    }
    if (b.startAt % bucketMs !== 0) fail(`${field} startAt ${b.startAt} is not a multiple of bucketMs ${bucketMs}`);
    if (b.startAt <= previous) fail(`${field} is not in increasing time order`);
    previous = b.startAt;
  }
}

function isEpisode(value: unknown): boolean {
  return value === null || value === 'up' || value === 'down';
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Throws a RangeError naming the first malformed field of a state read back from storage. */
export function checkTrackerState(state: BaselineTrackerState, bucketMs: number): void {
  const open: unknown = state.openStartAt;
  if (open !== null && (typeof open !== 'number' || open % bucketMs !== 0)) {
    fail('openStartAt must be null or a multiple of bucketMs');
  }
  const samples: unknown = state.openSamples;
  if (!Array.isArray(samples) || !samples.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    fail('openSamples must be an array of finite numbers');
  }
  checkMedians('baseline', state.baseline, bucketMs);
  checkMedians('recent', state.recent, bucketMs);
  if (!isEpisode(state.levelEpisode)) fail('levelEpisode must be "up", "down" or null');
  if (!isEpisode(state.trendEpisode)) fail('trendEpisode must be "up", "down" or null');
  for (const field of ['ignoredLate', 'skippedSparse', 'ignoredInvalid'] as const) {
    if (!isCount(state[field])) fail(`${field} must be a non-negative integer`);
  }
}
