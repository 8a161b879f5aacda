import type { Clock } from '@wardstream/domain';
import { LogUnavailableError } from '../errors.js';
import type { AppendRequest, LogState } from '../telemetry-log.js';
import { CommitGroup, StagedChunk, type StagedRecord } from './commit-group.js';
import { errnoCode, type LogFileSystem } from './file-system.js';
import type { IdempotencyIndex } from './idempotency-index.js';
import type { PartitionLog } from './partition-log.js';
import type { Segment } from './segment.js';
import { WriteRepair, type WriteFault } from './write-repair.js';

/** What the group writer needs from the log that owns it. */
export interface GroupWriterDeps {
  readonly fs: LogFileSystem;
  readonly dir: string;
  readonly partitions: readonly PartitionLog[];
  readonly index: IdempotencyIndex;
  readonly clock: Clock;
  readonly segmentBytes: number;
  readonly recoveryIntervalMs: number;
  /** Called after each durable group, to wake waiting fetches. */
  readonly onDurable: () => void;
}

/** Counters since open. */
export interface WriterCounters {
  groups: number;
  fsyncs: number;
  records: number;
}

/**
 * Group commit. Records staged while a group is being written and fdatasynced accumulate into the
 * next group; a group writes each touched segment once, fdatasyncs them in parallel, and only
 * then resolves its appends and makes its records readable and known to the idempotency index.
 *
 * On a write or fsync error the log becomes unavailable: the failing group and the one
 * accumulating are rejected with `LogUnavailableError`, their offsets are given back, and
 * `WriteRepair` restores the files to their durable sizes before appends resume.
 */
export class GroupWriter {
  /** Keys staged and not yet durable, so that a second append of one waits for the first. */
  readonly inFlight = new Map<string, StagedRecord>();
  readonly counters: WriterCounters = { groups: 0, fsyncs: 0, records: 0 };
  private current: CommitGroup | null = null;
  private flushing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly repair: WriteRepair;

  constructor(private readonly deps: GroupWriterDeps) {
    this.repair = new WriteRepair(deps.fs, deps.dir, deps.clock, deps.recoveryIntervalMs);
  }

  get state(): LogState {
    return this.repair.state;
  }

  /** Throws `LogUnavailableError` while the log cannot accept appends. */
  assertWritable(): void {
    this.repair.assertWritable();
  }

  /** Assigns the next offset of `partition` to a record and frames it into the current group. */
  stage(request: AppendRequest, key: string, partitionIndex: number): StagedRecord {
    const partition = this.deps.partitions[partitionIndex];
    if (partition === undefined) throw new RangeError(`no partition ${partitionIndex}`);
    const group = this.current ?? this.startGroup();
    let chunk = group.chunks.get(partitionIndex);
    if (chunk === undefined) {
      const segment = partition.segmentForGroup(this.deps.segmentBytes);
      chunk = new StagedChunk(partition, segment, segment.plannedSize, partition.nextOffset);
      group.chunks.set(partitionIndex, chunk);
    }
    const staged: StagedRecord = {
      key,
      partition: partitionIndex,
      offset: partition.nextOffset++,
      deviceId: request.deviceId,
      boot: request.boot,
      seq: request.seq,
      contentHash: request.contentHash,
      group,
    };
    chunk.segment.plannedSize += chunk.add(staged, request.payload);
    group.records.push(staged);
    this.inFlight.set(key, staged);
    return staged;
  }

  /** Resolves once no group is staged or being written. */
  idle(): Promise<void> {
    if (this.current === null && !this.flushing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops recovery attempts (the log is closing). */
  stop(): Promise<void> {
    return this.repair.stop();
  }

  private startGroup(): CommitGroup {
    const group = new CommitGroup();
    this.current = group;
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flushLoop());
    }
    return group;
  }

  private async flushLoop(): Promise<void> {
    while (this.current !== null) {
      const group = this.current;
      this.current = null;
      try {
        await this.flush(group);
      } catch (error) {
        // Not a file error (those are handled in flush): still, never leave the appends hanging.
        this.fail(group, { error, reason: `internal error: ${String(error)}` });
      }
    }
    this.flushing = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private async flush(group: CommitGroup): Promise<void> {
    const chunks = [...group.chunks.values()];
    const fault = await this.writeDurably(chunks);
    if (fault !== undefined) {
      this.fail(group, fault);
      return;
    }
    for (const chunk of chunks) {
      chunk.commit();
      this.closePreviousWriter(chunk);
    }
    const index = this.deps.index;
    for (const record of group.records) {
      index.add(record.deviceId, record.boot, record.seq, record.contentHash, record.partition, record.offset);
      this.inFlight.delete(record.key);
    }
    this.counters.groups++;
    this.counters.records += group.records.length;
    group.resolve();
    this.deps.onDurable();
  }

  /** Creates new segment files, writes every chunk, fdatasyncs every touched file. */
  private async writeDurably(chunks: StagedChunk[]): Promise<WriteFault | undefined> {
    const fs = this.deps.fs;
    const fresh = chunks.filter((chunk) => !chunk.segment.created).map((chunk) => chunk.segment);
    if (fresh.length > 0) {
      const opened = await settle(fresh, 'create', pathOf, async (segment) => {
        segment.writer ??= await fs.open(segment.path, 'w+');
      });
      if (opened !== undefined) return opened;
      const dirs = [...new Set(fresh.map((segment) => segment.dir))];
      const synced = await settle(dirs, 'fsync directory', String, (dir) => fs.syncDirectory(dir));
      if (synced !== undefined) return synced;
      for (const segment of fresh) segment.created = true;
    }
    const written = await settle(chunks, 'write', chunkPath, async (chunk) => {
      const segment = chunk.segment;
      segment.writer ??= await fs.open(segment.path, 'r+');
      await segment.writer.write(chunk.bytes, chunk.startPosition);
    });
    if (written !== undefined) return written;
    this.counters.fsyncs += chunks.length;
    return settle(chunks, 'fdatasync', chunkPath, (chunk) => {
      const writer = chunk.segment.writer;
      return writer === null ? Promise.reject(new Error('segment writer closed')) : writer.datasync();
    });
  }

  /** Nothing is written to a segment once the partition has rolled past it. */
  private closePreviousWriter(chunk: StagedChunk): void {
    if (chunk.startPosition !== 0) return;
    const segments = chunk.partition.segments;
    const previous = segments[segments.indexOf(chunk.segment) - 1];
    if (previous?.writer == null) return;
    const writer = previous.writer;
    previous.writer = null;
    void writer.close().catch(() => undefined);
  }

  private fail(group: CommitGroup, fault: WriteFault): void {
    const error = new LogUnavailableError(`telemetry log unavailable: ${fault.reason}`, { cause: fault.error });
    const failed = this.current === null ? [group] : [group, this.current];
    this.current = null;
    const touched: Segment[] = [...group.chunks.values()].map((chunk) => chunk.segment);
    const dropped = this.deps.partitions.flatMap((partition) => partition.rollback());
    this.repair.begin(fault, touched, dropped);
    for (const each of failed) {
      for (const record of each.records) this.inFlight.delete(record.key);
      each.reject(error);
    }
  }
}

const pathOf = (segment: Segment): string => segment.path;
const chunkPath = (chunk: StagedChunk): string => chunk.segment.path;

/** Runs `op` on every item, waits for all, and names the first failure (errno and file). */
async function settle<T>(
  items: readonly T[],
  operation: string,
  fileOf: (item: T) => string,
  op: (item: T) => Promise<void>,
): Promise<WriteFault | undefined> {
  const results = await Promise.allSettled(items.map(op));
  for (let i = 0; i < results.length; i++) {
    const result = results[i];
    const item = items[i];
    if (result?.status !== 'rejected' || item === undefined) continue;
    const error: unknown = result.reason;
    return { error, reason: `${errnoCode(error) ?? 'error'} on ${operation} of ${fileOf(item)}` };
  }
  return undefined;
}
