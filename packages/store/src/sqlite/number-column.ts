import { ByteReader, ByteWriter, unzigzag, zigzag } from './byte-buffer.js';

/**
 * Exact, compact encoding of a column of float64 numbers (timestamps, values, seqs, flags).
 * Whatever the input, decoding gives back the same float64 bits — the store never alters a value.
 *
 * - constant: every value is the same (one float64).
 * - scaled: every value v equals s / 10^k for an integer s (k = 0..3), checked value by value with
 *   the very division the decoder performs; stored as zigzag varint deltas of s. Epoch
 *   milliseconds, seqs, flags and most vital signs (72, 36.6, 98.25) take one or two bytes each.
 * - raw: float64 each, for anything else (-0, NaN, values with more decimals).
 */

const CONSTANT = 0;
const SCALED = 1;
const RAW = 2;

const POW10 = [1, 10, 100, 1000] as const;
/** Bound on |s| so that deltas (≤ 2^51) and their zigzag form (≤ 2^52) stay exact integers. */
const MAX_SCALED = 2 ** 50;

/** Writes `values[from..to)`. */
export function writeNumberColumn(w: ByteWriter, values: ArrayLike<number>, from: number, to: number): void {
  if (to - from === 0 || isConstant(values, from, to)) {
    w.u8(CONSTANT);
    w.f64(to > from ? (values[from] as number) : 0);
    return;
  }
  for (let k = 0; k < POW10.length; k++) {
    const p = POW10[k] as number;
    if (!fitsScaled(values, from, to, p)) continue;
    w.u8(SCALED);
    w.u8(k);
    let previous = 0;
    for (let i = from; i < to; i++) {
      const s = Math.round((values[i] as number) * p);
      w.varint(zigzag(s - previous));
      previous = s;
    }
    return;
  }
  w.u8(RAW);
  for (let i = from; i < to; i++) w.f64(values[i] as number);
}

/** Reads a column of `count` numbers written by `writeNumberColumn`. */
export function readNumberColumn(r: ByteReader, count: number): Float64Array {
  const out = new Float64Array(count);
  const kind = r.u8();
  if (kind === CONSTANT) {
    out.fill(r.f64());
  } else if (kind === SCALED) {
    const p = POW10[r.u8()];
    if (p === undefined) throw new RangeError('bad decimal scale');
    let s = 0;
    for (let i = 0; i < count; i++) {
      s += unzigzag(r.varint());
      out[i] = s / p;
    }
  } else if (kind === RAW) {
    for (let i = 0; i < count; i++) out[i] = r.f64();
  } else {
    throw new RangeError(`unknown column kind ${kind}`);
  }
  return out;
}

function isConstant(values: ArrayLike<number>, from: number, to: number): boolean {
  const first = values[from] as number;
  for (let i = from + 1; i < to; i++) if (!Object.is(values[i], first)) return false;
  return true;
}

function fitsScaled(values: ArrayLike<number>, from: number, to: number, p: number): boolean {
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    const s = Math.round(v * p);
    if (!(Math.abs(s) <= MAX_SCALED) || s / p !== v || Object.is(v, -0)) return false;
  }
  return true;
}

/** Convenience for tests and single columns: encodes `values` into a standalone blob. */
export function encodeNumbers(values: ArrayLike<number>): Uint8Array {
  const w = new ByteWriter(16 + values.length * 2);
  w.varint(values.length);
  writeNumberColumn(w, values, 0, values.length);
  return w.finish();
}

export function decodeNumbers(bytes: Uint8Array): Float64Array {
  const r = new ByteReader(bytes);
  return readNumberColumn(r, r.varint());
}
