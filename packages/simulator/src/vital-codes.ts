import type { VitalSigns } from './vitals.js';

/** How a device names its parameters: IEEE 11073 reference ids, or the catalogue's friendly aliases. */
export type CodeStyle = 'mdc' | 'alias';

/** A unit other than the canonical one that a device may send (DESIGN 3.1: °F→Cel, kPa→mm[Hg], fraction→%). */
export interface UnitVariant {
  readonly unit: string;
  readonly fromCanonical: (value: number) => number;
  readonly decimals: number;
}

/** How the simulator reports one vital: its catalogue code and alias, canonical UCUM unit and precision. */
export interface VitalCode {
  readonly vital: keyof VitalSigns;
  /** Canonical code (MDC reference id) as the store holds it. */
  readonly code: string;
  /** A catalogue alias of the same code. */
  readonly alias: string;
  /** Canonical UCUM unit. */
  readonly unit: string;
  /** Decimal places a monitor shows. */
  readonly decimals: number;
  readonly variant?: UnitVariant;
}

const MMHG_PER_KPA = 1000 / 133.322387415;

/** Numerics a bedside monitor sends with every message (1 Hz class). */
export const CONTINUOUS_CODES: readonly VitalCode[] = [
  {
    vital: 'heartRateBpm',
    code: 'MDC_ECG_HEART_RATE',
    alias: 'heart_rate',
    unit: '/min',
    decimals: 0,
    // A UCUM annotation: the same unit, which the catalogue must strip.
    variant: { unit: '{beats}/min', fromCanonical: (v) => v, decimals: 0 },
  },
  { vital: 'pulseRateBpm', code: 'MDC_PULS_OXIM_PULS_RATE', alias: 'pulse_rate', unit: '/min', decimals: 0 },
  {
    vital: 'spo2Percent',
    code: 'MDC_PULS_OXIM_SAT_O2',
    alias: 'spo2',
    unit: '%',
    decimals: 0,
    variant: { unit: '1', fromCanonical: (v) => v / 100, decimals: 2 },
  },
  { vital: 'respRatePerMin', code: 'MDC_RESP_RATE', alias: 'resp_rate', unit: '/min', decimals: 0 },
];

/** Body temperature, sent every few minutes. */
export const TEMPERATURE_CODE: VitalCode = {
  vital: 'temperatureCel',
  code: 'MDC_TEMP_BODY',
  alias: 'temp',
  unit: 'Cel',
  decimals: 1,
  variant: { unit: '[degF]', fromCanonical: (v) => (v * 9) / 5 + 32, decimals: 1 },
};

const kPa: UnitVariant = { unit: 'kPa', fromCanonical: (v) => v / MMHG_PER_KPA, decimals: 2 };

/** A non-invasive blood pressure measurement: sent when the cuff has measured. */
export const NIBP_CODES: readonly VitalCode[] = [
  {
    vital: 'systolicMmHg',
    code: 'MDC_PRESS_BLD_NONINV_SYS',
    alias: 'nibp_sys',
    unit: 'mm[Hg]',
    decimals: 0,
    variant: kPa,
  },
  {
    vital: 'diastolicMmHg',
    code: 'MDC_PRESS_BLD_NONINV_DIA',
    alias: 'nibp_dia',
    unit: 'mm[Hg]',
    decimals: 0,
    variant: kPa,
  },
  {
    vital: 'meanArterialMmHg',
    code: 'MDC_PRESS_BLD_NONINV_MEAN',
    alias: 'nibp_mean',
    unit: 'mm[Hg]',
    decimals: 0,
    variant: kPa,
  },
];

/** Every code the simulator sends valid readings under. */
export const ALL_VITAL_CODES: readonly VitalCode[] = [...CONTINUOUS_CODES, TEMPERATURE_CODE, ...NIBP_CODES];

/** Rounds to `decimals` places, half up, as a monitor display does. */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
