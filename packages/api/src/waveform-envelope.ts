/**
 * Min/max decimation of waveform segments for overviews (`…/waveforms?points=N`): the window is cut
 * into at most N buckets of equal whole-millisecond width, and each bucket keeps the smallest and the
 * largest sample that fell in it. Min/max rather than subsampling because a dashboard drawing an hour
 * of 250 Hz ECG with 2,000 points must still show every QRS spike: a spike is one or two samples wide
 * and plain subsampling would skip most of them; the envelope keeps every extreme.
 */

/** What the decimation reads of a segment: the store's `StoredWaveform` fits. */
export interface EnvelopeSegment {
  readonly code: string;
  readonly unit: string;
  readonly fsHz: number;
  /** Event time of the first sample, epoch ms; sample k is at `startAt + k * 1000 / fsHz`. */
  readonly startAt: number;
  readonly samples: readonly number[];
}

/** The samples of one code whose event time lies in [startAt, startAt + bucketMs). */
export interface EnvelopeBucket {
  readonly startAt: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/** The envelope of one code; buckets in time order, buckets without samples left out. */
export interface WaveformEnvelope {
  readonly code: string;
  readonly unit: string;
  readonly buckets: readonly EnvelopeBucket[];
}

/**
 * The bucket width for `points` buckets over [fromAt, toAt): ⌈span / points⌉ whole milliseconds, so
 * bucket starts are exact instants and there are at most `points` buckets (the last one ends at `toAt`
 * and may be shorter).
 */
export function envelopeBucketMs(fromAt: number, toAt: number, points: number): number {
  if (!(toAt > fromAt) || !Number.isSafeInteger(points) || points < 1) {
    throw new RangeError(`envelope: need fromAt < toAt and a positive whole number of points (got ${points})`);
  }
  return Math.max(1, Math.ceil((toAt - fromAt) / points));
}

/** Running min/max/count of one code's buckets, indexed by bucket number. */
class CodeAccumulator {
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly count: Uint32Array;

  constructor(
    readonly unit: string,
    buckets: number,
  ) {
    this.min = new Float64Array(buckets).fill(Infinity);
    this.max = new Float64Array(buckets).fill(-Infinity);
    this.count = new Uint32Array(buckets);
  }

  add(bucket: number, value: number): void {
    if (value < (this.min[bucket] as number)) this.min[bucket] = value;
    if (value > (this.max[bucket] as number)) this.max[bucket] = value;
    this.count[bucket] = (this.count[bucket] as number) + 1;
  }
}

/**
 * The min/max envelope of every code in `segments` over [fromAt, toAt), at most `points` buckets of
 * `envelopeBucketMs` each. Samples outside the window are ignored; samples of several segments (one
 * device's consecutive messages, or several devices of a patient) that fall in one bucket are merged.
 * Codes come out sorted.
 */
export function waveformEnvelopes(
  segments: Iterable<EnvelopeSegment>,
  fromAt: number,
  toAt: number,
  points: number,
): WaveformEnvelope[] {
  const bucketMs = envelopeBucketMs(fromAt, toAt, points);
  const bucketCount = Math.ceil((toAt - fromAt) / bucketMs);
  const byCode = new Map<string, CodeAccumulator>();
  for (const segment of segments) {
    let acc = byCode.get(segment.code);
    if (acc === undefined) byCode.set(segment.code, (acc = new CodeAccumulator(segment.unit, bucketCount)));
    addSegment(acc, segment, fromAt, toAt, bucketMs);
  }
  return [...byCode.keys()]
    .sort()
    .map((code) => envelopeOf(code, byCode.get(code) as CodeAccumulator, fromAt, bucketMs));
}

function addSegment(acc: CodeAccumulator, s: EnvelopeSegment, fromAt: number, toAt: number, bucketMs: number): void {
  const { samples, fsHz, startAt } = s;
  for (let k = 0; k < samples.length; k++) {
    // Multiply before dividing: exact whenever the true instant is representable (edges land in the right bucket).
    const at = startAt + (k * 1000) / fsHz;
    if (at < fromAt) continue;
    if (at >= toAt) break;
    acc.add(Math.floor((at - fromAt) / bucketMs), samples[k] as number);
  }
}

function envelopeOf(code: string, acc: CodeAccumulator, fromAt: number, bucketMs: number): WaveformEnvelope {
  const buckets: EnvelopeBucket[] = [];
  for (let i = 0; i < acc.count.length; i++) {
    const count = acc.count[i] as number;
    if (count === 0) continue;
    buckets.push({ startAt: fromAt + i * bucketMs, min: acc.min[i] as number, max: acc.max[i] as number, count });
  }
  return { code, unit: acc.unit, buckets };
}
