import { WfdbError } from './header.js';

/**
 * WFDB annotation files in MIT format (annot(5)): a stream of 16-bit little-endian words, each
 * with a 6-bit code and a 10-bit time difference; SKIP carries a 32-bit interval, AUX a string,
 * NUM/SUB/CHN set fields of the annotations that follow. A zero word ends the file.
 */

export interface WfdbAnnotation {
  readonly sample: number;
  readonly symbol: string;
  readonly code: number;
  readonly subtype: number;
  readonly chan: number;
  readonly num: number;
  readonly aux: string;
}

/** Annotation symbols by code (WFDB ecgcodes.h). */
const SYMBOLS: Record<number, string> = {
  1: 'N',
  2: 'L',
  3: 'R',
  4: 'a',
  5: 'V',
  6: 'F',
  7: 'J',
  8: 'A',
  9: 'S',
  10: 'E',
  11: 'j',
  12: '/',
  13: 'Q',
  14: '~',
  16: '|',
  18: 's',
  19: 'T',
  20: '*',
  21: 'D',
  22: '"',
  23: '=',
  24: 'p',
  25: 'B',
  26: '^',
  27: 't',
  28: '+',
  29: 'u',
  30: '?',
  31: '!',
  32: '[',
  33: ']',
  34: 'e',
  35: 'n',
  36: '@',
  37: 'x',
  38: 'f',
  39: '(',
  40: ')',
  41: 'r',
};

/** Codes WFDB counts as beats (isqrs): what EC57 beat-by-beat comparison matches against. */
const BEAT_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 25, 34, 35, 38, 41]);

const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

export function isBeatAnnotation(a: Pick<WfdbAnnotation, 'code'>): boolean {
  return BEAT_CODES.has(a.code);
}

export function parseAnnotations(bytes: Uint8Array): WfdbAnnotation[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: WfdbAnnotation[] = [];
  let at = 0;
  let time = 0;
  let num = 0;
  let chan = 0;
  let pending: { sample: number; code: number; subtype: number; chan: number; num: number; aux: string } | null = null;
  const emit = (): void => {
    if (pending !== null) out.push({ ...pending, symbol: SYMBOLS[pending.code] ?? `#${pending.code}` });
    pending = null;
  };
  while (at + 2 <= bytes.length) {
    const word = view.getUint16(at, true);
    at += 2;
    const code = word >> 10;
    const value = word & 0x3ff;
    if (code === 0 && value === 0) break;
    if (code === SKIP) {
      if (at + 4 > bytes.length) throw new WfdbError(`annotation file ends inside a SKIP at byte ${at}`);
      const high = view.getInt16(at, true);
      const low = view.getUint16(at + 2, true);
      time += high * 0x10000 + low;
      at += 4;
    } else if (code === NUM) {
      num = value > 511 ? value - 1024 : value;
      if (pending !== null) pending.num = num;
    } else if (code === SUB) {
      if (pending !== null) pending.subtype = value > 511 ? value - 1024 : value;
    } else if (code === CHN) {
      chan = value;
      if (pending !== null) pending.chan = chan;
    } else if (code === AUX) {
      const text = new TextDecoder('latin1').decode(bytes.subarray(at, at + value)).replace(/\0+$/, '');
      if (pending !== null) pending.aux = text;
      at += value + (value & 1);
    } else {
      emit();
      time += value;
      pending = { sample: time, code, subtype: 0, chan, num, aux: '' };
    }
  }
  emit();
  return out;
}
