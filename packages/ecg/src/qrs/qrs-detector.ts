import type { BeatDetector } from './beat-detector.js';

/**
 * A streaming single-lead QRS detector: the Pan–Tompkins feature signal with the Hamilton–Tompkins
 * decision rules.
 *
 * Method
 * - Feature (Pan J, Tompkins WJ, "A real-time QRS detection algorithm", IEEE Trans Biomed Eng
 *   32(3):230–236, 1985): band-pass about 5–15 Hz, derivative, squaring, moving-window
 *   integration over 150 ms.
 * - Decisions (Hamilton PS, Tompkins WJ, "Quantitative investigation of QRS detection rules using
 *   the MIT/BIH arrhythmia database", IEEE Trans Biomed Eng 33(12):1157–1165, 1986, as in
 *   Hamilton's open-source OSEA `qrsdet2.c`):
 *   - a peak of the integrated signal is held for 200 ms in case a larger one follows;
 *   - the QRS level and the noise level are each the mean of the last 8 such peaks;
 *   - the threshold is noise + 0.3125 × (QRS − noise);
 *   - search-back: if no beat has been found for 1.66 × the mean of the last 8 RR intervals
 *     (Pan & Tompkins' factor; OSEA waits 1.5 × RR + 150 ms), the largest peak seen since, if it
 *     is at least 360 ms after the last beat and above half the threshold, is taken as a beat;
 *   - the levels are re-learnt when no beat has been found for 8 s.
 * - T-wave test (Pan & Tompkins): a candidate within 360 ms of the last beat whose maximum slope
 *   is under half that beat's is a T wave. No beat is accepted within 200 ms (refractory period).
 *
 * Changes from the papers
 * - The filters are built from the sampling rate rather than fixed for 200 Hz. They are
 *   moving averages with odd lengths, so the band-pass is linear-phase and its delay is a whole
 *   number of samples, corrected exactly. Low-pass: two 25 ms moving averages. High-pass: the
 *   signal minus its 125 ms moving average. The −3 dB band is 6–15 Hz with its peak at 10 Hz
 *   for any fs from 125 to 1000 Hz, and 50/60 Hz mains is attenuated by 20 dB or more.
 * - The beat is placed at the largest absolute value of the band-passed signal within ±75 ms of
 *   the delay-corrected integrator peak, not at the integrator peak itself.
 * - Learning uses the first 2 s, not 8 s: the QRS level starts at the largest peak in them and
 *   the noise level at zero, and those 2 s are then classified retroactively. This lets the
 *   first beats be reported. Re-learning after 8 s without a beat uses the last 2 s of peaks.
 * - The T-wave test compares squared slopes of the band-passed signal (ratio 1/4).
 * - Refractory competition: two candidates above threshold within 200 ms of each other cannot
 *   both be QRS complexes, so the larger one is kept. Hamilton's 200 ms pre-blanking does this
 *   only for integrator peaks that follow each other closely.
 * - A QRS peak counts at most twice the current QRS level when it enters the level. Without
 *   this, one artefact many times larger than the beats raises the threshold for 8 beats. On
 *   the 250 Hz record v102s this caused gaps of several seconds.
 * - The RR intervals used for search-back are capped at 1.5 s, so search-back starts at most
 *   2.49 s after a beat. This bounds the delay before a beat is reported.
 * - Integrator peaks below that of a 0.05 mV QRS (a Gaussian with σ = 10 ms) are ignored, so a
 *   flat line or bare quantisation noise gives no beats (like OSEA's minimum peak amplitude).
 *
 * Streaming: every decision depends only on the sample index, so any chunking gives identical
 * beats. flush() runs the pipeline on past the end of the data (holding the last value) so the
 * last beats are decided. Memory is fixed (ring buffers sized from fs at construction) and the
 * per-sample path does not allocate. A beat is reported at most `maxDelaySeconds` after its R
 * peak: about 2.3 s at any fs with the default options, which is 160 ms of filter delay plus
 * the worst-case search-back of 2.49 − 0.36 = 2.13 s. A normal beat is confirmed about 0.73 s
 * after its R peak, once no larger rival can still appear within its refractory period.
 * Non-finite input samples are replaced by the last finite one.
 */
export const QRS_METHOD =
  'Pan–Tompkins feature (6–15 Hz band-pass, derivative, squaring, 150 ms integration; Pan & Tompkins, IEEE TBME 32(3):230–236, 1985) ' +
  'with Hamilton–Tompkins decision rules (means of 8 QRS and noise peaks, threshold 0.3125, 200 ms pre-blanking, search-back, ' +
  're-learning; Hamilton & Tompkins, IEEE TBME 33(12):1157–1165, 1986), ' +
  'fs-scaled linear-phase filters, R peak located on the band-passed signal';

export interface QrsDetectorOptions {
  /** Where the threshold sits between the noise and QRS levels (Hamilton & Tompkins' TH). Default 0.3125. */
  readonly thresholdFraction: number;
  /** No two beats closer than this, in ms. Default 200. */
  readonly refractoryMs: number;
  /** A candidate closer than this to the last beat (ms) must pass the T-wave slope test. Default 360. */
  readonly tWaveMs: number;
  /** Search back once no beat has been found for this multiple of the mean RR interval. Default 1.66. */
  readonly searchBackRr: number;
}

const DEFAULTS: QrsDetectorOptions = {
  thresholdFraction: 0.3125,
  refractoryMs: 200,
  tWaveMs: 360,
  searchBackRr: 1.66,
};

/** Peaks averaged into each level, and RR intervals into the mean RR (Hamilton & Tompkins). */
const LEVELS = 8;
/** Recent candidates kept for (re-)learning: pre-blanking passes them on ≥ 200 ms apart, so 2 s hold about 10. */
const RECENT = 16;
/** Sums of the moving averages are recomputed this often (samples), so rounding cannot build up. */
const RESUM_MASK = 0xffff;

/**
 * A QRS peak enters the QRS level at most at this multiple of the current level, so one artefact
 * cannot raise the threshold above the real beats for the next 8 beats.
 */
const QRS_PEAK_CAP = 2;

const LOW_PASS_MS = 25;
const HIGH_PASS_MS = 125;
const DERIVATIVE_MS = 4;
const INTEGRATION_MS = 150;
const PRE_BLANK_MS = 200;
const PEAK_TIMEOUT_MS = 95;
const LOCATE_MS = 75;
const LEARN_MS = 2000;
const RELEARN_MS = 8000;
const MAX_RR_MS = 1500;
const MIN_QRS_MV = 0.05;
/** Below this the 6–15 Hz band and the 4 ms derivative lose their meaning. */
const MIN_FS_HZ = 100;

function oddLength(samples: number): number {
  const r = Math.max(1, Math.round(samples));
  return r % 2 === 1 ? r : r + 1;
}

/**
 * The Pan–Tompkins feature: band-pass (two moving averages, minus a longer moving average),
 * derivative, squaring and moving-window integration, in O(1) per sample on ring buffers.
 * Every stage is linear-phase with a whole-sample delay, so the band-passed signal and its
 * derivative can be read back at any recent signal time.
 */
class QrsFeature {
  /** Delay of the band-passed signal, of its derivative and of the integrated feature (samples). */
  readonly bandDelay: number;
  readonly derivativeDelay: number;
  readonly featureDelay: number;
  private readonly lpLen: number;
  private readonly hpLen: number;
  private readonly lag: number;
  private readonly winLen: number;
  private readonly scale: number;
  private readonly mask: number;
  private readonly x: Float64Array;
  private readonly lp1: Float64Array;
  private readonly lp2: Float64Array;
  private readonly band: Float64Array;
  private readonly slope: Float64Array;
  private sumX = 0;
  private sumLp1 = 0;
  private sumLp2 = 0;
  private sumSq = 0;
  private n = 0;

  constructor(fsHz: number, history: number) {
    const samples = (ms: number): number => (ms * fsHz) / 1000;
    this.lpLen = oddLength(samples(LOW_PASS_MS));
    this.hpLen = oddLength(samples(HIGH_PASS_MS));
    this.lag = Math.max(1, Math.round(samples(DERIVATIVE_MS)));
    this.winLen = oddLength(samples(INTEGRATION_MS));
    this.scale = fsHz / (2 * this.lag); // derivative in mV/s
    this.bandDelay = this.lpLen - 1 + (this.hpLen - 1) / 2;
    this.derivativeDelay = this.bandDelay + this.lag;
    this.featureDelay = this.derivativeDelay + (this.winLen - 1) / 2;
    let size = 1;
    while (size <= Math.max(this.hpLen, this.winLen, history + this.featureDelay)) size *= 2;
    this.mask = size - 1;
    this.x = new Float64Array(size);
    this.lp1 = new Float64Array(size);
    this.lp2 = new Float64Array(size);
    this.band = new Float64Array(size);
    this.slope = new Float64Array(size);
  }

  /** Feeds one sample; returns the integrated feature, `featureDelay` samples behind. */
  next(value: number): number {
    const n = this.n;
    const mask = this.mask;
    const i = n & mask;
    if (n === 0) this.prime(value);
    const L = this.lpLen;
    const H = this.hpLen;
    this.x[i] = value;
    this.sumX += value - this.x[(n - L) & mask]!;
    const lp1 = this.sumX / L;
    this.lp1[i] = lp1;
    this.sumLp1 += lp1 - this.lp1[(n - L) & mask]!;
    const lp2 = this.sumLp1 / L;
    this.lp2[i] = lp2;
    this.sumLp2 += lp2 - this.lp2[(n - H) & mask]!;
    const band = this.lp2[(n - (H - 1) / 2) & mask]! - this.sumLp2 / H;
    this.band[i] = band;
    const d = (band - this.band[(n - 2 * this.lag) & mask]!) * this.scale;
    this.slope[i] = d;
    const old = this.slope[(n - this.winLen) & mask]!;
    this.sumSq += d * d - old * old;
    this.n = n + 1;
    if ((this.n & RESUM_MASK) === 0) this.resum();
    return this.sumSq / this.winLen;
  }

  /** Band-passed signal at signal time `t` (at most the ring's history old). */
  bandAt(t: number): number {
    return this.band[(t + this.bandDelay) & this.mask]!;
  }

  /** Derivative of the band-passed signal at signal time `t`, in mV/s. */
  slopeAt(t: number): number {
    return this.slope[(t + this.derivativeDelay) & this.mask]!;
  }

  /** Starts from a steady state at the first value, so a DC offset causes no start-up transient. */
  private prime(value: number): void {
    this.x.fill(value);
    this.lp1.fill(value);
    this.lp2.fill(value);
    this.sumX = value * this.lpLen;
    this.sumLp1 = value * this.lpLen;
    this.sumLp2 = value * this.hpLen;
  }

  private resum(): void {
    const sum = (ring: Float64Array, len: number, square: boolean): number => {
      let s = 0;
      for (let k = 1; k <= len; k++) {
        const v = ring[(this.n - k) & this.mask]!;
        s += square ? v * v : v;
      }
      return s;
    };
    this.sumX = sum(this.x, this.lpLen, false);
    this.sumLp1 = sum(this.lp1, this.lpLen, false);
    this.sumLp2 = sum(this.lp2, this.hpLen, false);
    this.sumSq = sum(this.slope, this.winLen, true);
  }
}

/** Largest feature peak a Gaussian QRS of `mv` millivolts (σ = 10 ms) produces at `fsHz`. */
function gaussianQrsPeak(fsHz: number, mv: number): number {
  const feature = new QrsFeature(fsHz, 0);
  const sigma = 0.01 * fsHz;
  let max = 0;
  for (let i = 0; i < 2 * fsHz; i++) {
    const z = (i - fsHz) / sigma;
    max = Math.max(max, feature.next(mv * Math.exp(-0.5 * z * z)));
  }
  return max;
}

export class QrsDetector implements BeatDetector {
  readonly fsHz: number;
  /** Longest time from a beat's R peak to the push() that reports it, in seconds. */
  readonly maxDelaySeconds: number;
  private readonly feature: QrsFeature;
  private readonly thresholdFraction: number;
  private readonly searchBackRr: number;
  // Durations in samples.
  private readonly delay: number;
  private readonly preBlank: number;
  private readonly peakTimeout: number;
  private readonly refractory: number;
  private readonly tWave: number;
  private readonly locate: number;
  private readonly learnLen: number;
  private readonly relearnLen: number;
  private readonly maxRr: number;
  private readonly confirmAfter: number;
  private readonly minPeak: number;

  private fed = 0;
  private n = 0;
  private lastValue = 0;
  private ended = false;
  private out: number[] = [];
  /** Beats at or after this sample are not reported (set by flush() to the end of the data). */
  private limit = Number.POSITIVE_INFINITY;

  // Peak finder on the feature and the 200 ms pre-blanking.
  private lastFeature = 0;
  private peakMax = 0;
  private peakAt = 0;
  private heldPeak = 0;
  private heldAt = 0;
  private blank = 0;

  // Recent candidates (R location, feature peak, squared slope), for (re-)learning.
  private readonly recentLoc = new Float64Array(RECENT).fill(Number.NEGATIVE_INFINITY);
  private readonly recentPeak = new Float64Array(RECENT);
  private readonly recentSlope = new Float64Array(RECENT);
  private recentNext = 0;

  // Decision state (Hamilton & Tompkins).
  private learned = false;
  private learnAt: number;
  private readonly qrsPeaks = new Float64Array(LEVELS);
  private readonly noisePeaks = new Float64Array(LEVELS);
  private readonly rrs = new Float64Array(LEVELS);
  private qrsNext = 0;
  private noiseNext = 0;
  private rrNext = 0;
  private threshold = 0;
  private qrsLevel = 0;
  private rrMean: number;
  private lastBeat = Number.NEGATIVE_INFINITY;
  private lastSlope = 0;
  private lastActivity = 0;
  /** The last beat is pending until no rival within its refractory period can still appear. */
  private pending = false;
  private pendingPeak = 0;
  private beforePending = Number.NEGATIVE_INFINITY;
  private searchPeak = 0;
  private searchLoc = 0;
  private searchSlope = 0;

  constructor(fsHz: number, options: Partial<QrsDetectorOptions> = {}) {
    if (!(fsHz >= MIN_FS_HZ) || !Number.isFinite(fsHz)) {
      throw new RangeError(`QrsDetector needs fsHz of at least ${MIN_FS_HZ}, got ${fsHz}`);
    }
    const o = { ...DEFAULTS, ...options };
    this.fsHz = fsHz;
    this.thresholdFraction = o.thresholdFraction;
    this.searchBackRr = o.searchBackRr;
    const samples = (ms: number): number => Math.round((ms * fsHz) / 1000);
    this.preBlank = samples(PRE_BLANK_MS);
    this.peakTimeout = samples(PEAK_TIMEOUT_MS);
    this.refractory = samples(o.refractoryMs);
    this.tWave = samples(o.tWaveMs);
    this.locate = samples(LOCATE_MS);
    this.learnLen = samples(LEARN_MS);
    this.relearnLen = samples(RELEARN_MS);
    this.maxRr = samples(MAX_RR_MS);
    // A rival within the refractory period is located at most `locate` after its integrator
    // peak, which is passed on at most `peakTimeout + preBlank` later.
    this.confirmAfter = this.refractory + this.locate + this.peakTimeout + this.preBlank + 1;
    const history = this.peakTimeout + this.preBlank + 2 * this.locate + 2;
    this.feature = new QrsFeature(fsHz, history);
    this.delay = this.feature.featureDelay;
    this.minPeak = gaussianQrsPeak(fsHz, MIN_QRS_MV);
    this.learnAt = this.learnLen;
    this.rrMean = fsHz;
    this.rrs.fill(fsHz);
    const searchBackMax = Math.ceil(this.searchBackRr * this.maxRr) - this.tWave;
    this.maxDelaySeconds = (this.delay + Math.max(this.learnLen, searchBackMax, this.confirmAfter) + 2) / fsHz;
  }

  get position(): number {
    return this.fed;
  }

  push(samples: ArrayLike<number>): number[] {
    if (this.ended) throw new Error('QrsDetector: push() after flush()');
    this.out = [];
    const len = samples.length;
    for (let i = 0; i < len; i++) this.step(samples[i]!);
    this.fed += len;
    return this.out;
  }

  /**
   * Ends the stream: runs the pipeline on, holding the last value, until every candidate in the
   * data is decided, and returns the beats (inside the data) still unreported.
   */
  flush(): number[] {
    this.out = [];
    if (this.ended) return this.out;
    this.ended = true;
    this.limit = this.fed;
    const drain = this.delay + this.confirmAfter + 2;
    for (let i = 0; i < drain; i++) this.step(this.lastValue);
    const now = this.n - this.delay;
    if (!this.learned) this.learn(now);
    if (this.pending) this.confirm();
    return this.out;
  }

  private step(raw: number): void {
    // Non-finite samples (NaN, ±Infinity) are replaced by the last finite one.
    const value = raw - raw === 0 ? raw : this.lastValue;
    this.lastValue = value;
    const m = this.feature.next(value);
    const n = this.n++;
    this.findPeak(m, n);
    this.tick(n - this.delay);
  }

  /**
   * Hamilton's peak finder: a peak is the feature's maximum, passed on once the feature falls
   * to half of it or 95 ms have gone by; it is then held 200 ms in case a larger one follows.
   */
  private findPeak(m: number, n: number): void {
    let peak = 0;
    let at = 0;
    if (m > this.lastFeature && m > this.peakMax) {
      this.peakMax = m;
      this.peakAt = n;
    } else if (this.peakMax > 0 && (m < this.peakMax / 2 || n - this.peakAt > this.peakTimeout)) {
      if (this.peakMax >= this.minPeak) {
        peak = this.peakMax;
        at = this.peakAt;
      }
      this.peakMax = 0;
    }
    this.lastFeature = m;
    if (peak > 0 && (this.blank === 0 || peak > this.heldPeak)) {
      this.heldPeak = peak;
      this.heldAt = at;
      this.blank = this.preBlank;
    } else if (this.blank > 0 && --this.blank === 0) {
      this.candidate(this.heldPeak, this.heldAt - this.delay);
    }
  }

  /** Per-sample timers, in signal time: confirmation, learning, search-back, re-learning. */
  private tick(now: number): void {
    if (this.pending && now >= this.lastBeat + this.confirmAfter) this.confirm();
    if (!this.learned) {
      if (now >= this.learnAt) this.learn(now);
      return;
    }
    if (this.searchPeak > 0 && now - this.lastBeat > this.searchBackRr * this.rrMean) {
      if (this.searchPeak > this.threshold / 2) this.accept(this.searchPeak, this.searchLoc, this.searchSlope);
      this.searchPeak = 0;
    }
    if (now - this.lastActivity > this.relearnLen) {
      this.learned = false;
      this.learn(now);
    }
  }

  /**
   * A feature peak that survived pre-blanking, at signal time `t`: locates its R peak (largest
   * absolute band-passed value within ±75 ms) and its maximum squared slope, then classifies it.
   */
  private candidate(peak: number, t: number): void {
    let loc = t;
    let best = -1;
    let slope = 0;
    for (let j = t - this.locate; j <= t + this.locate; j++) {
      const b = Math.abs(this.feature.bandAt(j));
      if (b > best) {
        best = b;
        loc = j;
      }
      const d = this.feature.slopeAt(j);
      if (d * d > slope) slope = d * d;
    }
    const k = this.recentNext;
    this.recentLoc[k] = loc;
    this.recentPeak[k] = peak;
    this.recentSlope[k] = slope;
    this.recentNext = (k + 1) % RECENT;
    if (this.learned) this.classify(peak, loc, slope);
    else if (this.learnAt === Number.POSITIVE_INFINITY) this.learnAt = loc + this.learnLen;
  }

  /**
   * (Re-)learns from the candidates of the last 2 s: QRS level = their largest peak, noise
   * level = 0; then classifies them. With none, waits until 2 s after the next candidate.
   */
  private learn(now: number): void {
    let max = 0;
    for (let k = 0; k < RECENT; k++) {
      if (this.isRecent(k, now) && this.recentPeak[k]! > max) max = this.recentPeak[k]!;
    }
    if (max === 0) {
      this.learnAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.learned = true;
    this.lastActivity = now;
    this.qrsPeaks.fill(max);
    this.noisePeaks.fill(0);
    this.updateThreshold();
    this.searchPeak = 0;
    for (let j = 0; j < RECENT; j++) {
      const k = (this.recentNext + j) % RECENT; // oldest first
      if (this.isRecent(k, now)) this.classify(this.recentPeak[k]!, this.recentLoc[k]!, this.recentSlope[k]!);
    }
  }

  private isRecent(k: number, now: number): boolean {
    const loc = this.recentLoc[k]!;
    return loc >= now - this.learnLen && loc > this.lastBeat;
  }

  private classify(peak: number, loc: number, slope: number): void {
    const since = loc - this.lastBeat;
    const tWave = since < this.tWave && slope < this.lastSlope / 4; // slope under half the last beat's
    if (peak > this.threshold && since >= this.refractory && !tWave) {
      this.accept(peak, loc, slope);
    } else if (this.pending && since < this.refractory && peak > this.threshold && peak > this.pendingPeak) {
      this.replacePending(peak, loc, slope);
    } else {
      this.addNoise(peak);
      if (since >= this.tWave && peak > this.searchPeak) {
        this.searchPeak = peak;
        this.searchLoc = loc;
        this.searchSlope = slope;
      }
    }
  }

  private accept(peak: number, loc: number, slope: number): void {
    if (this.pending) this.confirm();
    if (this.lastBeat > Number.NEGATIVE_INFINITY) {
      this.rrs[this.rrNext] = Math.min(loc - this.lastBeat, this.maxRr);
      this.rrNext = (this.rrNext + 1) % LEVELS;
      let sum = 0;
      for (let k = 0; k < LEVELS; k++) sum += this.rrs[k]!;
      this.rrMean = sum / LEVELS;
    }
    this.qrsPeaks[this.qrsNext] = Math.min(peak, QRS_PEAK_CAP * this.qrsLevel);
    this.qrsNext = (this.qrsNext + 1) % LEVELS;
    this.updateThreshold();
    this.pending = true;
    this.pendingPeak = peak;
    this.beforePending = this.lastBeat;
    this.lastBeat = loc;
    this.lastActivity = loc;
    this.lastSlope = slope;
    this.searchPeak = 0;
  }

  /** Refractory competition: the pending beat was the smaller of two rivals; it becomes noise. */
  private replacePending(peak: number, loc: number, slope: number): void {
    const displaced = this.pendingPeak;
    this.qrsNext = (this.qrsNext + LEVELS - 1) % LEVELS;
    if (this.beforePending > Number.NEGATIVE_INFINITY) this.rrNext = (this.rrNext + LEVELS - 1) % LEVELS;
    this.lastBeat = this.beforePending;
    this.pending = false;
    this.addNoise(displaced);
    this.accept(peak, loc, slope);
  }

  private confirm(): void {
    this.pending = false;
    if (this.lastBeat < this.limit) this.out.push(this.lastBeat);
  }

  private addNoise(peak: number): void {
    this.noisePeaks[this.noiseNext] = peak;
    this.noiseNext = (this.noiseNext + 1) % LEVELS;
    this.updateThreshold();
  }

  private updateThreshold(): void {
    let qrs = 0;
    let noise = 0;
    for (let k = 0; k < LEVELS; k++) {
      qrs += this.qrsPeaks[k]!;
      noise += this.noisePeaks[k]!;
    }
    qrs /= LEVELS;
    noise /= LEVELS;
    this.qrsLevel = qrs;
    this.threshold = noise + this.thresholdFraction * (qrs - noise);
  }
}
