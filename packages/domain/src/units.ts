/**
 * UCUM unit handling: which units a device may send for a canonical unit, and the exact conversion.
 * Conversion factors are definitions: 1 mm[Hg] = 133.322387415 Pa (UCUM), 1 [lb_av] = 0.45359237 kg,
 * 1 [in_i] = 2.54 cm, Cel = K − 273.15, Cel = ([degF] − 32) × 5/9.
 */
export type UnitConversion = (value: number) => number;

const identity: UnitConversion = (v) => v;
const PASCAL_PER_MMHG = 133.322387415;

/** canonical unit → (device unit → conversion to canonical). */
const CONVERSIONS: Readonly<Record<string, Readonly<Record<string, UnitConversion>>>> = {
  '/min': { '/min': identity, '1/min': identity, '/s': (v) => v * 60 },
  '%': { '%': identity, '1': (v) => v * 100 },
  Cel: { Cel: identity, '[degF]': (v) => ((v - 32) * 5) / 9, K: (v) => v - 273.15 },
  'mm[Hg]': { 'mm[Hg]': identity, kPa: (v) => (v * 1000) / PASCAL_PER_MMHG, Pa: (v) => v / PASCAL_PER_MMHG },
  kg: { kg: identity, g: (v) => v / 1000, '[lb_av]': (v) => v * 0.45359237 },
  cm: { cm: identity, m: (v) => v * 100, mm: (v) => v / 10, '[in_i]': (v) => v * 2.54 },
  'kg/m2': { 'kg/m2': identity },
  mV: { mV: identity, uV: (v) => v / 1000, V: (v) => v * 1000 },
  '1': { '1': identity },
};

/**
 * UCUM allows curly-brace annotations that do not change the unit (`{beats}/min` is `/min`).
 * They are stripped before lookup.
 */
function stripAnnotations(unit: string): string {
  const stripped = unit.replace(/\{[^{}]*\}/g, '');
  return stripped === '' ? '1' : stripped;
}

/** The conversion from `deviceUnit` to `canonicalUnit`, or undefined when there is none. */
export function unitConversion(canonicalUnit: string, deviceUnit: string): UnitConversion | undefined {
  const table = CONVERSIONS[canonicalUnit];
  if (table === undefined) return undefined;
  return table[deviceUnit] ?? table[stripAnnotations(deviceUnit)];
}

/** The device units accepted for a canonical unit (for error messages and documentation). */
export function acceptedUnits(canonicalUnit: string): string[] {
  return Object.keys(CONVERSIONS[canonicalUnit] ?? {});
}
