import type { Random } from './random.js';
import { DEFAULT_VARIABILITY, drawBaseline, drawDiastolic, type Baseline } from './vitals.js';

/**
 * Baselines seeded from the BIDMC PPG and Respiration Dataset numerics (PhysioNet bidmc 1.0.0,
 * doi:10.13026/C2208R; Pimentel et al., IEEE TBME 2017; see data/README.md): 1 Hz HR, PULSE, RESP and
 * SpO2 of adult ICU patients. The record gives each patient's level and beat-to-beat variability; the
 * dataset has no temperature or blood pressure, so those are drawn from adult ranges.
 */
export interface NumericsRecord {
  /** Record name, e.g. `bidmc_03`. */
  readonly name: string;
  readonly heartRateBpm: readonly number[];
  readonly pulseRateBpm: readonly number[];
  readonly respRatePerMin: readonly number[];
  readonly spo2Percent: readonly number[];
}

const COLUMNS = ['HR', 'PULSE', 'RESP', 'SpO2'] as const;

/**
 * Parses a `bidmc_NN_Numerics.csv` file (`Time [s], HR, PULSE, RESP, SpO2`). `NaN` cells (sensor gaps)
 * are skipped. Throws a RangeError naming the problem when the header lacks a column.
 */
export function parseNumericsCsv(name: string, text: string): NumericsRecord {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const index = COLUMNS.map((c) => header.indexOf(c));
  const missing = COLUMNS.filter((_, i) => index[i] === -1);
  if (missing.length > 0) throw new RangeError(`${name}: numerics header lacks ${missing.join(', ')}`);
  const columns: number[][] = COLUMNS.map(() => []);
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    index.forEach((col, i) => {
      const value = Number(cells[col]);
      if (Number.isFinite(value)) columns[i]?.push(value);
    });
  }
  const [hr = [], pulse = [], resp = [], spo2 = []] = columns;
  return { name, heartRateBpm: hr, pulseRateBpm: pulse, respRatePerMin: resp, spo2Percent: spo2 };
}

function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Population standard deviation: the record's spread over its 8 minutes (monitor numerics are smoothed). */
function standardDeviation(values: readonly number[]): number | undefined {
  const m = mean(values);
  if (m === undefined || values.length < 2) return undefined;
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / values.length);
}

const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));

/**
 * A baseline from a record: its mean levels (clamped to what a monitor of an adult would show) and its
 * variability; temperature and blood pressure drawn from adult ranges. A column with no valid
 * value falls back to a random draw.
 */
export function baselineFromNumerics(record: NumericsRecord, random: Random): Baseline {
  const fallback = drawBaseline(random);
  const hr = mean(record.heartRateBpm);
  const pulse = mean(record.pulseRateBpm);
  const systolicMmHg = fallback.systolicMmHg;
  return {
    heartRateBpm: clamp(hr ?? fallback.heartRateBpm, 45, 140),
    pulseOffsetBpm: hr !== undefined && pulse !== undefined ? clamp(pulse - hr, -5, 5) : fallback.pulseOffsetBpm,
    spo2Percent: clamp(mean(record.spo2Percent) ?? fallback.spo2Percent, 88, 99.5),
    respRatePerMin: clamp(mean(record.respRatePerMin) ?? fallback.respRatePerMin, 8, 30),
    temperatureCel: fallback.temperatureCel,
    systolicMmHg,
    diastolicMmHg: drawDiastolic(random, systolicMmHg),
    variability: {
      heartRateBpm: clamp(standardDeviation(record.heartRateBpm) ?? DEFAULT_VARIABILITY.heartRateBpm, 0.8, 4),
      spo2Percent: clamp(standardDeviation(record.spo2Percent) ?? DEFAULT_VARIABILITY.spo2Percent, 0.3, 1.2),
      respRatePerMin: clamp(standardDeviation(record.respRatePerMin) ?? DEFAULT_VARIABILITY.respRatePerMin, 0.4, 1.2),
    },
    source: record.name,
  };
}
