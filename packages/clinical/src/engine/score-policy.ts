import {
  PULSE_CODES,
  RESPIRATION_CODES,
  SPO2_CODES,
  SYSTOLIC_CODES,
  TEMPERATURE_CODES,
} from '../alarms/default-rules.js';
import { SUBBE_MEWS, type MewsTable } from '../scores/mews.js';

/** The vital-sign parameters stream scores read from devices (or hand-charted vitals). */
export type VitalParameter = 'respirationRate' | 'spo2' | 'systolicBP' | 'pulse' | 'temperature';

/**
 * How stream scores find their inputs. Validity windows are local policy (NEWS2.md "On a stream": a
 * spot temperature may be hours old, a monitor's pulse seconds old); the defaults below are a
 * starting point for a ward to set, not clinical thresholds.
 */
export interface ScorePolicy {
  /** MDC codes feeding each parameter; the newest valid reading of any of them counts. */
  readonly codes: Readonly<Record<VitalParameter, readonly string[]>>;
  /** How long a value stays usable. */
  readonly validityMs: Readonly<Record<VitalParameter | 'consciousness' | 'oxygen', number>>;
  /** An unchanged score is stored again this often (the time series has no long silent gaps). */
  readonly emitIntervalMs: number;
  /**
   * A changed score is stored at most this often while its band and completeness stay the same (a
   * 1 Hz monitor crossing a chart edge back and forth would otherwise store a point every second); a
   * change of band or completeness is stored at once.
   */
  readonly minEmitIntervalMs: number;
  readonly mews: MewsTable;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_SCORE_POLICY: ScorePolicy = {
  codes: {
    respirationRate: RESPIRATION_CODES,
    spo2: SPO2_CODES,
    systolicBP: SYSTOLIC_CODES,
    pulse: PULSE_CODES,
    temperature: TEMPERATURE_CODES,
  },
  validityMs: {
    respirationRate: 5 * MINUTE,
    spo2: 5 * MINUTE,
    pulse: 5 * MINUTE,
    systolicBP: HOUR,
    temperature: 6 * HOUR,
    // NEWS2 chart 4: observations at least 12-hourly; an older charted observation no longer counts.
    consciousness: 12 * HOUR,
    oxygen: 12 * HOUR,
  },
  emitIntervalMs: MINUTE,
  minEmitIntervalMs: 5_000,
  mews: SUBBE_MEWS,
};
