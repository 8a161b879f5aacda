import { LogClosedError } from '../errors.js';
import type {
  AppendOutcome,
  AppendRequest,
  FetchOptions,
  LogEntry,
  LogStatus,
  Offsets,
  TelemetryLog,
} from '../telemetry-log.js';
import { WakeSignal } from '../wake-signal.js';
import { Appender } from './appender.js';
import { ConsumerOffsets } from './consumer-offsets.js';
import { GroupWriter } from './group-writer.js';
import { IdempotencyIndex } from './idempotency-index.js';
import { loadPartition } from './load-partition.js';
import { partitionDir, prepareLogDirectory } from './log-directory.js';
import { parseFileLogOptions, type FileLogConfig, type FileTelemetryLogOptions } from './options.js';
import type { CorruptRange, PartitionLog } from './partition-log.js';
import { readPartitions } from './partition-reader.js';
import { checkAppendRequests, checkFetchOptions, checkOffsets } from './requests.js';
import { RetiredKeys } from './retired-keys.js';
import { deleteExpiredSegments, markConsumed, type KeyRetirement } from './retention.js';

const MAX_RETENTION_CHECK_MS = 60_000;

/** `LogStatus` plus what only the file log knows. */
export interface FileLogStatus extends LogStatus {
  /** Bytes of torn tail cut off when the log was opened (never-acknowledged writes). */
  readonly truncatedBytes: number;
  /** Damaged ranges found at open or by reads since; fetching these offsets throws `LogCorruptionError`. */
  readonly corruption: readonly CorruptRange[];
  /** Commit groups written, fdatasync calls made and records appended since open. */
  readonly groupCommits: number;
  readonly fsyncs: number;
  readonly appendedRecords: number;
  /** The last retention failure, if the last retention pass failed. */
  readonly retentionError?: string;
  /** The keys of deleted records (answered `retired`): (deviceId, boot) pairs and seq ranges held. */
  readonly retiredKeys: { readonly boots: number; readonly ranges: number };
}

/**
 * The embedded telemetry log: partitions of segment files in one directory, appended with group
 * commit and fdatasync, checksummed per record (see `record-frame.ts` for the format).
 *
 * - `append` resolves only after the records it appended are fdatasynced. Concurrent calls share
 *   one write and one fdatasync per touched segment.
 * - Idempotency: a (deviceId, boot, seq) already retained is reported `duplicate` (same content
 *   hash) or `conflict` (another hash) with the stored record's position, however old it is.
 *   Within the last `conflictWindow` messages of its device this costs no I/O; an older key is
 *   found by scanning segment headers. Once retention has deleted a record, its key is kept in a
 *   durable set of retired keys (`RetiredKeys`, compact: seq ranges per device and boot) and an
 *   append of it is answered `retired`, never appended again.
 * - A write or fsync error (ENOSPC, EIO) makes the log `unavailable` until it has repaired itself
 *   (see `WriteRepair`); meanwhile appends reject with `LogUnavailableError` and nothing that was
 *   not fsynced is ever reported appended.
 * - Open truncates a torn tail and records damage elsewhere; fetch never serves damaged records
 *   (`LogCorruptionError`).
 * - Retention: a segment is deleted once every consumer that ever committed has passed it and
 *   `retainConsumedMs` has elapsed since; while no consumer has committed, nothing is deleted.
 * - `status().endOffsets` are durable ends: offsets given to records still being written count
 *   once those records are durable.
 * - One process at a time may open a directory (nothing enforces it yet).
 */
export class FileTelemetryLog implements TelemetryLog {
  readonly partitionCount: number;
  private readonly signal = new WakeSignal();
  private readonly writer: GroupWriter;
  private readonly appender: Appender;
  private readonly retentionTimer: NodeJS.Timeout;
  private retaining: Promise<number> | undefined;
  private retentionError: string | undefined;
  private closing: Promise<void> | undefined;
  private fetchRound = 0;

  private constructor(
    private readonly config: FileLogConfig,
    private readonly partitions: readonly PartitionLog[],
    private readonly index: IdempotencyIndex,
    private readonly retired: RetiredKeys,
    private readonly consumers: ConsumerOffsets,
    private readonly truncatedBytes: number,
  ) {
    this.partitionCount = partitions.length;
    this.writer = new GroupWriter({
      fs: config.fileSystem,
      dir: config.dir,
      partitions,
      index,
      clock: config.clock,
      segmentBytes: config.segmentBytes,
      recoveryIntervalMs: config.recoveryIntervalMs,
      onDurable: () => {
        this.signal.notify();
      },
    });
    this.appender = new Appender({
      fs: config.fileSystem,
      partitions,
      index,
      writer: this.writer,
      assertOpen: () => {
        this.assertOpen();
      },
    });
    const checkMs = Math.min(Math.max(config.retainConsumedMs, 1_000), MAX_RETENTION_CHECK_MS);
    this.retentionTimer = setInterval(() => void this.enforceRetention().catch(() => undefined), checkMs);
    this.retentionTimer.unref();
  }

  /**
   * Opens (creating when missing) the log in `options.dir`: validates the options (a RangeError
   * lists every problem), loads the retired keys, scans every retained segment to verify it and
   * rebuild the idempotency index, and truncates a torn tail. Fails if the directory holds another
   * partition count, or if its retired-keys file is damaged.
   */
  static async open(options: FileTelemetryLogOptions): Promise<FileTelemetryLog> {
    const config = parseFileLogOptions(options);
    const fs = config.fileSystem;
    const partitionCount = await prepareLogDirectory(fs, config.dir, config.partitionCount);
    const retired = await RetiredKeys.load(fs, config.dir);
    const index = new IdempotencyIndex(config.conflictWindow, retired);
    const partitions: PartitionLog[] = [];
    let truncatedBytes = 0;
    try {
      for (let p = 0; p < partitionCount; p++) {
        const loaded = await loadPartition(fs, partitionDir(config.dir, p), p, (frame) => {
          index.add(frame.deviceId, frame.boot, frame.seq, frame.contentHash, p, frame.offset);
        });
        partitions.push(loaded.partition);
        truncatedBytes += loaded.truncatedBytes;
      }
      const consumers = await ConsumerOffsets.load(fs, config.dir);
      const log = new FileTelemetryLog(config, partitions, index, retired, consumers, truncatedBytes);
      log.refreshConsumed();
      return log;
    } catch (error) {
      for (const partition of partitions) {
        for (const segment of partition.segments) await segment.close().catch(() => undefined);
      }
      throw error;
    }
  }

  async append(records: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    this.assertOpen();
    this.writer.assertWritable();
    checkAppendRequests(records);
    return this.appender.append(records);
  }

  async fetch(from: Offsets, options: FetchOptions): Promise<LogEntry[]> {
    this.assertOpen();
    checkOffsets(from, this.partitionCount);
    checkFetchOptions(options);
    const deadline = performance.now() + options.maxWaitMs;
    for (;;) {
      const version = this.signal.version;
      const entries = await readPartitions(
        this.partitions,
        this.config.fileSystem,
        from,
        options.maxRecords,
        this.fetchRound++,
      );
      const remainingMs = deadline - performance.now();
      if (entries.length > 0 || remainingMs <= 0) return entries;
      const outcome = await this.signal.wait(version, remainingMs, options.signal);
      if (outcome === 'aborted' || outcome === 'closed') return [];
    }
  }

  async commit(consumer: string, offsets: Offsets): Promise<void> {
    this.assertOpen();
    if (typeof consumer !== 'string' || consumer.length === 0) {
      throw new RangeError('consumer must be a non-empty string');
    }
    checkOffsets(offsets, this.partitionCount);
    await this.consumers.commit(consumer, offsets);
    this.refreshConsumed();
  }

  committed(consumer: string): Promise<Map<number, number>> {
    this.assertOpen();
    return Promise.resolve(this.consumers.get(consumer));
  }

  status(): FileLogStatus {
    const counters = this.writer.counters;
    return {
      state: this.writer.state,
      endOffsets: new Map(this.partitions.map((partition) => [partition.index, partition.visibleEnd])),
      bytes: this.partitions.reduce((sum, partition) => sum + partition.durableBytes, 0),
      truncatedBytes: this.truncatedBytes,
      corruption: this.partitions.flatMap((partition) => partition.corruptions),
      groupCommits: counters.groups,
      fsyncs: counters.fsyncs,
      appendedRecords: counters.records,
      ...(this.retentionError === undefined ? {} : { retentionError: this.retentionError }),
      retiredKeys: this.retired.counts,
    };
  }

  /**
   * Deletes the segments that retention allows now and resolves how many it deleted. Runs by
   * itself periodically (every `retainConsumedMs`, between 1 s and 60 s); exposed for tests and
   * operators. The keys of the segments are made durable in the retired set before any file is
   * unlinked; if that fails, nothing is deleted and the pass rejects (see `retentionError`).
   */
  enforceRetention(): Promise<number> {
    this.assertOpen();
    this.retaining ??= this.retain().finally(() => {
      this.retaining = undefined;
    });
    return this.retaining;
  }

  private async retain(): Promise<number> {
    const nowAt = this.refreshConsumed();
    const retirement: KeyRetirement = {
      retire: (keys) => {
        this.retired.retire(keys);
      },
      persist: () => this.retired.persist(),
      forget: (deviceId, boot, seq) => {
        this.index.delete(deviceId, boot, seq);
      },
    };
    try {
      const deleted = await deleteExpiredSegments(
        this.config.fileSystem,
        this.partitions,
        nowAt,
        this.config.retainConsumedMs,
        retirement,
      );
      this.retentionError = undefined;
      return deleted;
    } catch (error) {
      this.retentionError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /** Updates when each segment became fully consumed; returns the instant used. */
  private refreshConsumed(): number {
    const nowAt = this.config.clock.now();
    for (const partition of this.partitions) {
      markConsumed(partition, this.consumers.durableFloor(partition.index), nowAt);
    }
    return nowAt;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.retentionTimer);
    await this.writer.idle();
    await this.writer.stop();
    this.signal.close();
    await this.consumers.drain();
    await this.retaining?.catch(() => undefined);
    const closing = this.partitions.flatMap((partition) => partition.segments.map((segment) => segment.close()));
    const failed = (await Promise.allSettled(closing)).find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new LogClosedError();
  }
}
