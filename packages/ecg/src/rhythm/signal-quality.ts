import type { QualityPolicy } from './rhythm-policy.js';

/**
 * Per-second signal quality of one ECG lead, streaming. Each completed second is graded:
 * - `flat`: peak-to-peak below `flatMv`, i.e. a constant signal (a disconnected input; a device that
 *   knows its lead is off says so in its status, see EcgMonitor);
 * - `saturated`: a large share of samples pinned at the second's extremes (amplifier clipping);
 * - `low-amplitude`: the second's activity (peak-to-peak after a 3 Hz high-pass, so breathing and
 *   baseline wander do not count) is below `quietShare` of the patient's clean seconds (or of
 *   `referenceQrsMv` before any): no QRS in view, what asystole looks like (and the quiet part of a
 *   slow rhythm);
 * - `good`: kurtosis of the last `windowMs` (after a 0.5 Hz high-pass) at or above kSQI's clean level,
 *   and the second's own at least Gaussian noise's (3): the onset of a noise burst, which makes the
 *   window's tails heavy for a while, is not taken for clean ECG;
 * - `noisy`: below it, with deflections as large as a QRS (motion, muscle, electrode noise).
 * `sqi` is 0–1: 0 for flat, saturated and noise, 1 for clean, linear in kurtosis between.
 */
export type QualityState = 'good' | 'low-amplitude' | 'noisy' | 'flat' | 'saturated';

export interface QualitySecond {
  /** Index of the first sample of the second (in the analyzer's segment). */
  readonly startIndex: number;
  readonly endIndex: number;
  readonly state: QualityState;
  readonly sqi: number;
  readonly kurtosis: number;
  readonly peakToPeakMv: number;
}

export class SignalQuality {
  private readonly perSecond: number;
  private readonly window: Float64Array;
  private windowFill = 0;
  private windowAt = 0;
  private secondMin = Number.POSITIVE_INFINITY;
  private secondMax = Number.NEGATIVE_INFINITY;
  private readonly secondRaw: Float64Array;
  /** The second's samples after the 0.5 Hz high-pass (for its own kurtosis). */
  private readonly secondHp: Float64Array;
  private secondFill = 0;
  private index = 0;
  private hpPrevIn = 0;
  private hpPrevOut = 0;
  private readonly hpAlpha: number;
  /** A second high-pass (3 Hz) for the activity test: breathing and T waves mostly out, QRS and noise in. */
  private readonly activityAlpha: number;
  private activityPrevIn = 0;
  private activityPrevOut = 0;
  private activityMin = Number.POSITIVE_INFINITY;
  private activityMax = Number.NEGATIVE_INFINITY;
  private primed = false;
  /** Recent activity (3 Hz high-passed peak-to-peak) of clean seconds, exponential average: the size of the patient's QRS. */
  private cleanActivity: number | null;

  /** `reference`: the patient's QRS activity learned before (a previous segment of the same lead), if any. */
  constructor(
    fsHz: number,
    private readonly policy: QualityPolicy,
    reference: number | null = null,
  ) {
    this.perSecond = Math.max(1, Math.round(fsHz));
    this.window = new Float64Array(Math.max(this.perSecond, Math.round((policy.windowMs * fsHz) / 1000)));
    this.secondRaw = new Float64Array(this.perSecond);
    this.secondHp = new Float64Array(this.perSecond);
    this.hpAlpha = onePoleHighPass(0.5, fsHz);
    this.activityAlpha = onePoleHighPass(3, fsHz);
    this.cleanActivity = reference;
  }

  /** The patient's QRS activity learned so far (carried into the next segment of the lead). */
  get reference(): number | null {
    return this.cleanActivity;
  }

  /** Feeds samples; returns the seconds they complete. */
  push(samples: ArrayLike<number>): QualitySecond[] {
    const out: QualitySecond[] = [];
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      if (!this.primed) {
        this.hpPrevIn = x;
        this.activityPrevIn = x;
        this.primed = true;
      }
      const y = this.hpAlpha * (this.hpPrevOut + x - this.hpPrevIn);
      this.hpPrevIn = x;
      this.hpPrevOut = y;
      const a = this.activityAlpha * (this.activityPrevOut + x - this.activityPrevIn);
      this.activityPrevIn = x;
      this.activityPrevOut = a;
      if (a < this.activityMin) this.activityMin = a;
      if (a > this.activityMax) this.activityMax = a;
      this.window[this.windowAt] = y;
      this.windowAt = (this.windowAt + 1) % this.window.length;
      if (this.windowFill < this.window.length) this.windowFill++;
      if (x < this.secondMin) this.secondMin = x;
      if (x > this.secondMax) this.secondMax = x;
      this.secondHp[this.secondFill] = y;
      this.secondRaw[this.secondFill++] = x;
      this.index++;
      if (this.secondFill === this.perSecond) out.push(this.closeSecond());
    }
    return out;
  }

  private closeSecond(): QualitySecond {
    const range = this.secondMax - this.secondMin;
    let pinned = 0;
    for (let i = 0; i < this.secondFill; i++) {
      const v = this.secondRaw[i]!;
      if (v === this.secondMax || v === this.secondMin) pinned++;
    }
    const kurtosis = kurtosisOf(this.window, this.windowFill);
    const secondKurtosis = kurtosisOf(this.secondHp, this.secondFill);
    const activity = this.activityMax - this.activityMin;
    const p = this.policy;
    let state: QualityState;
    let sqi: number;
    if (range < p.flatMv) {
      state = 'flat';
      sqi = 0;
    } else if (pinned / this.secondFill >= p.saturatedShare) {
      state = 'saturated';
      sqi = 0;
    } else if (activity < p.quietShare * (this.cleanActivity ?? p.referenceQrsMv)) {
      // No deflection near the patient's QRS size in this second: no QRS in view (what asystole looks like).
      state = 'low-amplitude';
      sqi = 1;
    } else if (kurtosis >= p.kurtosisClean && secondKurtosis >= p.secondKurtosisMin) {
      state = 'good';
      sqi = 1;
      this.cleanActivity = this.cleanActivity === null ? activity : 0.9 * this.cleanActivity + 0.1 * activity;
    } else {
      state = 'noisy';
      sqi = Math.max(0, Math.min(1, (kurtosis - p.kurtosisNoise) / (p.kurtosisClean - p.kurtosisNoise)));
    }
    const second: QualitySecond = {
      startIndex: this.index - this.secondFill,
      endIndex: this.index,
      state,
      sqi,
      kurtosis,
      peakToPeakMv: range,
    };
    this.secondFill = 0;
    this.secondMin = Number.POSITIVE_INFINITY;
    this.secondMax = Number.NEGATIVE_INFINITY;
    this.activityMin = Number.POSITIVE_INFINITY;
    this.activityMax = Number.NEGATIVE_INFINITY;
    return second;
  }
}

/** The coefficient of a one-pole (RC) high-pass filter with corner `hz`. */
function onePoleHighPass(hz: number, fsHz: number): number {
  const rc = 1 / (2 * Math.PI * hz);
  return rc / (rc + 1 / fsHz);
}

/** Kurtosis (fourth standardised moment) of the first `n` values; 0 for a constant. */
function kurtosisOf(values: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= n;
  m4 /= n;
  return m2 === 0 ? 0 : m4 / (m2 * m2);
}
