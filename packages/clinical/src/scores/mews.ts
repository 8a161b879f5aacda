import type { Consciousness } from '../charted.js';
import { bandPoints, bandProblem, type Band } from './band.js';
import { roundHalfUp } from './rounding.js';

/** The measured parameters of a MEWS table, named after the input they score. */
export type MewsParameter = 'systolicBP' | 'heartRate' | 'respirationRate' | 'temperatureC';

const MEWS_PARAMETERS: readonly MewsParameter[] = ['systolicBP', 'heartRate', 'respirationRate', 'temperatureC'];

/**
 * A Modified Early Warning Score as configuration: hospitals use variants of Subbe's table, so the
 * bands are data a deployment may replace (`parseMewsTable`). Every table cites its source.
 */
export interface MewsTable {
  readonly name: string;
  readonly source: string;
  /** Points per parameter; see `Band` for strict (`below`) and inclusive (`upTo`) bounds. */
  readonly parameters: Readonly<Record<MewsParameter, readonly Band[]>>;
  /** Points per level of consciousness; a level the table lacks cannot be scored (never guessed). */
  readonly consciousness: Readonly<Partial<Record<Consciousness, number>>>;
  /** Decimal places each parameter is rounded to (half up) before lookup. */
  readonly precision: Readonly<Record<MewsParameter, number>>;
}

export interface MewsInput {
  /** mmHg. */
  readonly systolicBP: number;
  /** Beats per minute. */
  readonly heartRate: number;
  /** Breaths per minute. */
  readonly respirationRate: number;
  readonly temperatureC: number;
  readonly consciousness: Consciousness;
}

export interface MewsResult {
  /** Keys systolicBP, heartRate, respirationRate, temperature, consciousness; null when not scored. */
  readonly subscores: Readonly<Record<string, number | null>>;
  /** The sum over the parameters scored. */
  readonly value: number;
  readonly complete: boolean;
  /** Parameters not scored: absent from the input, or a consciousness level the table lacks. */
  readonly missing: string[];
}

/** Whole numbers for pressure and rates, 0.1 °C for temperature. */
export const DEFAULT_MEWS_PRECISION: Readonly<Record<MewsParameter, number>> = {
  systolicBP: 0,
  heartRate: 0,
  respirationRate: 0,
  temperatureC: 1,
};

/**
 * [MEWS (Subbe et al., QJM 2001) table 1] Subbe CP, Kruger M, Rutherford P, Gemmel L. Validation of a
 * modified Early Warning Score in medical admissions. QJM 2001;94(10):521–526. AVPU only: new confusion
 * (C of ACVPU) is not in the table, so it leaves consciousness unscored. A score ≥ 5 was associated
 * with death and ICU admission.
 */
export const SUBBE_MEWS: MewsTable = {
  name: 'MEWS (Subbe 2001)',
  source: 'Subbe CP, Kruger M, Rutherford P, Gemmel L. QJM 2001;94(10):521–526',
  parameters: {
    systolicBP: [
      { upTo: 70, points: 3 },
      { upTo: 80, points: 2 },
      { upTo: 100, points: 1 },
      { upTo: 199, points: 0 },
      { upTo: Infinity, points: 2 },
    ],
    heartRate: [
      { upTo: 40, points: 2 },
      { upTo: 50, points: 1 },
      { upTo: 100, points: 0 },
      { upTo: 110, points: 1 },
      { upTo: 129, points: 2 },
      { upTo: Infinity, points: 3 },
    ],
    respirationRate: [
      { below: 9, points: 2 },
      { upTo: 14, points: 0 },
      { upTo: 20, points: 1 },
      { upTo: 29, points: 2 },
      { upTo: Infinity, points: 3 },
    ],
    temperatureC: [
      { below: 35, points: 2 },
      { upTo: 38.4, points: 0 },
      { upTo: Infinity, points: 2 },
    ],
  },
  consciousness: { A: 0, V: 1, P: 2, U: 3 },
  precision: DEFAULT_MEWS_PRECISION,
};

/**
 * Scores what is present by `table`, after rounding each measured input half up to the table's
 * precision. Throws RangeError for a non-finite number.
 */
export function scoreMews(input: Partial<MewsInput>, table: MewsTable = SUBBE_MEWS): MewsResult {
  const measured = (name: MewsParameter): number | null => {
    const value = input[name];
    if (value === undefined) return null;
    if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, not ${value}`);
    return bandPoints(table.parameters[name], roundHalfUp(value, table.precision[name]));
  };
  const subscores: Record<string, number | null> = {
    systolicBP: measured('systolicBP'),
    heartRate: measured('heartRate'),
    respirationRate: measured('respirationRate'),
    temperature: measured('temperatureC'),
    consciousness: input.consciousness === undefined ? null : (table.consciousness[input.consciousness] ?? null),
  };
  const entries = Object.entries(subscores);
  return {
    subscores,
    value: entries.reduce((sum, [, points]) => sum + (points ?? 0), 0),
    complete: entries.every(([, points]) => points !== null),
    missing: entries.filter(([, points]) => points === null).map(([name]) => name),
  };
}

/**
 * Validates a user-supplied MEWS table (parsed JSON). Shape:
 * `{ name, source, parameters: { systolicBP, heartRate, respirationRate, temperatureC }, consciousness,
 * precision? }`; each parameter an ascending list of `{ "upTo": n, "points": p }` or
 * `{ "below": n, "points": p }`, the last band with no bound ("and above"); `consciousness` maps
 * some of A, C, V, P, U to points; `precision` (decimal places) defaults to `DEFAULT_MEWS_PRECISION`.
 * Throws RangeError naming the first problem (unknown keys included: a misspelt key is an error,
 * not a default).
 */
export function parseMewsTable(json: unknown): MewsTable {
  const table = object(json, 'the table', ['name', 'source', 'parameters', 'consciousness', 'precision']);
  const name = nonEmptyString(table.name, 'name');
  const source = nonEmptyString(table.source, 'source');
  const precision = { ...DEFAULT_MEWS_PRECISION };
  if (table.precision !== undefined) {
    const given = object(table.precision, 'precision', MEWS_PARAMETERS);
    for (const [key, value] of Object.entries(given)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 6)
        throw new RangeError(`MEWS table: precision.${key} must be a whole number of decimal places from 0 to 6`);
      precision[key as MewsParameter] = value;
    }
  }
  const given = object(table.parameters, 'parameters', MEWS_PARAMETERS);
  const parameters = Object.fromEntries(
    MEWS_PARAMETERS.map((p) => [p, bands(given[p], `parameters.${p}`, precision[p])]),
  ) as Record<MewsParameter, readonly Band[]>;
  const consciousness: Partial<Record<Consciousness, number>> = {};
  for (const [level, points] of Object.entries(
    object(table.consciousness, 'consciousness', ['A', 'C', 'V', 'P', 'U']),
  )) {
    if (!isPoints(points)) throw new RangeError(`MEWS table: consciousness.${level} must be a non-negative integer`);
    consciousness[level as Consciousness] = points;
  }
  return { name, source, parameters, consciousness, precision };
}

function bands(json: unknown, path: string, decimals: number): readonly Band[] {
  if (!Array.isArray(json)) throw new RangeError(`MEWS table: ${path} must be a list of bands`);
  const list = json.map((item: unknown, i): Band => {
    const band = object(item, `${path}[${i}]`, ['upTo', 'below', 'points']);
    if (!isPoints(band.points)) throw new RangeError(`MEWS table: ${path}[${i}].points must be a non-negative integer`);
    const last = i === json.length - 1;
    if (band.upTo !== undefined && band.below !== undefined)
      throw new RangeError(`MEWS table: ${path}[${i}] has both upTo and below`);
    const at = band.upTo ?? band.below;
    if (at === undefined) {
      if (!last) throw new RangeError(`MEWS table: ${path}[${i}] has no bound; only the last band is open-ended`);
      return { upTo: Infinity, points: band.points };
    }
    if (typeof at !== 'number' || !Number.isFinite(at))
      throw new RangeError(`MEWS table: ${path}[${i}] bound must be a finite number`);
    return band.upTo !== undefined ? { upTo: at, points: band.points } : { below: at, points: band.points };
  });
  const problem = bandProblem(list, decimals);
  if (problem !== null) throw new RangeError(`MEWS table: ${path}: ${problem}`);
  return list;
}

function object(json: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new RangeError(`MEWS table: ${path} must be an object`);
  const unknown = Object.keys(json).find((k) => !keys.includes(k));
  if (unknown !== undefined) throw new RangeError(`MEWS table: ${path} has an unknown key "${unknown}"`);
  return json as Record<string, unknown>;
}

function nonEmptyString(json: unknown, path: string): string {
  if (typeof json !== 'string' || json.trim() === '')
    throw new RangeError(`MEWS table: ${path} must be a non-empty string`);
  return json;
}

function isPoints(json: unknown): json is number {
  return typeof json === 'number' && Number.isInteger(json) && json >= 0;
}
