import type { QualityPolicy } from './rhythm-policy.js';

/**
 * Per-second signal quality of one ECG lead, streaming. Each completed second is graded:
 * - `flat`: peak-to-peak below `flatMv` (no signal reaches the amplifier: lead off, disconnected);
 * - `saturated`: a large share of samples pinned at the second's extremes (amplifier clipping);
 * - `low-amplitude`: the second's peak-to-peak is below `quietShare` of the patient's recent clean
 *   seconds: no QRS in view, what asystole looks like (and the quiet part of a slow rhythm);
 * - `good`: kurtosis of the last `windowMs` (after a 0.5 Hz high-pass) at or above kSQI's clean level;
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
  private secondFill = 0;
  private index = 0;
  private hpPrevIn = 0;
  private hpPrevOut = 0;
  private readonly hpAlpha: number;
  private primed = false;
  /** Recent peak-to-peak of clean seconds (exponential average): the size of the patient's QRS. */
  private cleanRange: number | null = null;

  constructor(
    fsHz: number,
    private readonly policy: QualityPolicy,
  ) {
    this.perSecond = Math.max(1, Math.round(fsHz));
    this.window = new Float64Array(Math.max(this.perSecond, Math.round((policy.windowMs * fsHz) / 1000)));
    this.secondRaw = new Float64Array(this.perSecond);
    const rc = 1 / (2 * Math.PI * 0.5);
    this.hpAlpha = rc / (rc + 1 / fsHz);
  }

  /** Feeds samples; returns the seconds they complete. */
  push(samples: ArrayLike<number>): QualitySecond[] {
    const out: QualitySecond[] = [];
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      if (!this.primed) {
        this.hpPrevIn = x;
        this.primed = true;
      }
      const y = this.hpAlpha * (this.hpPrevOut + x - this.hpPrevIn);
      this.hpPrevIn = x;
      this.hpPrevOut = y;
      this.window[this.windowAt] = y;
      this.windowAt = (this.windowAt + 1) % this.window.length;
      if (this.windowFill < this.window.length) this.windowFill++;
      if (x < this.secondMin) this.secondMin = x;
      if (x > this.secondMax) this.secondMax = x;
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
    const kurtosis = this.windowKurtosis();
    const p = this.policy;
    let state: QualityState;
    let sqi: number;
    if (range < p.flatMv) {
      state = 'flat';
      sqi = 0;
    } else if (pinned / this.secondFill >= p.saturatedShare) {
      state = 'saturated';
      sqi = 0;
    } else if (this.cleanRange !== null && range < p.quietShare * this.cleanRange) {
      // No deflection near the patient's QRS size in this second: no QRS in view (what asystole looks like).
      state = 'low-amplitude';
      sqi = 1;
    } else if (kurtosis >= p.kurtosisClean) {
      state = 'good';
      sqi = 1;
      this.cleanRange = this.cleanRange === null ? range : 0.9 * this.cleanRange + 0.1 * range;
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
    return second;
  }

  private windowKurtosis(): number {
    const n = this.windowFill;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.window[i]!;
    const mean = sum / n;
    let m2 = 0;
    let m4 = 0;
    for (let i = 0; i < n; i++) {
      const d = this.window[i]! - mean;
      const d2 = d * d;
      m2 += d2;
      m4 += d2 * d2;
    }
    m2 /= n;
    m4 /= n;
    return m2 === 0 ? 0 : m4 / (m2 * m2);
  }
}
