import type { Random } from './random.js';

/** One moment of a simulated patient's vital signs, unrounded, in the catalogue's canonical units. */
export interface VitalSigns {
  readonly heartRateBpm: number;
  /** Pulse rate seen by the oximeter: the heart rate with its own measurement noise. */
  readonly pulseRateBpm: number;
  readonly spo2Percent: number;
  readonly respRatePerMin: number;
  readonly temperatureCel: number;
  readonly systolicMmHg: number;
  readonly diastolicMmHg: number;
  readonly meanArterialMmHg: number;
}

/** How much a vital fluctuates around its (slowly moving) mean: stationary standard deviation. */
export interface Variability {
  readonly heartRateBpm: number;
  readonly spo2Percent: number;
  readonly respRatePerMin: number;
}

/** A patient's resting values, around which the model fluctuates. */
export interface Baseline {
  readonly heartRateBpm: number;
  /** Offset of the oximeter's pulse rate from the ECG heart rate (BIDMC: PULSE − HR). */
  readonly pulseOffsetBpm: number;
  readonly spo2Percent: number;
  readonly respRatePerMin: number;
  readonly temperatureCel: number;
  readonly systolicMmHg: number;
  readonly diastolicMmHg: number;
  readonly variability: Variability;
  /** Where the numbers come from: `random` or a BIDMC record such as `bidmc_03`. */
  readonly source: string;
}

/**
 * Resting adult ranges the random baselines are drawn from: mean, standard deviation, and a clamp that
 * keeps a "stable" patient inside NEWS2's 0-point band (RCP 2017 chart 1) for every parameter but SpO2,
 * which may sit at 95 (1 point) as many ward patients do.
 */
const ADULT_RESTING = {
  heartRateBpm: { mean: 76, sd: 9, min: 60, max: 90 },
  spo2Percent: { mean: 97, sd: 1.2, min: 95, max: 99 },
  respRatePerMin: { mean: 15, sd: 1.8, min: 13, max: 18 },
  temperatureCel: { mean: 36.8, sd: 0.25, min: 36.3, max: 37.5 },
  systolicMmHg: { mean: 122, sd: 10, min: 115, max: 150 },
} as const;

/** Default variability (fast fluctuation) where no recording supplies one. */
export const DEFAULT_VARIABILITY: Variability = { heartRateBpm: 2.5, spo2Percent: 0.7, respRatePerMin: 0.8 };

/** A plausible resting adult baseline. */
export function drawBaseline(random: Random): Baseline {
  const draw = (r: { mean: number; sd: number; min: number; max: number }): number =>
    random.normalWithin(r.mean, r.sd, r.min, r.max);
  const systolicMmHg = draw(ADULT_RESTING.systolicMmHg);
  return {
    heartRateBpm: draw(ADULT_RESTING.heartRateBpm),
    pulseOffsetBpm: random.between(-1.5, 0.5),
    spo2Percent: draw(ADULT_RESTING.spo2Percent),
    respRatePerMin: draw(ADULT_RESTING.respRatePerMin),
    temperatureCel: draw(ADULT_RESTING.temperatureCel),
    systolicMmHg,
    diastolicMmHg: drawDiastolic(random, systolicMmHg),
    variability: DEFAULT_VARIABILITY,
    source: 'random',
  };
}

/** Diastolic pressure for a systolic one: a pulse pressure of 35–55 mmHg, kept within 60–95 mmHg. */
export function drawDiastolic(random: Random, systolicMmHg: number): number {
  return Math.min(95, Math.max(60, systolicMmHg - random.between(35, 55)));
}

/** Mean arterial pressure, the usual estimate: diastolic + (systolic − diastolic) / 3. */
export function meanArterialMmHg(systolicMmHg: number, diastolicMmHg: number): number {
  return diastolicMmHg + (systolicMmHg - diastolicMmHg) / 3;
}
