import { roundHalfUp } from './rounding.js';

/**
 * One row of a points table. A band starts where the previous one ends and reaches up to its own
 * bound: `upTo` includes the bound (≤), `below` excludes it (<). The first band starts at -Infinity;
 * the last reaches `upTo: Infinity`, so an ordered table covers the whole line without gaps or
 * overlaps by construction. Charts written "35.0–38.4" are `upTo: 38.4`; "<35" is `below: 35`.
 */
export type Band =
  { readonly upTo: number; readonly points: number } | { readonly below: number; readonly points: number };

/** The band's upper bound and whether the bound itself belongs to the band. */
function bound(band: Band): { at: number; inclusive: boolean } {
  return 'upTo' in band ? { at: band.upTo, inclusive: true } : { at: band.below, inclusive: false };
}

/**
 * Points of the first band that holds `value` (already rounded to the table's precision). Throws
 * RangeError for NaN, or when the table does not reach the value (a table that fails `bandProblem`).
 */
export function bandPoints(bands: readonly Band[], value: number): number {
  for (const band of bands) {
    const { at, inclusive } = bound(band);
    if (inclusive ? value <= at : value < at) return band.points;
  }
  throw new RangeError(`no band holds ${value}`);
}

/**
 * The first thing wrong with a table, or null when it is usable: at least one band; every bound on
 * the table's precision grid (`decimals` places; 38.45 in a 0.1 °C table would be ambiguous);
 * bounds strictly increasing, except `below: x` followed by `upTo: x` (the single value x), so that
 * no band is empty; the last band's bound Infinity; points non-negative integers.
 */
export function bandProblem(bands: readonly Band[], decimals: number): string | null {
  if (bands.length === 0) return 'has no bands';
  let previous: { at: number; inclusive: boolean } | null = null;
  for (const [i, band] of bands.entries()) {
    const current = bound(band);
    if (!Number.isInteger(band.points) || band.points < 0)
      return `band ${i}: points must be a non-negative integer, not ${band.points}`;
    if (Number.isNaN(current.at) || current.at === -Infinity) return `band ${i}: bound must be a number`;
    if (Number.isFinite(current.at) && roundHalfUp(current.at, decimals) !== current.at)
      return `band ${i}: bound ${current.at} is finer than the precision (${decimals} decimals)`;
    if (previous !== null) {
      const empty =
        current.at < previous.at || (current.at === previous.at && (previous.inclusive || !current.inclusive));
      if (empty)
        return `band ${i}: bound ${current.at} does not follow ${previous.at} (bands must be in ascending order)`;
    }
    if (current.at === Infinity && i !== bands.length - 1) return `band ${i}: only the last band may be open-ended`;
    previous = current;
  }
  const last = bands[bands.length - 1];
  if (last !== undefined && bound(last).at !== Infinity)
    return `the bands end at ${bound(last).at}: values above it are not covered`;
  return null;
}
