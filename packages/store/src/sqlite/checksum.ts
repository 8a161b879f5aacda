import { crc32 } from 'node:zlib';
import { WardstreamError } from '@wardstream/domain';
import type { ByteWriter } from './byte-buffer.js';

/**
 * CRC-32 trailers on every blob the store writes (chunks, seq sets, waveform samples), so a flipped
 * or torn byte is detected and reported, never served as a valid reading (RELIABILITY promise 3).
 */

/** Appends the CRC-32 of everything written so far and returns the finished bytes. */
export function withChecksum(w: ByteWriter): Uint8Array {
  w.u32(crc32(w.finish()));
  return w.finish();
}

/** Returns the body of a blob, or throws `WardstreamError('CORRUPT')` when its trailer does not match. */
export function verifiedBody(data: Uint8Array, label: string): Uint8Array {
  if (data.length < 4) throw new WardstreamError('CORRUPT', `${label}: blob of ${data.length} bytes`);
  const body = data.subarray(0, data.length - 4);
  const stored = new DataView(data.buffer, data.byteOffset + data.length - 4, 4).getUint32(0, true);
  if (crc32(body) !== stored) throw new WardstreamError('CORRUPT', `${label}: checksum mismatch`);
  return body;
}
