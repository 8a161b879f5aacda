/**
 * Growable byte writer and bounds-checked reader for the store's blob formats: unsigned LEB128
 * varints (exact up to 2^53), zigzag for signed integers, little-endian float64 and UTF-8 strings.
 */

const TWO_POW_32 = 4_294_967_296;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Maps a safe integer to an unsigned one so small magnitudes stay short: 0,-1,1,-2 → 0,1,2,3. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

export class ByteWriter {
  private bytes: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.bytes = new Uint8Array(initialCapacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Writes an unsigned integer ≤ 2^53 − 1 as a LEB128 varint. */
  varint(n: number): void {
    this.reserve(8);
    let v = n;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = v >= TWO_POW_32 ? Math.floor(v / 0x80) : v >>> 7;
    }
    this.bytes[this.length++] = v;
  }

  u8(n: number): void {
    this.reserve(1);
    this.bytes[this.length++] = n;
  }

  u32(n: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, n, true);
    this.length += 4;
  }

  f64(x: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, x, true);
    this.length += 8;
  }

  string(s: string): void {
    const utf8 = encoder.encode(s);
    this.varint(utf8.length);
    this.reserve(utf8.length);
    this.bytes.set(utf8, this.length);
    this.length += utf8.length;
  }

  /** Starts over, keeping the allocated buffer (views returned by `finish` become invalid). */
  reset(): void {
    this.length = 0;
  }

  /** The bytes written so far (a view: do not write afterwards). */
  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

/** Reads what `ByteWriter` wrote; throws a RangeError on truncated or malformed input. */
export class ByteReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.bytes[this.offset++];
      if (b === undefined) throw new RangeError('truncated varint');
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new RangeError('varint longer than 8 bytes');
  }

  u8(): number {
    const b = this.bytes[this.offset++];
    if (b === undefined) throw new RangeError('truncated byte');
    return b;
  }

  u32(): number {
    this.need(4);
    const n = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return n;
  }

  f64(): number {
    this.need(8);
    const x = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return x;
  }

  string(): string {
    const length = this.varint();
    this.need(length);
    const s = decoder.decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return s;
  }

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) throw new RangeError('truncated blob');
  }
}
