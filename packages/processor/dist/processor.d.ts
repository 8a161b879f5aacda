import { type Clock, type EventTimePolicy } from '@wardstream/domain';
import { type LogEntry, type TelemetryLog } from '@wardstream/log';
import type { ReadingStore } from '@wardstream/store';
import { type ProcessorMetrics } from './metrics.js';
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
}
export declare const DEFAULT_PROCESSOR_OPTIONS: ProcessorOptions;
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
/** A log entry that passed its checksum but is not a record this version can read. */
export declare class UndecodableRecordError extends Error {
    readonly code = "RECORD_UNDECODABLE";
    constructor(entry: LogEntry, cause: unknown);
}
/**
 * The processor: reads the telemetry log in batches, applies event time (per-partition watermarks,
 * late readings flagged), writes the store and runs the stages. Its position is the store's
 * checkpoint, written atomically with the data, so a crash replays from exactly what is durable and
 * the store's idempotency makes the replay change nothing. The log's consumer offsets follow the
 * store's durable checkpoint (never ahead of it), for retention and lag.
 */
export declare class Processor {
    private readonly options;
    private readonly deps;
    private readonly abort;
    private loop;
    private positions;
    private watermarks;
    private lastCommitAt;
    private failure;
    private readonly metrics;
    private readonly stages;
    constructor(options: ProcessorOptions, deps: ProcessorDeps);
    /** Resumes from the store's durable checkpoint and starts the loop. */
    start(): Promise<void>;
    /** The error that stopped the loop, if one did. */
    get error(): Error | undefined;
    /** Processes everything up to the log's current end; for tests, tools and shutdown. */
    drain(): Promise<void>;
    /** Finishes the batch in hand, flushes the store and commits its checkpoint to the log. */
    stop(): Promise<void>;
    /** Goes past one unreadable entry, after telling `onSkipped`. */
    private skip;
    private warn;
    private run;
    private process;
    private maybeCommit;
    /** Commits to the log what the store holds durably — never more. */
    private commitDurable;
}
//# sourceMappingURL=processor.d.ts.map