import { deteriorationProgress, SEPSIS_SHIFT, type Deterioration } from './deterioration.js';
import { ouStep } from './ornstein-uhlenbeck.js';
import type { Random } from './random.js';
import { meanArterialMmHg, type Baseline, type VitalSigns } from './vitals.js';

/**
 * Time constants and sizes of the model's fluctuations. Fast terms are mean-reverting noise around the
 * current mean (seconds to minutes); slow terms are a second, much slower Ornstein–Uhlenbeck process on
 * the mean itself (tens of minutes), which gives the drifts seen in monitor trends.
 */
const DYNAMICS = {
  heartRate: { tauMs: 20_000 },
  pulseNoise: { tauMs: 5_000, sd: 0.8 },
  spo2: { tauMs: 15_000 },
  respRate: { tauMs: 45_000 },
  temperature: { tauMs: 300_000, sd: 0.05 },
  systolic: { tauMs: 120_000, sd: 3.5 },
  diastolic: { tauMs: 120_000, sd: 2.5 },
  slow: { tauMs: 1_200_000, heartRateBpm: 2.5, respRatePerMin: 0.5, systolicMmHg: 4, temperatureCel: 0.12 },
  /**
   * Respiratory sinus arrhythmia: heart rate rises on inspiration and falls on expiration, in phase
   * with breathing (Hirsch & Bishop, Am J Physiol 241:H620, 1981). Beat to beat it is several bpm; the
   * monitor's averaged 1 Hz number keeps little of it (BIDMC numerics: lag-1 autocorrelation of HR 0.8–0.99).
   */
  rsaAmplitudeBpm: 0.8,
} as const;

interface State {
  at: number;
  heartRate: number;
  pulseNoise: number;
  spo2: number;
  respRate: number;
  temperature: number;
  systolic: number;
  /** The diastolic pressure's own term; it also follows 0.4 of the systolic one (a shared cardiac-output term). */
  diastolic: number;
  slowHeartRate: number;
  slowRespRate: number;
  slowSystolic: number;
  slowTemperature: number;
  /** Phase of the breathing cycle, radians. */
  respPhase: number;
}

/**
 * The vital signs of one simulated patient over time: baseline + slow trend + deterioration drift +
 * mean-reverting noise, with the heart rate coupled to breathing. Deterministic for a given `random`
 * and sequence of sample times; time comes only from the caller.
 */
export class PatientModel {
  private readonly state: State;

  constructor(
    readonly baseline: Baseline,
    private readonly random: Random,
    startAt: number,
    readonly deterioration?: Deterioration,
  ) {
    const n = (): number => random.normal();
    const v = baseline.variability;
    const s = DYNAMICS.slow;
    this.state = {
      at: startAt,
      heartRate: v.heartRateBpm * n(),
      pulseNoise: DYNAMICS.pulseNoise.sd * n(),
      spo2: v.spo2Percent * n(),
      respRate: v.respRatePerMin * n(),
      temperature: DYNAMICS.temperature.sd * n(),
      systolic: DYNAMICS.systolic.sd * n(),
      diastolic: DYNAMICS.diastolic.sd * n(),
      slowHeartRate: s.heartRateBpm * n(),
      slowRespRate: s.respRatePerMin * n(),
      slowSystolic: s.systolicMmHg * n(),
      slowTemperature: s.temperatureCel * n(),
      respPhase: random.between(0, 2 * Math.PI),
    };
  }

  /**
   * Advances the model to `at` (epoch ms, event time) and returns the vitals there. Times must not go
   * backwards (RangeError); a repeated time returns the same values.
   */
  sample(at: number): VitalSigns {
    const st = this.state;
    if (at < st.at) throw new RangeError(`PatientModel.sample: time went backwards (${at} < ${st.at})`);
    const dtMs = at - st.at;
    if (dtMs > 0) this.advance(dtMs);
    st.at = at;
    return this.current();
  }

  private advance(dtMs: number): void {
    const st = this.state;
    const b = this.baseline;
    const p = deteriorationProgress(this.deterioration, st.at + dtMs);
    const variability = 1 + SEPSIS_SHIFT.variabilityFactor * p;
    const step = (x: number, sd: number, tauMs: number): number => ouStep(x, 0, sd, tauMs, dtMs, this.random.normal());
    const s = DYNAMICS.slow;
    st.slowHeartRate = step(st.slowHeartRate, s.heartRateBpm, s.tauMs);
    st.slowRespRate = step(st.slowRespRate, s.respRatePerMin, s.tauMs);
    st.slowSystolic = step(st.slowSystolic, s.systolicMmHg, s.tauMs);
    st.slowTemperature = step(st.slowTemperature, s.temperatureCel, s.tauMs);
    st.heartRate = step(st.heartRate, b.variability.heartRateBpm * variability, DYNAMICS.heartRate.tauMs);
    st.pulseNoise = step(st.pulseNoise, DYNAMICS.pulseNoise.sd, DYNAMICS.pulseNoise.tauMs);
    st.spo2 = step(st.spo2, b.variability.spo2Percent * (1 + 0.5 * p), DYNAMICS.spo2.tauMs);
    st.respRate = step(st.respRate, b.variability.respRatePerMin, DYNAMICS.respRate.tauMs);
    st.temperature = step(st.temperature, DYNAMICS.temperature.sd, DYNAMICS.temperature.tauMs);
    st.systolic = step(st.systolic, DYNAMICS.systolic.sd, DYNAMICS.systolic.tauMs);
    st.diastolic = step(st.diastolic, DYNAMICS.diastolic.sd, DYNAMICS.diastolic.tauMs);
    const respRatePerMin = this.respRateMean(p) + st.respRate;
    st.respPhase = (st.respPhase + (2 * Math.PI * Math.max(respRatePerMin, 4) * dtMs) / 60_000) % (2 * Math.PI);
  }

  private respRateMean(p: number): number {
    return this.baseline.respRatePerMin + SEPSIS_SHIFT.respRatePerMin * p + this.state.slowRespRate;
  }

  private current(): VitalSigns {
    const st = this.state;
    const b = this.baseline;
    const p = deteriorationProgress(this.deterioration, st.at);
    const rsa = DYNAMICS.rsaAmplitudeBpm * (1 + SEPSIS_SHIFT.variabilityFactor * p) * Math.sin(st.respPhase);
    const heartRateBpm = clamp(
      b.heartRateBpm + SEPSIS_SHIFT.heartRateBpm * p + st.slowHeartRate + st.heartRate + rsa,
      30,
      220,
    );
    const systolicMmHg = clamp(b.systolicMmHg + SEPSIS_SHIFT.systolicMmHg * p + st.slowSystolic + st.systolic, 60, 240);
    const diastolicMmHg = clamp(
      b.diastolicMmHg + SEPSIS_SHIFT.diastolicMmHg * p + 0.5 * st.slowSystolic + 0.4 * st.systolic + st.diastolic,
      30,
      systolicMmHg - 15,
    );
    return {
      heartRateBpm,
      pulseRateBpm: clamp(heartRateBpm + b.pulseOffsetBpm + st.pulseNoise, 30, 220),
      spo2Percent: clamp(b.spo2Percent + SEPSIS_SHIFT.spo2Percent * p + st.spo2, 70, 100),
      respRatePerMin: clamp(this.respRateMean(p) + st.respRate, 4, 50),
      temperatureCel: clamp(
        b.temperatureCel + SEPSIS_SHIFT.temperatureCel * p + st.slowTemperature + st.temperature,
        34,
        42,
      ),
      systolicMmHg,
      diastolicMmHg,
      meanArterialMmHg: meanArterialMmHg(systolicMmHg, diastolicMmHg),
    };
  }
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}
