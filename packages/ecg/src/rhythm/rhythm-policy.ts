/**
 * Thresholds of the rhythm conditions and of signal quality. The arrhythmia definitions are the
 * PhysioNet/CinC Challenge 2015's (Clifford GD et al., CinC 2015;42:273–276; ../shared ALARMS.md):
 * asystole = no QRS for ≥ 4 s, extreme bradycardia = heart rate < 40 bpm for 5 consecutive beats,
 * extreme tachycardia = heart rate > 140 bpm for 17 consecutive beats. The irregular-rhythm
 * (AF-suspect) flag follows Dash S, Chon KH, Lu S, Raeder EA, "Automatic real time detection of
 * atrial fibrillation", Ann Biomed Eng 37(9):1701–1709 (2009): 128 RR intervals, the 8 longest and
 * 8 shortest left out, AF when RMSSD/mean RR > 0.1, Shannon entropy (16 bins) > 0.7 and the turning
 * point ratio within 0.54–0.77. The kurtosis signal-quality index is kSQI from Li Q, Mark RG,
 * Clifford GD, "Robust heart rate estimation from multiple asynchronous noisy sources using signal
 * quality indices and a Kalman filter", Physiol Meas 29(1):15–32 (2008): kurtosis > 5 for clean ECG.
 * The rest are local policy (engineering settings, not clinical thresholds): change them in the
 * clinical policy file.
 */
export interface RhythmPolicy {
  readonly asystole: { readonly noQrsMs: number };
  readonly bradycardia: { readonly belowBpm: number; readonly beats: number };
  readonly tachycardia: { readonly aboveBpm: number; readonly beats: number };
  readonly irregular: {
    readonly rrIntervals: number;
    readonly dropExtremes: number;
    readonly rmssdRatioAbove: number;
    readonly entropyAbove: number;
    readonly turningPointRatio: readonly [number, number];
    /** Local policy: evaluations in a row that must agree before the flag changes. */
    readonly persistBeats: number;
  };
  /** Local policy: consecutive beats outside a brady/tachy run that end it. */
  readonly endAfterBeats: number;
  readonly quality: QualityPolicy;
  /** Local policy: signal after a (re)start or a gap before any rhythm condition is judged. */
  readonly learnMs: number;
  /** Local policy: heart rate from the median of the last N RR intervals. */
  readonly heartRateBeats: number;
  /** HRV window (SDNN, RMSSD): 5 minutes, the short-term recording of the Task Force of the ESC and NASPE, Circulation 93:1043–1065 (1996). */
  readonly hrvWindowMs: number;
}

export interface QualityPolicy {
  /** kSQI: kurtosis of the last `windowMs` (high-passed) above which the ECG is clean. */
  readonly kurtosisClean: number;
  /** The second's own kurtosis must reach this (Gaussian noise: 3; a second of clean ECG is spikier at any rate). */
  readonly secondKurtosisMin: number;
  /** Kurtosis at or below which it is noise (SQI 0); SQI rises linearly up to `kurtosisClean`. */
  readonly kurtosisNoise: number;
  readonly windowMs: number;
  /** Local policy: peak-to-peak below this over a whole second = a constant signal (no input at all). */
  readonly flatMv: number;
  /** Local policy: the QRS size assumed until the patient's own clean seconds have been seen (mV). */
  readonly referenceQrsMv: number;
  /** Local policy: share of a second's samples pinned at its extreme values that marks saturation. */
  readonly saturatedShare: number;
  /**
   * Local policy: a window whose peak-to-peak is below this share of the recent clean QRS amplitude
   * is "low amplitude" (what asystole looks like), not noise, even with low kurtosis.
   */
  readonly quietShare: number;
  /** Local policy: unusable signal (flat, saturated, noisy) for this long raises the technical condition. */
  readonly alarmAfterMs: number;
  /** Local policy: usable signal for this long ends it. */
  readonly clearAfterMs: number;
}

export const RHYTHM_SOURCES = {
  challenge2015: 'PhysioNet/CinC Challenge 2015 alarm definitions, Clifford GD et al., CinC 2015;42:273–276',
  dash2009: 'Dash S et al., Ann Biomed Eng 37(9):1701–1709 (2009)',
  kSqi: 'Li Q, Mark RG, Clifford GD, Physiol Meas 29(1):15–32 (2008)',
  taskForce1996: 'Task Force of the ESC and NASPE, Circulation 93:1043–1065 (1996)',
} as const;

export const DEFAULT_RHYTHM_POLICY: RhythmPolicy = {
  asystole: { noQrsMs: 4000 },
  bradycardia: { belowBpm: 40, beats: 5 },
  tachycardia: { aboveBpm: 140, beats: 17 },
  irregular: {
    rrIntervals: 128,
    dropExtremes: 8,
    rmssdRatioAbove: 0.1,
    entropyAbove: 0.7,
    turningPointRatio: [0.54, 0.77],
    persistBeats: 8,
  },
  endAfterBeats: 5,
  quality: {
    kurtosisClean: 5,
    secondKurtosisMin: 3,
    kurtosisNoise: 3,
    windowMs: 5000,
    flatMv: 0.002,
    referenceQrsMv: 1,
    saturatedShare: 0.2,
    quietShare: 0.25,
    alarmAfterMs: 10_000,
    clearAfterMs: 5_000,
  },
  learnMs: 8000,
  heartRateBeats: 8,
  hrvWindowMs: 300_000,
};
