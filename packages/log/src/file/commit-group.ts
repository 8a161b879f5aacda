import type { PartitionLog } from './partition-log.js';
import { frameLength, writeFrame, type FrameRecord } from './record-frame.js';
import type { Segment } from './segment.js';

const INITIAL_CHUNK_BYTES = 64 * 1024;

/** A record staged in a commit group, known by its idempotency key until it is durable. */
export interface StagedRecord extends FrameRecord {
  readonly key: string;
  readonly partition: number;
  readonly group: CommitGroup;
}

/** The frames a group writes to one segment: one write, one fdatasync. */
export class StagedChunk {
  private buffer = Buffer.allocUnsafe(INITIAL_CHUNK_BYTES);
  private used = 0;
  private readonly positions: number[] = [];

  constructor(
    readonly partition: PartitionLog,
    readonly segment: Segment,
    /** Where the chunk goes in the segment file. */
    readonly startPosition: number,
    readonly firstOffset: number,
  ) {}

  /** The framed bytes to write. */
  get bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  /** Frames a record after the previous ones; returns the frame's length in bytes. */
  add(record: FrameRecord, payload: Uint8Array): number {
    const deviceIdBytes = Buffer.byteLength(record.deviceId, 'utf8');
    const bootBytes = Buffer.byteLength(record.boot, 'utf8');
    const length = frameLength(deviceIdBytes, bootBytes, payload.length);
    if (this.used + length > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.used + length));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.positions.push(this.startPosition + this.used);
    this.used += writeFrame(this.buffer, this.used, record, deviceIdBytes, bootBytes, payload);
    return length;
  }

  /** Marks the chunk durable: its records become readable. */
  commit(): void {
    const segment = this.segment;
    for (let i = 0; i < this.positions.length; i++) segment.noteRecord(this.firstOffset + i, this.positions[i] ?? 0);
    segment.durableSize = this.startPosition + this.used;
    segment.endOffset = this.firstOffset + this.positions.length;
    this.partition.visibleEnd = segment.endOffset;
  }
}

/**
 * The records of all appends that arrived while the previous group was being written: written
 * with one write per touched segment, then fdatasynced, then settled together. `done` rejects
 * when the group failed; `settled` resolves either way (for appends that only wait on a key).
 */
export class CommitGroup {
  /** Partition index → its chunk. */
  readonly chunks = new Map<number, StagedChunk>();
  readonly records: StagedRecord[] = [];
  readonly done: Promise<void>;
  readonly settled: Promise<void>;
  private settle: (error?: Error) => void = () => undefined;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (error) => {
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    this.settled = this.done.catch(() => undefined);
  }

  resolve(): void {
    this.settle();
  }

  reject(error: Error): void {
    this.settle(error);
  }
}
