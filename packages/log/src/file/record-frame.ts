import { crc32 } from 'node:zlib';

/**
 * The on-disk frame of one record. Fixed fields come first so that a scan reads a record's
 * identity without decoding its payload. Little-endian:
 *
 * | at | bytes | field                                                    |
 * |----|-------|----------------------------------------------------------|
 * |  0 |   4   | magic and format version: 'W' 'S' 'L' 0x01               |
 * |  4 |   4   | frame length in bytes, this header included              |
 * |  8 |   4   | CRC-32 (zlib) of bytes 12 … length                       |
 * | 12 |   8   | offset in the partition (low 32 bits, then high 32 bits) |
 * | 20 |   8   | seq (float64, a safe integer)                            |
 * | 28 |   8   | contentHash (float64)                                    |
 * | 36 |   2   | deviceId length in UTF-8 bytes                           |
 * | 38 |   2   | boot length in UTF-8 bytes                               |
 * | 40 |   …   | deviceId, boot, payload                                  |
 */
export const FRAME_HEADER_BYTES = 40;
/** The magic bytes that open every frame; a resynchronising scan searches for them. */
export const FRAME_MAGIC = Buffer.from([0x57, 0x53, 0x4c, 0x01]);
const MAGIC_U32 = FRAME_MAGIC.readUInt32LE(0);
/** Longest deviceId or boot, in UTF-8 bytes. */
export const MAX_ID_BYTES = 1024;
/** Longest payload: 16 MiB. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Longest frame; a length field beyond it marks the frame as damaged. */
export const MAX_FRAME_BYTES = FRAME_HEADER_BYTES + 2 * MAX_ID_BYTES + MAX_PAYLOAD_BYTES;

const TWO_TO_32 = 2 ** 32;

/** The identity of a record as its frame stores it. */
export interface FrameRecord {
  readonly offset: number;
  readonly deviceId: string;
  readonly boot: string;
  readonly seq: number;
  readonly contentHash: number;
}

/** The result of reading the frame at a position. Positions are relative to the buffer. */
export type FrameRead =
  | (FrameRecord & { readonly kind: 'frame'; readonly length: number; readonly payloadStart: number })
  /** Too few bytes in the buffer: `needBytes` from the frame's start are required. */
  | { readonly kind: 'incomplete'; readonly needBytes: number }
  | { readonly kind: 'bad'; readonly reason: string };

/** Bytes a frame of these sizes takes. */
export function frameLength(deviceIdBytes: number, bootBytes: number, payloadBytes: number): number {
  return FRAME_HEADER_BYTES + deviceIdBytes + bootBytes + payloadBytes;
}

/**
 * Writes one frame at `at`, which must have `frameLength(...)` bytes of room, and returns its
 * length. The byte lengths of deviceId and boot are passed in because the caller sized the room.
 */
export function writeFrame(
  target: Buffer,
  at: number,
  record: FrameRecord,
  deviceIdBytes: number,
  bootBytes: number,
  payload: Uint8Array,
): number {
  const length = frameLength(deviceIdBytes, bootBytes, payload.length);
  target.writeUInt32LE(MAGIC_U32, at);
  target.writeUInt32LE(length, at + 4);
  target.writeUInt32LE(record.offset % TWO_TO_32, at + 12);
  target.writeUInt32LE(Math.floor(record.offset / TWO_TO_32), at + 16);
  target.writeDoubleLE(record.seq, at + 20);
  target.writeDoubleLE(record.contentHash, at + 28);
  target.writeUInt16LE(deviceIdBytes, at + 36);
  target.writeUInt16LE(bootBytes, at + 38);
  let cursor = at + FRAME_HEADER_BYTES;
  cursor += target.write(record.deviceId, cursor, 'utf8');
  cursor += target.write(record.boot, cursor, 'utf8');
  target.set(payload, cursor);
  target.writeUInt32LE(crc32(target.subarray(at + 12, at + length)), at + 8);
  return length;
}

/**
 * Reads the frame that starts at `at`, looking no further than `end`. With `verify` the checksum
 * is checked (reads that serve data always verify; scans that only need identities may not).
 */
export function readFrame(buffer: Buffer, at: number, end: number, verify: boolean): FrameRead {
  const available = end - at;
  if (available < 8) return { kind: 'incomplete', needBytes: FRAME_HEADER_BYTES };
  if (buffer.readUInt32LE(at) !== MAGIC_U32) return { kind: 'bad', reason: 'no frame magic' };
  const length = buffer.readUInt32LE(at + 4);
  if (length < FRAME_HEADER_BYTES || length > MAX_FRAME_BYTES) {
    return { kind: 'bad', reason: `impossible frame length ${length}` };
  }
  if (available < length) return { kind: 'incomplete', needBytes: length };
  if (verify && crc32(buffer.subarray(at + 12, at + length)) !== buffer.readUInt32LE(at + 8)) {
    return { kind: 'bad', reason: 'checksum mismatch' };
  }
  const deviceIdBytes = buffer.readUInt16LE(at + 36);
  const bootBytes = buffer.readUInt16LE(at + 38);
  const payloadStart = at + FRAME_HEADER_BYTES + deviceIdBytes + bootBytes;
  if (payloadStart > at + length) return { kind: 'bad', reason: 'identity longer than the frame' };
  const idStart = at + FRAME_HEADER_BYTES;
  return {
    kind: 'frame',
    length,
    offset: buffer.readUInt32LE(at + 12) + buffer.readUInt32LE(at + 16) * TWO_TO_32,
    seq: buffer.readDoubleLE(at + 20),
    contentHash: buffer.readDoubleLE(at + 28),
    deviceId: buffer.toString('utf8', idStart, idStart + deviceIdBytes),
    boot: buffer.toString('utf8', idStart + deviceIdBytes, payloadStart),
    payloadStart,
  };
}
