/**
 * Rounds half up (half away from zero) to `decimals` places, as the charts ask ("inputs are rounded
 * to the chart's precision before scoring, half up": NEWS2 (RCP 2017) chart 1 notes).
 *
 * Works on the shortest decimal text of the number (what `String(value)` prints), not on its binary
 * value, so 36.05 → 36.1 and 1.005 → 1.01 although neither is exactly representable in binary and
 * `Math.round(1.005 * 100) / 100` gives 1. Negative values round away from zero (-2.5 → -3).
 * NaN and ±Infinity are returned unchanged. Throws RangeError when `decimals` is not an integer.
 */
export function roundHalfUp(value: number, decimals: number): number {
  if (!Number.isInteger(decimals)) throw new RangeError(`decimals must be an integer, not ${decimals}`);
  if (!Number.isFinite(value)) return value;
  if (decimals >= 0 && Number.isInteger(value)) return value; // the common case: nothing to round
  const magnitude = Math.abs(value);
  const rounded = shiftDecimal(Math.round(shiftDecimal(magnitude, decimals)), -decimals);
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

/**
 * `value × 10^places`, computed by moving the decimal exponent of its text so that the result is the
 * double nearest the exact decimal product (100.5 for 1.005 and 2, where 1.005 * 100 gives 100.49999999999999).
 */
function shiftDecimal(value: number, places: number): number {
  const [mantissa = '0', exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + places}`);
}
