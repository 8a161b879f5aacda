import type { AnomalyDirection, AnomalyEvaluation, AnomalyMeasure } from './anomaly-evaluation.js';
import type { AnomalyPolicy } from './anomaly-policy.js';
import { type BaselineTrackerState, type BucketMedian, checkTrackerState } from './baseline-tracker-state.js';
import { leastSquaresSlope, MAD_TO_SD, median, medianAbsoluteDeviation } from './robust-stats.js';

const HOUR_MS = 3_600_000;

interface Baseline {
  readonly center: number;
  readonly scale: number;
  readonly count: number;
  readonly fromAt: number;
  readonly toAt: number;
}

interface Hysteresis {
  readonly episode: AnomalyDirection | null;
  readonly changed: 'started' | 'ended' | null;
}

/**
 * Hysteresis: an episode starts at |z| ≥ startZ in z's direction and ends once z, measured in the
 * episode's direction, falls below clearZ (so a jump to the other side also ends it).
 */
function advance(episode: AnomalyDirection | null, z: number, startZ: number, clearZ: number): Hysteresis {
  if (episode === null) {
    return Math.abs(z) >= startZ ? { episode: z >= 0 ? 'up' : 'down', changed: 'started' } : { episode, changed: null };
  }
  const toward = episode === 'up' ? z : -z;
  return toward < clearZ ? { episode: null, changed: 'ended' } : { episode, changed: null };
}

/**
 * Tracks one (patient, parameter) series against the patient's own recent baseline.
 *
 * Readings are grouped into event-time buckets [k·bucketMs, (k+1)·bucketMs). The open bucket closes
 * when a reading of a later bucket arrives; a reading of an earlier bucket is ignored (`ignoredLate`),
 * so a bucket is evaluated once, at the first reading after it. A closed bucket with fewer than
 * minSamplesPerBucket readings is skipped (`skippedSparse`); empty buckets are simply absent.
 * The median of a bucket is robust to a few artefactual readings inside it.
 *
 * Baseline: the latest ≤ baselineBuckets bucket medians before the evaluated bucket that were NOT
 * evaluated as deviating (level or trend). Excluding deviating buckets keeps a sustained anomaly (or
 * a detected drift) from absorbing itself into the baseline and silently "normalising"; the cost is
 * that the baseline stays at its pre-episode level until the values return below clearZ, so a
 * permanent new normal stays reported (re-baselining is a decision for the caller: forget and
 * start again). Centre = median, scale = max(1.4826·MAD, minScale): the median/MAD pair tolerates
 * up to half of the baseline being outliers.
 *
 * Evaluations start once the baseline holds minBaselineBuckets medians; before that, and for skipped
 * buckets, observe() returns undefined (no verdict at all rather than a "not deviating" one).
 */
/** Most readings the open bucket keeps (bounded memory and checkpoint size at high rates). */
const MAX_OPEN_SAMPLES = 256;

export class BaselineTracker {
  private openStartAt: number | null = null;
  private openSamples: number[] = [];
  /** The open bucket keeps every `openStride`-th reading (see MAX_OPEN_SAMPLES); `openSeen` counts them all. */
  private openStride = 1;
  private openSeen = 0;
  private baseline: BucketMedian[] = [];
  private recent: BucketMedian[] = [];
  private levelEpisode: AnomalyDirection | null = null;
  private trendEpisode: AnomalyDirection | null = null;
  private late = 0;
  private sparse = 0;
  private invalid = 0;

  constructor(
    readonly code: string,
    private readonly policy: AnomalyPolicy,
  ) {}

  /** Readings dropped because their bucket had already closed. */
  get ignoredLate(): number {
    return this.late;
  }

  /** Closed buckets skipped for having fewer than minSamplesPerBucket readings. */
  get skippedSparse(): number {
    return this.sparse;
  }

  /** Readings dropped for a non-finite time or value. */
  get ignoredInvalid(): number {
    return this.invalid;
  }

  /**
   * Adds one reading (`observedAt` epoch ms event time, `value` in the code's canonical unit).
   * Returns the evaluation of the bucket this reading closed, or undefined when no bucket closed,
   * the closed bucket was too sparse, or the baseline is still too short.
   */
  observe(observedAt: number, value: number): AnomalyEvaluation | undefined {
    if (!Number.isFinite(observedAt) || !Number.isFinite(value)) {
      this.invalid++;
      return undefined;
    }
    const { bucketMs } = this.policy;
    const startAt = Math.floor(observedAt / bucketMs) * bucketMs;
    if (this.openStartAt === null || startAt === this.openStartAt) {
      this.openStartAt = startAt;
      this.keep(value);
      return undefined;
    }
    if (startAt < this.openStartAt) {
      this.late++;
      return undefined;
    }
    const closedAt = this.openStartAt;
    const closed = this.openSamples;
    this.openStartAt = startAt;
    this.openSamples = [];
    this.openStride = 1;
    this.openSeen = 0;
    this.keep(value);
    return this.close(closedAt, closed);
  }

  /**
   * Keeps a bounded, evenly spread sample of the open bucket: at MAX_OPEN_SAMPLES every other kept
   * value is dropped and the stride doubles. A 1 Hz monitor never reaches it; a 100 Hz stream keeps
   * memory (and the saved state) bounded, and the median of the sample stands for the bucket's.
   */
  private keep(value: number): void {
    if (this.openSeen++ % this.openStride !== 0) return;
    this.openSamples.push(value);
    if (this.openSamples.length >= MAX_OPEN_SAMPLES) {
      this.openSamples = this.openSamples.filter((_, i) => i % 2 === 0);
      this.openStride *= 2;
    }
  }

  /** Plain JSON-serialisable state; restore() from it continues exactly where this left off. */
  state(): BaselineTrackerState {
    return {
      openStartAt: this.openStartAt,
      openSamples: [...this.openSamples],
      openStride: this.openStride,
      openSeen: this.openSeen,
      baseline: this.baseline.map((b) => ({ ...b })),
      recent: this.recent.map((b) => ({ ...b })),
      levelEpisode: this.levelEpisode,
      trendEpisode: this.trendEpisode,
      ignoredLate: this.late,
      skippedSparse: this.sparse,
      ignoredInvalid: this.invalid,
    };
  }

  /**
   * Rebuilds a tracker from state() output. Throws RangeError when the state is malformed or its
   * buckets do not fit `policy.bucketMs`; keeps only the newest medians the policy has room for.
   */
  static restore(code: string, policy: AnomalyPolicy, state: BaselineTrackerState): BaselineTracker {
    checkTrackerState(state, policy.bucketMs);
    const tracker = new BaselineTracker(code, policy);
    tracker.openStartAt = state.openStartAt;
    tracker.openSamples = [...state.openSamples];
    tracker.openStride = state.openStride ?? 1;
    tracker.openSeen = state.openSeen ?? state.openSamples.length;
    tracker.baseline = state.baseline.slice(-policy.baselineBuckets).map((b) => ({ ...b }));
    tracker.recent = state.recent.slice(-policy.trendBuckets).map((b) => ({ ...b }));
    tracker.levelEpisode = state.levelEpisode;
    tracker.trendEpisode = state.trendEpisode;
    tracker.late = state.ignoredLate;
    tracker.sparse = state.skippedSparse;
    tracker.invalid = state.ignoredInvalid;
    return tracker;
  }

  private close(startAt: number, samples: readonly number[]): AnomalyEvaluation | undefined {
    const policy = this.policy;
    if (samples.length < policy.minSamplesPerBucket) {
      this.sparse++;
      return undefined;
    }
    const bucket: BucketMedian = { startAt, median: median(samples) };
    this.recent.push(bucket);
    if (this.recent.length > policy.trendBuckets) this.recent.shift();
    if (this.baseline.length < policy.minBaselineBuckets) {
      this.remember(bucket);
      return undefined;
    }

    const base = this.currentBaseline();
    const levelZ = (bucket.median - base.center) / base.scale;
    const levelStep = advance(this.levelEpisode, levelZ, policy.levelZ, policy.clearZ);
    const level = measure('level', bucket.median, levelZ, base, this.levelEpisode, levelStep);
    this.levelEpisode = levelStep.episode;

    let trend: AnomalyMeasure | null = null;
    const slope = this.trendSlope(startAt);
    if (slope !== undefined) {
      const trendZ = slope.moved / base.scale;
      const trendStep = advance(this.trendEpisode, trendZ, policy.trendZ, policy.clearZ);
      trend = measure('trend', slope.perHour, trendZ, base, this.trendEpisode, trendStep);
      this.trendEpisode = trendStep.episode;
    }

    if (!level.deviating && trend?.deviating !== true) this.remember(bucket);
    return { code: this.code, bucketStartAt: startAt, bucketEndAt: startAt + policy.bucketMs, level, trend };
  }

  private remember(bucket: BucketMedian): void {
    this.baseline.push(bucket);
    if (this.baseline.length > this.policy.baselineBuckets) this.baseline.shift();
  }

  private currentBaseline(): Baseline {
    const values = this.baseline.map((b) => b.median);
    const center = median(values);
    const floor = this.policy.minScale[this.code] ?? this.policy.defaultMinScale;
    const scale = Math.max(MAD_TO_SD * medianAbsoluteDeviation(values, center), floor);
    const first = this.baseline[0];
    const last = this.baseline[this.baseline.length - 1];
    return {
      center,
      scale,
      count: values.length,
      fromAt: first?.startAt ?? NaN,
      toAt: (last?.startAt ?? NaN) + this.policy.bucketMs,
    };
  }

  /**
   * Least-squares slope over the last trendBuckets medians (the evaluated one included), or
   * undefined unless all of them lie within the last ⌊1.5 × trendBuckets⌋ buckets of event time.
   * x is the bucket index, so gaps are placed where they belong. `moved` = slope × (x_last − x_first):
   * the difference between the fitted values at the window's ends.
   */
  private trendSlope(evaluatedAt: number): { perHour: number; moved: number } | undefined {
    const { bucketMs, trendBuckets } = this.policy;
    const first = this.recent[0];
    if (first === undefined || this.recent.length < trendBuckets) return undefined;
    const spanBuckets = Math.floor(trendBuckets * 1.5);
    if ((evaluatedAt - first.startAt) / bucketMs >= spanBuckets) return undefined;
    const points = this.recent.map((b) => ({ x: (b.startAt - evaluatedAt) / bucketMs, y: b.median }));
    const perBucket = leastSquaresSlope(points);
    if (!Number.isFinite(perBucket)) return undefined;
    return { perHour: (perBucket * HOUR_MS) / bucketMs, moved: perBucket * ((evaluatedAt - first.startAt) / bucketMs) };
  }
}

function measure(
  kind: 'level' | 'trend',
  observed: number,
  z: number,
  base: Baseline,
  before: AnomalyDirection | null,
  step: Hysteresis,
): AnomalyMeasure {
  const direction = step.episode ?? (step.changed === 'ended' ? before : null) ?? (z >= 0 ? 'up' : 'down');
  return {
    kind,
    observed,
    baselineCenter: base.center,
    baselineScale: base.scale,
    baselineBuckets: base.count,
    baselineFromAt: base.fromAt,
    baselineToAt: base.toAt,
    z,
    direction,
    deviating: step.episode !== null,
    changed: step.changed,
  };
}
