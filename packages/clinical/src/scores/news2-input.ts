import type { Consciousness } from '../charted.js';
import type { News2Input } from './news2.js';

/** A rejected NEWS2 input: the field at fault (null when the value is not an object at all). */
export interface News2InputError {
  readonly ok: false;
  readonly field: string | null;
  readonly message: string;
}

/** What a field must hold, in words for the error message, and the test. */
interface FieldSpec {
  readonly expected: string;
  readonly accepts: (value: unknown) => boolean;
}

/** A finite number from `min` to `max` inclusive. */
function numberIn(what: string, min: number, max: number): FieldSpec {
  return {
    expected: `${what} from ${min} to ${max}`,
    accepts: (v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max,
  };
}

const CONSCIOUSNESS: readonly unknown[] = ['A', 'C', 'V', 'P', 'U'] satisfies Consciousness[];

/**
 * Every field of a NEWS2 input, in the order they are checked, with its plausible range: wide enough
 * for any real patient, narrow enough to catch a unit mix-up (°F for °C, kPa for mmHg) or a device's
 * sentinel value.
 */
const FIELDS: Readonly<Record<keyof News2Input, FieldSpec>> = {
  respirationRate: numberIn('breaths per minute', 0, 100),
  spo2: numberIn('SpO2 in %', 0, 100),
  spo2Scale: { expected: 'SpO2 scale 1 or 2', accepts: (v) => v === 1 || v === 2 },
  onOxygen: { expected: 'true (on oxygen) or false (on air)', accepts: (v) => typeof v === 'boolean' },
  systolicBP: numberIn('systolic BP in mmHg', 0, 300),
  pulse: numberIn('pulse per minute', 0, 300),
  consciousness: { expected: 'ACVPU "A", "C", "V", "P" or "U"', accepts: (v) => CONSCIOUSNESS.includes(v) },
  temperatureC: numberIn('temperature in °C', 25, 45),
};

/**
 * Validates one NEWS2 input as it arrives from outside (a parsed JSON object): exactly the fields of
 * `News2Input`, each required, of its type, finite and physiologically plausible; numbers need not be
 * whole (`scoreNews2` rounds them). Unknown fields are reported first (a misspelt name would otherwise
 * surface as a missing field), then the fields in the order of `News2Input`, so the same input always
 * gets the same error.
 */
export function parseNews2Input(value: unknown): { ok: true; input: News2Input } | News2InputError {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, field: null, message: `expected a JSON object of observations, got ${describe(value)}` };
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).find((key) => !Object.hasOwn(FIELDS, key));
  if (unknown !== undefined)
    return { ok: false, field: unknown, message: `unknown field; expected only ${Object.keys(FIELDS).join(', ')}` };
  for (const [field, spec] of Object.entries(FIELDS)) {
    if (!Object.hasOwn(record, field)) return { ok: false, field, message: `missing; expected ${spec.expected}` };
    const v = record[field];
    if (!spec.accepts(v)) return { ok: false, field, message: `expected ${spec.expected}, got ${describe(v)}` };
  }
  // Every field is now present, of its type and nothing else is there.
  return { ok: true, input: record as unknown as News2Input };
}

/** A short account of a value for an error message. */
function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 37))}...` : JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}
