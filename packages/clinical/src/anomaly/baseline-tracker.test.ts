import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAnomaly, type AnomalyEvaluation } from './anomaly-evaluation.js';
import { parseAnomalyPolicy, type AnomalyPolicy } from './anomaly-policy.js';
import { FINE_ANOMALY_POLICY } from '../testing/fine-anomaly-policy.js';
import { BaselineTracker } from './baseline-tracker.js';
import type { BaselineTrackerState } from './baseline-tracker-state.js';

const POLICY = FINE_ANOMALY_POLICY;

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const MIN = 60_000;
const HR = 'MDC_ECG_HEART_RATE';
const SPO2 = 'MDC_PULS_OXIM_SAT_O2';

/** mulberry32: a tiny seeded PRNG, so every run sees the same "noise". */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box–Muller) from a seeded uniform source. */
function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

type Reading = readonly [observedAt: number, value: number];

/** 1 Hz readings for `minutes` from T0; `mean(minute)` gives the noise-free value. */
function series(minutes: number, mean: (minute: number) => number, sd: number, seed = 1): Reading[] {
  const noise = gaussian(seed);
  const out: Reading[] = [];
  for (let s = 0; s < minutes * 60; s++) out.push([T0 + s * 1000, mean(s / 60) + sd * noise()]);
  return out;
}

function run(tracker: BaselineTracker, readings: readonly Reading[]): AnomalyEvaluation[] {
  const out: AnomalyEvaluation[] = [];
  for (const [at, value] of readings) {
    const evaluation = tracker.observe(at, value);
    if (evaluation !== undefined) out.push(evaluation);
  }
  return out;
}

const minuteOf = (e: AnomalyEvaluation): number => (e.bucketStartAt - T0) / MIN;

describe('BaselineTracker', () => {
  it('raises nothing on a stable noisy series over 3 hours', () => {
    const jitter = gaussian(99);
    const perMinute = Array.from({ length: 181 }, () => 2.5 * jitter());
    const readings = series(180, (m) => 72 + (perMinute[Math.floor(m)] ?? 0), 3, 2);
    const evaluations = run(new BaselineTracker(HR, POLICY), readings);
    assert.equal(evaluations.length, 180 - 1 - 30, 'every bucket after a 30-bucket baseline is evaluated');
    assert.ok(evaluations.every((e) => !e.level.deviating && e.level.changed === null));
    assert.ok(evaluations.every((e) => e.trend !== null && !e.trend.deviating));
    const last = evaluations.at(-1)!;
    assert.equal(last.level.baselineBuckets, 60);
    assert.ok(last.level.baselineScale > 2, 'the minute-to-minute spread, not the floor, sets the scale here');
  });

  it('starts a level deviation in the first bucket after a +6 scale step, then ends it only below clearZ', () => {
    // Scale is the HR floor (2 /min): 1 Hz noise of SD 1 gives bucket medians far steadier than that.
    const phases = (m: number): number => (m < 60 ? 72 : m < 70 ? 84 : m < 80 ? 78 : 74);
    const evaluations = run(new BaselineTracker(HR, POLICY), series(90, phases, 1, 3));
    assert.ok(evaluations.filter((e) => minuteOf(e) < 60).every((e) => !e.level.deviating));

    const start = evaluations.find((e) => e.level.changed === 'started')!;
    assert.equal(minuteOf(start), 60);
    assert.equal(start.bucketEndAt - start.bucketStartAt, MIN);
    assert.equal(start.level.direction, 'up');
    assert.equal(start.level.baselineScale, 2);
    assert.ok(Math.abs(start.level.z - 6) < 0.3, `z ${start.level.z}`);
    assert.equal(start.level.baselineFromAt, T0);
    assert.equal(start.level.baselineToAt, T0 + 60 * MIN);
    const text = describeAnomaly(start.level, HR, '/min');
    assert.match(text, /^Heart rate \(ECG\) minute median 8[34](\.\d)? \/min is \d(\.\d)? robust SDs above/);
    assert.match(text, /baseline of 72 \/min \(MAD-scaled 2, 60 min\)$/);

    // +3 scale units lies between clearZ (2) and levelZ (4): still deviating, baseline not absorbed.
    const between = evaluations.filter((e) => minuteOf(e) >= 70 && minuteOf(e) < 80);
    assert.ok(between.every((e) => e.level.deviating && e.level.changed === null));
    assert.ok(between.every((e) => Math.abs(e.level.baselineCenter - 72) < 0.2));

    const end = evaluations.find((e) => e.level.changed === 'ended')!;
    assert.equal(minuteOf(end), 80);
    assert.equal(end.level.deviating, false);
    assert.equal(end.level.direction, 'up', 'names the episode that ended');
    assert.ok(evaluations.filter((e) => minuteOf(e) > 80).every((e) => !e.level.deviating));
  });

  it('keeps a sustained deviation out of the baseline, so it does not normalise itself', () => {
    const step = (m: number): number => (m < 60 ? 72 : 84);
    const evaluations = run(new BaselineTracker(HR, POLICY), series(150, step, 1, 8));
    const during = evaluations.filter((e) => minuteOf(e) >= 60);
    assert.equal(during.length, 89);
    assert.ok(during.every((e) => e.level.deviating && Math.abs(e.level.baselineCenter - 72) < 0.2));
    assert.ok(during.every((e) => e.level.baselineToAt === T0 + 60 * MIN));
  });

  it('reports a slow SpO2 drift as a trend before the level deviates', () => {
    // With trendZ = levelZ a ramp that starts at the baseline centre reaches both at about the same
    // bucket (the fitted move over the window cannot exceed the distance from the centre); a lower
    // trendZ is what makes the trend an early warning, so this policy uses 3.
    const policy = parseAnomalyPolicy({ trendZ: 3 }, POLICY);
    const drift = (m: number): number => (m < 60 ? 97 : 97 - 0.3 * (m - 60));
    const evaluations = run(new BaselineTracker(SPO2, policy), series(100, drift, 0.5, 4));
    const trendStart = evaluations.find((e) => e.trend?.changed === 'started')!;
    const levelStart = evaluations.find((e) => e.level.changed === 'started')!;
    assert.ok(minuteOf(trendStart) < minuteOf(levelStart), `${minuteOf(trendStart)} vs ${minuteOf(levelStart)}`);
    assert.equal(trendStart.trend!.direction, 'down');
    assert.equal(trendStart.level.deviating, false);
    assert.ok(Math.abs(levelStart.trend!.observed + 18) < 1.5, 'slope ≈ -18 %/h once the window is all drift');
    assert.match(describeAnomaly(trendStart.trend!, SPO2, '%'), /^SpO2 \(pulse oximetry\) falling at \d+(\.\d)? %\/h/);
  });

  it('evaluates nothing until the baseline holds minBaselineBuckets medians (returns undefined)', () => {
    const tracker = new BaselineTracker(HR, POLICY);
    const warmup = series(30, (m) => (m < 29 ? 72 : 150), 1, 5);
    assert.deepEqual(run(tracker, warmup), [], 'even a wild bucket during warm-up gives no verdict');
    const first = tracker.observe(T0 + 30 * MIN, 72);
    assert.equal(first, undefined, 'bucket 29 completes the 30-bucket baseline');
    for (let s = 1; s < 60; s++) tracker.observe(T0 + 30 * MIN + s * 1000, 72);
    const evaluation = tracker.observe(T0 + 31 * MIN, 72)!;
    assert.equal(minuteOf(evaluation), 30);
    assert.equal(evaluation.level.baselineBuckets, 30);
  });

  it('ignores and counts readings older than the open bucket', () => {
    const tracker = new BaselineTracker(HR, POLICY);
    for (let s = 0; s < 10; s++) tracker.observe(T0 + s * 1000, 50);
    tracker.observe(T0 + MIN, 60);
    tracker.observe(T0 + 30_000, 1000);
    tracker.observe(T0 - 1, 1000);
    tracker.observe(T0 + MIN + 500, 60);
    assert.equal(tracker.ignoredLate, 2);
    assert.deepEqual(tracker.state().recent, [{ startAt: T0, median: 50 }]);
    assert.deepEqual(tracker.state().openSamples, [60, 60]);
  });

  it('skips buckets with too few readings', () => {
    const tracker = new BaselineTracker(HR, POLICY);
    run(
      tracker,
      series(40, () => 72, 1, 6),
    );
    for (let s = 0; s < 9; s++) tracker.observe(T0 + 40 * MIN + s * 1000, 200);
    assert.equal(tracker.observe(T0 + 41 * MIN, 72), undefined);
    assert.equal(tracker.skippedSparse, 1);
    assert.ok(
      tracker.state().recent.every((b) => b.median < 80),
      'the sparse bucket left no median',
    );
  });

  it('floors the scale: a flat baseline and a 1-unit change is no anomaly', () => {
    const tracker = new BaselineTracker('MDC_RESP_RATE', POLICY);
    const evaluations = run(
      tracker,
      series(80, (m) => (m < 60 ? 16 : 17), 0),
    );
    const after = evaluations.filter((e) => minuteOf(e) >= 60);
    assert.ok(after.length > 0);
    assert.ok(after.every((e) => e.level.baselineScale === 1 && e.level.z === 1 && !e.level.deviating));

    const unlisted = new BaselineTracker('X_UNLISTED', { ...POLICY, defaultMinScale: 5 });
    const last = run(
      unlisted,
      series(40, () => 3, 0),
    ).at(-1)!;
    assert.equal(last.level.baselineScale, 5, 'codes without a minScale use defaultMinScale');
  });

  it('gives the same evaluations after state()/restore() at any point', () => {
    const policy: AnomalyPolicy = POLICY;
    const shape = (m: number): number => (m < 70 ? 72 : m < 90 ? 90 : 72 + 0.5 * (m - 90));
    const readings = series(150, shape, 2, 7).filter(([at]) => {
      const minute = (at - T0) / MIN;
      return !(minute >= 100 && minute < 110) && !(minute >= 120 && minute < 120.9);
    });
    readings.splice(5000, 0, [T0 + 10 * MIN, 300]); // a late reading
    const reference = run(new BaselineTracker(HR, policy), readings);
    assert.ok(reference.some((e) => e.level.changed === 'started') && reference.some((e) => e.trend === null));

    for (const split of [0, 1, 59, 60, 61, 1799, 1800, 4250, 5000, 5001, 6000, 7000, readings.length]) {
      const before = new BaselineTracker(HR, policy);
      const head = run(before, readings.slice(0, split));
      const saved = JSON.parse(JSON.stringify(before.state())) as BaselineTrackerState;
      const after = BaselineTracker.restore(HR, policy, saved);
      assert.deepEqual([...head, ...run(after, readings.slice(split))], reference, `split at ${split}`);
      assert.equal(after.ignoredLate, 1);
    }
  });

  it('refuses a malformed state', () => {
    const good = new BaselineTracker(HR, POLICY).state();
    const bad = (patch: Partial<Record<keyof BaselineTrackerState, unknown>>): BaselineTrackerState =>
      ({ ...good, ...patch }) as BaselineTrackerState;
    assert.throws(() => BaselineTracker.restore(HR, POLICY, bad({ openStartAt: 5 })), /openStartAt/);
    assert.throws(
      () => BaselineTracker.restore(HR, POLICY, bad({ baseline: [{ startAt: 0, median: NaN }] })),
      /baseline/,
    );
    assert.throws(() => BaselineTracker.restore(HR, POLICY, bad({ levelEpisode: 'left' })), RangeError);
  });
});
