import type { LogFileHandle } from './file-system.js';
import { FRAME_HEADER_BYTES, FRAME_MAGIC, readFrame, type FrameRead, type FrameRecord } from './record-frame.js';

const WINDOW_BYTES = 8 * 1024 * 1024;

/** A frame found by a scan, with its byte position and length in the file. */
export interface ScannedFrame extends FrameRecord {
  readonly position: number;
  readonly length: number;
}

/** Damaged bytes followed by a good frame: offsets `fromOffset` … `toOffset - 1` are unreadable. */
export interface DamagedSpan {
  readonly fromOffset: number;
  readonly toOffset: number;
  /** Where the damaged bytes start. */
  readonly position: number;
  readonly reason: string;
}

/** What a scan found in one segment file. */
export interface SegmentScan {
  /** Byte position after the last good frame. */
  readonly goodEnd: number;
  /** The offset after the last good frame (the base offset when there is none). */
  readonly nextOffset: number;
  readonly damage: readonly DamagedSpan[];
  /**
   * Bytes after `goodEnd` with no good frame in them. In the last segment this is a torn tail:
   * a write that never completed, so never acknowledged.
   */
  readonly tailBytes: number;
}

/** Reads a file through a window of up to 8 MiB, so a scan costs one read per window. */
class WindowReader {
  buffer = Buffer.alloc(0);
  start = 0;
  end = 0;

  constructor(
    private readonly handle: LogFileHandle,
    readonly size: number,
  ) {}

  /** Makes bytes `position` … `position + length` (or up to the file's end) readable. */
  async load(position: number, length: number): Promise<void> {
    const wanted = Math.min(position + length, this.size);
    if (position >= this.start && wanted <= this.end) return;
    const bytes = Math.min(Math.max(length, WINDOW_BYTES), this.size - position);
    this.buffer = Buffer.allocUnsafe(bytes);
    this.start = position;
    this.end = position + (await this.handle.read(this.buffer, position));
  }

  async frameAt(position: number, verify: boolean): Promise<FrameRead> {
    await this.load(position, FRAME_HEADER_BYTES);
    let frame = readFrame(this.buffer, position - this.start, this.end - this.start, verify);
    if (frame.kind === 'incomplete' && position + frame.needBytes <= this.size) {
      await this.load(position, frame.needBytes);
      frame = readFrame(this.buffer, position - this.start, this.end - this.start, verify);
    }
    return frame;
  }

  /** The first checksum-good frame at or after `from` whose offset is at least `minOffset`. */
  async findFrame(from: number, minOffset: number): Promise<{ position: number; offset: number } | undefined> {
    let at = from;
    while (at < this.size) {
      await this.load(at, FRAME_MAGIC.length);
      const found = this.buffer.subarray(0, this.end - this.start).indexOf(FRAME_MAGIC, at - this.start);
      if (found < 0) {
        if (this.end >= this.size) return undefined;
        at = Math.max(at + 1, this.end - FRAME_MAGIC.length + 1);
        continue;
      }
      const candidate = this.start + found;
      const frame = await this.frameAt(candidate, true);
      if (frame.kind === 'frame' && frame.offset >= minOffset) return { position: candidate, offset: frame.offset };
      at = candidate + 1;
    }
    return undefined;
  }
}

function describe(frame: FrameRead, expected: number): string {
  switch (frame.kind) {
    case 'bad':
      return frame.reason;
    case 'incomplete':
      return 'incomplete frame';
    case 'frame':
      return `frame of offset ${frame.offset} where ${expected} was due`;
  }
}

/**
 * Reads the frames of a segment file of `size` bytes in order, calling `onFrame` for each good
 * one. A frame that is damaged (bad magic, length or checksum, or the wrong offset) is skipped by
 * searching for the next checksum-good frame; the offsets in between are reported as damage,
 * never silently passed over. Damage with no good frame after it is reported as `tailBytes`.
 * With `verify` false, good-looking frames are not checksummed (a cheaper scan for identities).
 */
export async function scanSegment(
  handle: LogFileHandle,
  size: number,
  baseOffset: number,
  verify: boolean,
  onFrame: (frame: ScannedFrame) => void,
): Promise<SegmentScan> {
  const reader = new WindowReader(handle, size);
  const damage: DamagedSpan[] = [];
  let position = 0;
  let expected = baseOffset;
  while (position < size) {
    const frame = await reader.frameAt(position, verify);
    if (frame.kind === 'frame' && frame.offset === expected) {
      onFrame({ ...frame, position });
      position += frame.length;
      expected++;
      continue;
    }
    if (frame.kind === 'frame' && frame.offset > expected) {
      damage.push({ fromOffset: expected, toOffset: frame.offset, position, reason: 'offsets missing' });
      expected = frame.offset;
      continue;
    }
    const next = await reader.findFrame(position + 1, expected);
    if (next === undefined) return { goodEnd: position, nextOffset: expected, damage, tailBytes: size - position };
    damage.push({ fromOffset: expected, toOffset: next.offset, position, reason: describe(frame, expected) });
    position = next.position;
    expected = next.offset;
  }
  return { goodEnd: position, nextOffset: expected, damage, tailBytes: 0 };
}
