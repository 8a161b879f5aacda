/**
 * Splits a byte stream into whole MQTT packets by reading the fixed header itself
 * (packet type byte + Remaining Length, a variable byte integer of at most 4 bytes [MQTT-1.5.5],
 * [MQTT-2.2.3]), so that a packet above the limit is refused from its header, before its body is
 * buffered: a client declaring 256 MB costs the server nothing. Memory held per connection is at
 * most one maximum-size packet plus one socket read.
 */
export type Frame =
  | { readonly kind: 'packet'; readonly bytes: Buffer }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'malformed'; readonly detail: string }
  | { readonly kind: 'oversize'; readonly declaredBytes: number };

const INCOMPLETE: Frame = { kind: 'incomplete' };
const EMPTY = Buffer.alloc(0);
const CONNECT_FIRST_BYTE = 0x10;

/**
 * Flag bits each packet type must carry [MQTT-2.2.2-1, table 2-2]; PUBLISH (3) may carry any except
 * QoS 3 [MQTT-3.3.1-4]. Type 0 is reserved. Checked from the first byte, so garbage is refused at
 * once instead of being buffered as the body of a packet that never completes.
 */
function fixedHeaderProblem(byte: number, first: boolean): string | null {
  if (first && byte !== CONNECT_FIRST_BYTE) return 'the first packet must be CONNECT [MQTT-3.1.0-1]';
  const type = byte >> 4;
  const flags = byte & 0x0f;
  if (type === 0) return 'packet type 0 is reserved [MQTT-2.2.1]';
  if (type === 3) return (flags & 0x06) === 0x06 ? 'PUBLISH with QoS 3 [MQTT-3.3.1-4]' : null;
  const required = type === 6 || type === 8 || type === 10 ? 0x02 : 0x00;
  return flags === required ? null : `packet type ${type} with flags ${flags} [MQTT-2.2.2-2]`;
}

export class FrameReader {
  /** Bytes not yet returned: `head[offset..]` followed by `tail`. */
  private head: Buffer = EMPTY;
  private offset = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private packetsReturned = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** Bytes buffered and not yet returned as packets. */
  get buffered(): number {
    return this.head.length - this.offset + this.tailBytes;
  }

  push(chunk: Buffer): void {
    if (this.offset === this.head.length && this.tailBytes === 0) {
      this.head = chunk;
      this.offset = 0;
    } else {
      this.tail.push(chunk);
      this.tailBytes += chunk.length;
    }
  }

  /** The next whole packet (a view into the read buffers, not a copy, when it lies in one read). */
  next(): Frame {
    for (;;) {
      const available = this.head.length - this.offset;
      if (available === 0 && this.tailBytes === 0) return INCOMPLETE;
      if (available > 0) {
        const problem = fixedHeaderProblem(this.head[this.offset] ?? 0, this.packetsReturned === 0);
        if (problem !== null) return { kind: 'malformed', detail: problem };
      }
      const header = readFixedHeader(this.head, this.offset);
      if (header === 'malformed') {
        return { kind: 'malformed', detail: 'Remaining Length is longer than 4 bytes [MQTT-1.5.5]' };
      }
      if (header !== 'incomplete') {
        const total = header.headerBytes + header.remainingLength;
        if (total > this.maxPacketBytes) return { kind: 'oversize', declaredBytes: total };
        if (available >= total) {
          const bytes = this.head.subarray(this.offset, this.offset + total);
          this.offset += total;
          this.packetsReturned++;
          return { kind: 'packet', bytes };
        }
        if (available + this.tailBytes < total) return INCOMPLETE;
      } else if (this.tailBytes === 0) {
        return INCOMPLETE;
      }
      this.coalesce();
    }
  }

  /** Forgets everything buffered (the connection is closing). */
  clear(): void {
    this.head = EMPTY;
    this.offset = 0;
    this.tail = [];
    this.tailBytes = 0;
  }

  private coalesce(): void {
    this.head = Buffer.concat([this.head.subarray(this.offset), ...this.tail]);
    this.offset = 0;
    this.tail = [];
    this.tailBytes = 0;
  }
}

/** The fixed header at `offset`: its length in bytes and the Remaining Length it declares. */
export function readFixedHeader(
  buffer: Buffer,
  offset: number,
): { readonly headerBytes: number; readonly remainingLength: number } | 'incomplete' | 'malformed' {
  let value = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    const at = offset + i;
    if (at >= buffer.length) return 'incomplete';
    const byte = buffer[at] ?? 0;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { headerBytes: 1 + i, remainingLength: value };
    multiplier *= 128;
  }
  return 'malformed';
}
