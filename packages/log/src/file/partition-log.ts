import { Segment, type SegmentPosition } from './segment.js';

/** Offsets of a partition that cannot be served because their bytes are damaged. */
export interface CorruptRange {
  readonly partition: number;
  /** First unreadable offset. */
  readonly fromOffset: number;
  /** The offset after the last unreadable one. */
  readonly toOffset: number;
  readonly reason: string;
}

/** Where a partition's next read starts: remembered so that sequential reads need no seek. */
interface ReadCursor extends SegmentPosition {
  readonly segment: Segment;
}

/**
 * One partition of the file log: its segments in offset order (never empty; the last one is
 * written), its offsets, and the ranges found damaged. Offsets are contiguous from the first
 * retained segment's base to `visibleEnd`.
 */
export class PartitionLog {
  /** The next offset to assign, records staged but not yet durable included. */
  nextOffset: number;
  /** The offset after the last durable record; reads serve offsets below it. */
  visibleEnd: number;
  readonly corruptions: CorruptRange[] = [];
  private cursor: ReadCursor | undefined;

  constructor(
    readonly index: number,
    readonly dir: string,
    readonly segments: Segment[],
  ) {
    this.nextOffset = this.active.endOffset;
    this.visibleEnd = this.active.endOffset;
  }

  /** The segment written to: the last one. */
  get active(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last === undefined) throw new Error(`partition ${this.index} has no segment`);
    return last;
  }

  /** The first offset still retained. */
  get startOffset(): number {
    return this.segments[0]?.baseOffset ?? this.visibleEnd;
  }

  /** Bytes on stable storage. */
  get durableBytes(): number {
    let bytes = 0;
    for (const segment of this.segments) bytes += segment.durableSize;
    return bytes;
  }

  /**
   * The segment that a commit group's first frame for this partition goes to. A partition rolls
   * only here, at the start of a group, so no group writes two segments of one partition and a
   * segment can only be torn at its end while it is the last one.
   */
  segmentForGroup(segmentBytes: number): Segment {
    const active = this.active;
    if (active.plannedSize < segmentBytes) return active;
    const next = new Segment(this.dir, this.nextOffset);
    this.segments.push(next);
    return next;
  }

  /** The segment holding `offset` (the last one whose base is at or below it). */
  segmentOf(offset: number): Segment | undefined {
    let low = 0;
    let high = this.segments.length - 1;
    if (high < 0 || offset < this.startOffset) return undefined;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.segments[mid]?.baseOffset ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return this.segments[low];
  }

  /** The damaged range that holds `offset`, if any. */
  corruptionAt(offset: number): CorruptRange | undefined {
    return this.corruptions.find((range) => offset >= range.fromOffset && offset < range.toOffset);
  }

  /** The first offset after `from` that a read must stop before (a damaged range or the end). */
  readLimit(from: number): number {
    let limit = this.visibleEnd;
    for (const range of this.corruptions) {
      const hidesOffsets = range.toOffset > range.fromOffset;
      if (hidesOffsets && range.fromOffset > from && range.fromOffset < limit) limit = range.fromOffset;
    }
    return limit;
  }

  /** Records damage found while reading (once per offset). */
  noteCorruption(offset: number, reason: string): void {
    if (this.corruptionAt(offset) !== undefined) return;
    this.corruptions.push({ partition: this.index, fromOffset: offset, toOffset: offset + 1, reason });
  }

  /** Where to start reading `offset`: the read cursor when it is there, else the sparse index. */
  locate(offset: number): ReadCursor | undefined {
    const cursor = this.cursor;
    if (cursor?.offset === offset && !cursor.segment.deleted) return cursor;
    const segment = this.segmentOf(offset);
    return segment === undefined ? undefined : { segment, ...segment.seek(offset) };
  }

  rememberCursor(cursor: ReadCursor): void {
    this.cursor = cursor;
  }

  /**
   * Forgets everything staged but not durable after a failed group: offsets go back to the
   * durable end and segments rolled by failed groups are dropped. Returns the dropped segments.
   */
  rollback(): Segment[] {
    this.nextOffset = this.visibleEnd;
    for (const segment of this.segments) segment.plannedSize = segment.durableSize;
    const dropped: Segment[] = [];
    while (this.segments.length > 1) {
      const last = this.active;
      if (last.durableSize > 0 || last.baseOffset <= this.visibleEnd) break;
      last.deleted = true;
      dropped.push(last);
      this.segments.pop();
    }
    return dropped;
  }
}
