import {
  decodeIngestRecord,
  DEFAULT_EVENT_TIME_POLICY,
  PartitionWatermarks,
  type Clock,
  type EventTimePolicy,
  type IngestRecord,
  type WatermarkState,
} from '@wardstream/domain';
import { LogCorruptionError, type LogEntry, type TelemetryLog } from '@wardstream/log';
import type { Checkpoint, ReadingStore } from '@wardstream/store';
import { flagLate } from './flag-late.js';
import { NO_PROCESSOR_METRICS, type ProcessorMetrics } from './metrics.js';
import type { ProcessorStage } from './stage.js';

export interface ProcessorOptions {
  /** Consumer name under which offsets are committed to the log (for retention and lag). */
  readonly consumer: string;
  /** Partitions this processor owns; all of the log's by default. */
  readonly partitions?: readonly number[];
  /** Largest batch read from the log at once. */
  readonly maxBatchRecords: number;
  /** How long one fetch waits for data before the loop checks for stop. */
  readonly fetchWaitMs: number;
  /** How often the store's durable checkpoint is committed to the log. */
  readonly commitIntervalMs: number;
  readonly eventTime: EventTimePolicy;
  /**
   * Refuse a batch whose offsets jump past the position (the loop stops with an error; a
   * supervisor restarts it from the store's checkpoint). For logs whose reads can skip transiently
   * (JetStream after a leader change); off for the embedded log, whose offsets only jump where
   * retention deleted records.
   */
  readonly requireContiguous?: boolean;
}

export const DEFAULT_PROCESSOR_OPTIONS: ProcessorOptions = {
  consumer: 'processor',
  // Small batches keep the shared main thread responsive: with 2,000 a batch's decoding held up
  // acknowledgements and alarms (docs/BENCHMARKS.md, alarm latency before and after).
  maxBatchRecords: 256,
  fetchWaitMs: 250,
  commitIntervalMs: 1_000,
  eventTime: DEFAULT_EVENT_TIME_POLICY,
};

export interface ProcessorDeps {
  readonly log: TelemetryLog;
  readonly store: ReadingStore;
  readonly clock: Clock;
  readonly stages?: readonly ProcessorStage[];
  readonly metrics?: ProcessorMetrics;
  /** Called once if the loop stops on an error (corrupt log entry, store failure, stage failure). */
  readonly onFatal?: (err: Error) => void;
  /**
   * Told of a failure the processor rides out: committing its position to the log (which only
   * serves retention and lag; the store's checkpoint is the position that matters) failed.
   */
  readonly onWarning?: (message: string, err: Error) => void;
  /**
   * Told of a log entry the processor skipped because it cannot be read: its checksum failed
   * (`LogCorruptionError`) or it is not an ingest record (`UndecodableRecordError`). Corrupt data is
   * never stored and never skipped silently: without this handler such an entry stops the processor.
   */
  readonly onSkipped?: (skipped: SkippedEntry) => void;
}

/** A log entry the processor could not read and went past. */
export interface SkippedEntry {
  readonly partition: number;
  readonly offset: number;
  readonly reason: 'corrupt' | 'undecodable';
  readonly error: Error;
}

interface ProcessorState {
  readonly watermarks: WatermarkState;
}

/** A log entry that passed its checksum but is not a record this version can read. */
export class UndecodableRecordError extends Error {
  readonly code = 'RECORD_UNDECODABLE';
  constructor(entry: LogEntry, cause: unknown) {
    super(`log partition ${entry.partition} offset ${entry.offset} is not a readable ingest record`, { cause });
    this.name = 'UndecodableRecordError';
  }
}

/**
 * The processor: reads the telemetry log in batches, applies event time (per-partition watermarks,
 * late readings flagged), writes the store and runs the stages. Its position is the store's
 * checkpoint, written atomically with the data, so a crash replays from exactly what is durable and
 * the store's idempotency makes the replay change nothing. The log's consumer offsets follow the
 * store's durable checkpoint (never ahead of it), for retention and lag.
 */
export class Processor {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private positions = new Map<number, number>();
  private watermarks: PartitionWatermarks;
  private lastCommitAt = 0;
  private failure: Error | undefined;
  private readonly metrics: ProcessorMetrics;
  private readonly stages: readonly ProcessorStage[];

  constructor(
    private readonly options: ProcessorOptions,
    private readonly deps: ProcessorDeps,
  ) {
    this.watermarks = new PartitionWatermarks(options.eventTime);
    this.metrics = deps.metrics ?? NO_PROCESSOR_METRICS;
    this.stages = deps.stages ?? [];
  }

  /** Resumes from the store's durable checkpoint and starts the loop. */
  async start(): Promise<void> {
    const checkpoint = await this.deps.store.checkpoint();
    const partitions = this.options.partitions ?? range(this.deps.log.partitionCount);
    this.positions = new Map(partitions.map((p) => [p, checkpoint?.offsets[p] ?? 0]));
    this.watermarks = new PartitionWatermarks(this.options.eventTime, readState(checkpoint).watermarks);
    this.loop = this.run();
  }

  /** The error that stopped the loop, if one did. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Processes everything up to the log's current end; for tests, tools and shutdown. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const end = this.deps.log.status().endOffsets;
      const behind = [...this.positions].some(([p, next]) => (end.get(p) ?? 0) > next);
      if (!behind) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Finishes the batch in hand, flushes the store and commits its checkpoint to the log. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.failure === undefined) {
      await this.deps.store.flush();
      await this.commitDurable().catch((err: unknown) => {
        this.warn('could not commit the processed position to the log at stop', err);
      });
    }
  }

  /** Goes past one unreadable entry, after telling `onSkipped`. */
  private skip(skipped: SkippedEntry): void {
    this.deps.onSkipped?.(skipped);
    const next = this.positions.get(skipped.partition);
    if (next !== undefined && skipped.offset + 1 > next) this.positions.set(skipped.partition, skipped.offset + 1);
  }

  private warn(message: string, err: unknown): void {
    this.deps.onWarning?.(message, err instanceof Error ? err : new Error(String(err)));
  }

  private async run(): Promise<void> {
    const { log } = this.deps;
    try {
      while (!this.abort.signal.aborted) {
        let entries: LogEntry[];
        try {
          entries = await log.fetch(this.positions, {
            maxRecords: this.options.maxBatchRecords,
            maxWaitMs: this.options.fetchWaitMs,
            signal: this.abort.signal,
          });
        } catch (err) {
          if (!(err instanceof LogCorruptionError) || this.deps.onSkipped === undefined) throw err;
          this.skip({ partition: err.partition, offset: err.offset, reason: 'corrupt', error: err });
          continue;
        }
        if (entries.length > 0) await this.process(entries);
        await this.maybeCommit();
      }
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.deps.onFatal?.(this.failure);
    }
  }

  private async process(entries: readonly LogEntry[]): Promise<void> {
    const records: IngestRecord[] = [];
    let late = 0;
    for (const entry of entries) {
      const expected = this.positions.get(entry.partition);
      if (this.options.requireContiguous === true && expected !== undefined && entry.offset > expected) {
        throw new Error(
          `telemetry log partition ${entry.partition}: read offset ${entry.offset} where ${expected} was next; nothing of the batch is stored`,
        );
      }
      let record: IngestRecord;
      try {
        record = decodeIngestRecord(entry.payload);
      } catch (err) {
        const error = new UndecodableRecordError(entry, err);
        if (this.deps.onSkipped === undefined) throw error;
        this.skip({ partition: entry.partition, offset: entry.offset, reason: 'undecodable', error });
        continue;
      }
      const flagged = flagLate(this.watermarks, entry.partition, record);
      if (flagged.late) late++;
      records.push(flagged.record);
      this.positions.set(entry.partition, entry.offset + 1);
    }
    const checkpoint: Checkpoint = {
      offsets: Object.fromEntries(this.positions),
      state: { watermarks: this.watermarks.state() } satisfies ProcessorState,
    };
    const result = await this.deps.store.write(records, checkpoint);
    const now = this.deps.clock.now();
    for (const record of records) this.metrics.storedLatency(now - record.receivedAt);
    this.metrics.batch({ messages: result.stored, readings: result.readings, duplicates: result.duplicates, late });
    const context = { watermarks: new Map([...this.positions.keys()].map((p) => [p, this.watermarks.watermark(p)])) };
    for (const stage of this.stages) await stage.onBatch(records, context);
  }

  private async maybeCommit(): Promise<void> {
    const now = this.deps.clock.now();
    if (now - this.lastCommitAt < this.options.commitIntervalMs) return;
    this.lastCommitAt = now;
    await this.commitDurable().catch((err: unknown) => {
      this.warn('could not commit the processed position to the log; retrying', err);
    });
    const end = this.deps.log.status().endOffsets;
    let lag = 0;
    for (const [p, next] of this.positions) lag += Math.max(0, (end.get(p) ?? 0) - next);
    this.metrics.lag(lag);
  }

  /** Commits to the log what the store holds durably — never more. */
  private async commitDurable(): Promise<void> {
    const durable = await this.deps.store.checkpoint();
    if (durable === undefined) return;
    const offsets = new Map(Object.entries(durable.offsets).map(([p, o]) => [Number(p), o]));
    await this.deps.log.commit(this.options.consumer, offsets);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function readState(checkpoint: Checkpoint | undefined): ProcessorState {
  const state = checkpoint?.state as Partial<ProcessorState> | undefined;
  return { watermarks: state?.watermarks ?? {} };
}
