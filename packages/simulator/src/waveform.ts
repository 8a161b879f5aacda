import type { Random } from './random.js';

/** A waveform segment as the wire contract carries it (DESIGN 3.1 `waveforms[]`). */
export interface WireWaveform {
  readonly code: string;
  /** Sample rate, Hz. */
  readonly fs: number;
  /** Event time of the first sample, epoch ms (as the device's clock reports it). */
  readonly t0: number;
  readonly unit: string;
  readonly samples: number[];
  readonly artifact?: true;
}

/** Default sample rate of the synthetic waveforms. */
export const WAVEFORM_FS_HZ = 250;

interface Wave {
  /** Peak height in the waveform's unit (mV for ECG, unitless for pleth). */
  readonly amplitude: number;
  readonly centreMs: number;
  readonly widthMs: number;
}

/**
 * One beat of ECG lead II as a sum of Gaussians around the R peak, after the dynamical model of
 * McSharry et al. (IEEE TBME 50(3):289–294, 2003): P, Q, R, S and T waves. The T wave moves with the
 * RR interval (Bazett: QT ∝ √RR).
 */
function ecgWaves(rrMs: number): readonly Wave[] {
  return [
    { amplitude: 0.15, centreMs: -160, widthMs: 25 },
    { amplitude: -0.12, centreMs: -28, widthMs: 9 },
    { amplitude: 1.1, centreMs: 0, widthMs: 10 },
    { amplitude: -0.25, centreMs: 28, widthMs: 10 },
    { amplitude: 0.3, centreMs: 250 * Math.sqrt(rrMs / 1000), widthMs: 45 },
  ];
}

/** A pulse-oximeter pulse: systolic peak and dicrotic wave, reaching the finger ≈ 180 ms after the R peak. */
const PLETH_WAVES: readonly Wave[] = [
  { amplitude: 0.8, centreMs: 330, widthMs: 70 },
  { amplitude: 0.28, centreMs: 600, widthMs: 90 },
];

function gaussian(dtMs: number, w: Wave): number {
  const z = (dtMs - w.centreMs) / w.widthMs;
  return w.amplitude * Math.exp(-0.5 * z * z);
}

/**
 * Synthetic ECG lead II (mV) and plethysmogram (unitless, about 0–1) for one patient, continuous across
 * segments: beats are placed at the current heart rate with a little beat-to-beat jitter, and breathing
 * modulates the baseline. Deterministic for a given `random` and call sequence.
 */
export class WaveformSynth {
  /** R-peak times (true event time, epoch ms) around the segment being drawn. */
  private readonly beats: { at: number; rrMs: number; silent?: true }[] = [];

  constructor(
    private readonly random: Random,
    startAt: number,
    readonly fsHz: number = WAVEFORM_FS_HZ,
  ) {
    this.beats.push({ at: startAt - random.between(0, 800), rrMs: 800 });
  }

  /**
   * Samples for [fromAt, toAt) (true event time) at the given rates; `clockOffsetMs` shifts `t0` to the
   * device's clock. A heart rate of 0 draws no beat (asystole). Returns the ECG and the pleth segment.
   */
  segment(
    fromAt: number,
    toAt: number,
    heartRateBpm: number,
    respRatePerMin: number,
    clockOffsetMs: number,
  ): { ecg: WireWaveform; pleth: WireWaveform } {
    this.placeBeats(toAt + 1000, heartRateBpm);
    const count = Math.max(1, Math.round(((toAt - fromAt) * this.fsHz) / 1000));
    const ecg: number[] = new Array<number>(count);
    const pleth: number[] = new Array<number>(count);
    const respHz = respRatePerMin / 60;
    for (let k = 0; k < count; k++) {
      const t = fromAt + (k * 1000) / this.fsHz;
      const breath = Math.sin((2 * Math.PI * respHz * t) / 1000);
      let e = 0.04 * breath + 0.01 * this.random.normal();
      let p = 0.12 + 0.06 * breath;
      for (const beat of this.beats) {
        if (beat.silent === true) continue;
        const dt = t - beat.at;
        if (dt < -400 || dt > 1200) continue;
        for (const w of ecgWaves(beat.rrMs)) e += gaussian(dt, w);
        for (const w of PLETH_WAVES) p += gaussian(dt, w);
      }
      ecg[k] = Math.round(e * 1000) / 1000;
      pleth[k] = Math.round(p * 1000) / 1000;
    }
    this.prune(toAt - 1500);
    const t0 = Math.round(fromAt + clockOffsetMs);
    return {
      ecg: { code: 'MDC_ECG_ELEC_POTL_II', fs: this.fsHz, t0, unit: 'mV', samples: ecg },
      pleth: { code: 'MDC_PULS_OXIM_PLETH', fs: this.fsHz, t0, unit: '1', samples: pleth },
    };
  }

  private placeBeats(untilAt: number, heartRateBpm: number): void {
    let last = this.beats[this.beats.length - 1];
    if (heartRateBpm <= 0) {
      // No QRS: the rhythm resumes one normal interval after the pause, drawn from a silent marker.
      if (last !== undefined && last.at < untilAt) this.beats.push({ at: untilAt - 1000, rrMs: 1000, silent: true });
      return;
    }
    while (last !== undefined && last.at < untilAt) {
      const rrMs = (60_000 / Math.max(heartRateBpm, 20)) * (1 + 0.02 * this.random.normal());
      last = { at: last.at + rrMs, rrMs };
      this.beats.push(last);
    }
  }

  private prune(beforeAt: number): void {
    while (this.beats.length > 1 && (this.beats[1]?.at ?? Infinity) < beforeAt) this.beats.shift();
  }
}
