import { join } from 'node:path';
import type { LogFileHandle, LogFileSystem } from './file-system.js';

const SEGMENT_SUFFIX = '.seg';
const SEGMENT_NAME = /^(\d{20})\.seg$/;
/** One entry of the sparse offset index per this many records. */
const SPARSE_EVERY = 32;

/** The file name of the segment whose first record has `baseOffset`: the offset, 20 digits. */
export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

/** The base offset named by a segment file name, or undefined for any other file. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (match?.[1] === undefined) return undefined;
  const base = Number(match[1]);
  return Number.isSafeInteger(base) ? base : undefined;
}

/** A position in a segment file. */
export interface SegmentPosition {
  readonly offset: number;
  /** Byte position of the frame of `offset`. */
  readonly position: number;
}

/**
 * One segment file of a partition: the records from `baseOffset` on, framed back to back.
 * Sizes are in bytes. Only the last segment of a partition is written; it owns the writer.
 */
export class Segment {
  readonly path: string;
  /** Bytes known to be on stable storage. Reads never go past it. */
  durableSize = 0;
  /** Durable bytes plus those staged by groups not yet durable: where the next frame goes. */
  plannedSize = 0;
  /** The offset after the last durable record. */
  endOffset: number;
  /** The file exists and its directory entry is durable. */
  created = false;
  /** Open for writing while this is the partition's last segment. */
  writer: LogFileHandle | null = null;
  /** When every consumer had committed past this segment (clock ms), if they have. */
  consumedAt: number | undefined;
  /** Removed from its partition (by retention, or dropped after a failed group). */
  deleted = false;
  private readonly sparseOffsets: number[] = [];
  private readonly sparsePositions: number[] = [];
  private lastNoted = -1;
  private reader: Promise<LogFileHandle> | null = null;
  private readers = 0;
  private closing = false;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
  ) {
    this.path = join(dir, segmentFileName(baseOffset));
    this.endOffset = baseOffset;
  }

  /** Records that the frame of `offset` starts at `position`, for `seek`. Call in offset order. */
  noteRecord(offset: number, position: number): void {
    const lastIndexed = this.sparseOffsets[this.sparseOffsets.length - 1];
    if (lastIndexed === undefined || offset !== this.lastNoted + 1 || offset - lastIndexed >= SPARSE_EVERY) {
      this.sparseOffsets.push(offset);
      this.sparsePositions.push(position);
    }
    this.lastNoted = offset;
  }

  /** The indexed position nearest at or before `offset`: at most SPARSE_EVERY frames before it. */
  seek(offset: number): SegmentPosition {
    let low = 0;
    let high = this.sparseOffsets.length - 1;
    if (high < 0 || offset < (this.sparseOffsets[0] ?? 0)) return { offset: this.baseOffset, position: 0 };
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.sparseOffsets[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { offset: this.sparseOffsets[low] ?? this.baseOffset, position: this.sparsePositions[low] ?? 0 };
  }

  /** A handle to read the file; pair every call with `releaseReader`. */
  async acquireReader(fs: LogFileSystem): Promise<LogFileHandle> {
    this.readers++;
    this.reader ??= fs.open(this.path, 'r');
    try {
      return await this.reader;
    } catch (error) {
      this.readers--;
      this.reader = null;
      throw error;
    }
  }

  /** Ends a read; the file is closed when no read is left unless `keepOpen` (the active segment). */
  releaseReader(keepOpen: boolean): void {
    this.readers--;
    if (this.readers > 0 || (keepOpen && !this.closing) || this.reader === null) return;
    const reader = this.reader;
    this.reader = null;
    void reader.then((handle) => handle.close()).catch(() => undefined);
  }

  /** Closes the writer, and the reader once the reads in progress end. */
  async close(): Promise<void> {
    this.closing = true;
    const writer = this.writer;
    this.writer = null;
    if (this.readers === 0 && this.reader !== null) {
      const reader = this.reader;
      this.reader = null;
      await reader.then((handle) => handle.close()).catch(() => undefined);
    }
    await writer?.close();
  }
}
