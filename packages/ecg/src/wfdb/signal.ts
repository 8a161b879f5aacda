import type { WfdbSignalSpec } from './header.js';
import { WfdbError } from './header.js';

/**
 * Decoding of WFDB signal files (signal(5)): samples of the signals sharing a file are interleaved
 * frame by frame. Format 16: 16-bit two's complement, little-endian. Format 212: pairs of 12-bit
 * two's complement samples packed in three bytes (low byte of the first, then the high nibbles
 * of the second and the first, then the low byte of the second).
 */

/** Decodes `nsig` interleaved signals of one file into one Int16Array per signal (ADC units). */
export function decodeSignals(bytes: Uint8Array, format: number, nsig: number, maxFrames: number | null): Int16Array[] {
  if (format === 16) return decode16(bytes, nsig, maxFrames);
  if (format === 212) return decode212(bytes, nsig, maxFrames);
  throw new WfdbError(`signal format ${format} is not supported (16 and 212 are)`);
}

function decode16(bytes: Uint8Array, nsig: number, maxFrames: number | null): Int16Array[] {
  const available = Math.floor(bytes.length / (2 * nsig));
  const frames = maxFrames === null ? available : Math.min(maxFrames, available);
  const out = Array.from({ length: nsig }, () => new Int16Array(frames));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < nsig; s++) {
      out[s]![f] = view.getInt16(at, true);
      at += 2;
    }
  }
  return out;
}

function decode212(bytes: Uint8Array, nsig: number, maxFrames: number | null): Int16Array[] {
  const totalSamples = Math.floor((bytes.length * 2) / 3);
  const available = Math.floor(totalSamples / nsig);
  const frames = maxFrames === null ? available : Math.min(maxFrames, available);
  const out = Array.from({ length: nsig }, () => new Int16Array(frames));
  const wanted = frames * nsig;
  let at = 0;
  for (let i = 0; i < wanted; i += 2) {
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    const b2 = bytes[at + 2] ?? 0;
    at += 3;
    let first = ((b1 & 0x0f) << 8) | b0;
    if (first > 2047) first -= 4096;
    put(out, i, nsig, first);
    if (i + 1 < wanted) {
      let second = ((b1 & 0xf0) << 4) | b2;
      if (second > 2047) second -= 4096;
      put(out, i + 1, nsig, second);
    }
  }
  return out;
}

function put(out: Int16Array[], index: number, nsig: number, value: number): void {
  out[index % nsig]![Math.floor(index / nsig)] = value;
}

/** WFDB's header checksum: the sum of every sample, as a 16-bit two's complement number. */
export function wfdbChecksum(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum = (sum + samples[i]!) | 0;
  const low = sum & 0xffff;
  return low > 0x7fff ? low - 0x10000 : low;
}

/** Converts ADC units to physical units: (adc − baseline) / gain. */
export function toPhysical(adc: Int16Array, spec: Pick<WfdbSignalSpec, 'gain' | 'baseline'>): Float64Array {
  const out = new Float64Array(adc.length);
  for (let i = 0; i < adc.length; i++) out[i] = (adc[i]! - spec.baseline) / spec.gain;
  return out;
}
