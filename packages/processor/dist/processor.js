import { decodeIngestRecord, DEFAULT_EVENT_TIME_POLICY, PartitionWatermarks, } from '@wardstream/domain';
import { LogCorruptionError } from '@wardstream/log';
import { flagLate } from './flag-late.js';
import { NO_PROCESSOR_METRICS } from './metrics.js';
export const DEFAULT_PROCESSOR_OPTIONS = {
    consumer: 'processor',
    // Small batches keep the shared main thread responsive: with 2,000 a batch's decoding held up
    // acknowledgements and alarms (docs/BENCHMARKS.md, alarm latency before and after).
    maxBatchRecords: 256,
    fetchWaitMs: 250,
    commitIntervalMs: 1_000,
    eventTime: DEFAULT_EVENT_TIME_POLICY,
};
/** A log entry that passed its checksum but is not a record this version can read. */
export class UndecodableRecordError extends Error {
    code = 'RECORD_UNDECODABLE';
    constructor(entry, cause) {
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
    options;
    deps;
    abort = new AbortController();
    loop;
    positions = new Map();
    watermarks;
    lastCommitAt = 0;
    failure;
    metrics;
    stages;
    constructor(options, deps) {
        this.options = options;
        this.deps = deps;
        this.watermarks = new PartitionWatermarks(options.eventTime);
        this.metrics = deps.metrics ?? NO_PROCESSOR_METRICS;
        this.stages = deps.stages ?? [];
    }
    /** Resumes from the store's durable checkpoint and starts the loop. */
    async start() {
        const checkpoint = await this.deps.store.checkpoint();
        const partitions = this.options.partitions ?? range(this.deps.log.partitionCount);
        this.positions = new Map(partitions.map((p) => [p, checkpoint?.offsets[p] ?? 0]));
        this.watermarks = new PartitionWatermarks(this.options.eventTime, readState(checkpoint).watermarks);
        this.loop = this.run();
    }
    /** The error that stopped the loop, if one did. */
    get error() {
        return this.failure;
    }
    /** Processes everything up to the log's current end; for tests, tools and shutdown. */
    async drain() {
        for (;;) {
            if (this.failure !== undefined)
                throw this.failure;
            const end = this.deps.log.status().endOffsets;
            const behind = [...this.positions].some(([p, next]) => (end.get(p) ?? 0) > next);
            if (!behind)
                return;
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
    }
    /** Finishes the batch in hand, flushes the store and commits its checkpoint to the log. */
    async stop() {
        this.abort.abort();
        await this.loop;
        if (this.failure === undefined) {
            await this.deps.store.flush();
            await this.commitDurable().catch((err) => {
                this.warn('could not commit the processed position to the log at stop', err);
            });
        }
    }
    /** Goes past one unreadable entry, after telling `onSkipped`. */
    skip(skipped) {
        this.deps.onSkipped?.(skipped);
        const next = this.positions.get(skipped.partition);
        if (next !== undefined && skipped.offset + 1 > next)
            this.positions.set(skipped.partition, skipped.offset + 1);
    }
    warn(message, err) {
        this.deps.onWarning?.(message, err instanceof Error ? err : new Error(String(err)));
    }
    async run() {
        const { log } = this.deps;
        try {
            while (!this.abort.signal.aborted) {
                let entries;
                try {
                    entries = await log.fetch(this.positions, {
                        maxRecords: this.options.maxBatchRecords,
                        maxWaitMs: this.options.fetchWaitMs,
                        signal: this.abort.signal,
                    });
                }
                catch (err) {
                    if (!(err instanceof LogCorruptionError) || this.deps.onSkipped === undefined)
                        throw err;
                    this.skip({ partition: err.partition, offset: err.offset, reason: 'corrupt', error: err });
                    continue;
                }
                if (entries.length > 0)
                    await this.process(entries);
                await this.maybeCommit();
            }
        }
        catch (err) {
            this.failure = err instanceof Error ? err : new Error(String(err));
            this.deps.onFatal?.(this.failure);
        }
    }
    async process(entries) {
        const records = [];
        let late = 0;
        for (const entry of entries) {
            let record;
            try {
                record = decodeIngestRecord(entry.payload);
            }
            catch (err) {
                const error = new UndecodableRecordError(entry, err);
                if (this.deps.onSkipped === undefined)
                    throw error;
                this.skip({ partition: entry.partition, offset: entry.offset, reason: 'undecodable', error });
                continue;
            }
            const flagged = flagLate(this.watermarks, entry.partition, record);
            if (flagged.late)
                late++;
            records.push(flagged.record);
            this.positions.set(entry.partition, entry.offset + 1);
        }
        const checkpoint = {
            offsets: Object.fromEntries(this.positions),
            state: { watermarks: this.watermarks.state() },
        };
        const result = await this.deps.store.write(records, checkpoint);
        const now = this.deps.clock.now();
        for (const record of records)
            this.metrics.storedLatency(now - record.receivedAt);
        this.metrics.batch({ messages: result.stored, readings: result.readings, duplicates: result.duplicates, late });
        const context = { watermarks: new Map([...this.positions.keys()].map((p) => [p, this.watermarks.watermark(p)])) };
        for (const stage of this.stages)
            await stage.onBatch(records, context);
    }
    async maybeCommit() {
        const now = this.deps.clock.now();
        if (now - this.lastCommitAt < this.options.commitIntervalMs)
            return;
        this.lastCommitAt = now;
        await this.commitDurable().catch((err) => {
            this.warn('could not commit the processed position to the log; retrying', err);
        });
        const end = this.deps.log.status().endOffsets;
        let lag = 0;
        for (const [p, next] of this.positions)
            lag += Math.max(0, (end.get(p) ?? 0) - next);
        this.metrics.lag(lag);
    }
    /** Commits to the log what the store holds durably — never more. */
    async commitDurable() {
        const durable = await this.deps.store.checkpoint();
        if (durable === undefined)
            return;
        const offsets = new Map(Object.entries(durable.offsets).map(([p, o]) => [Number(p), o]));
        await this.deps.log.commit(this.options.consumer, offsets);
    }
}
function range(n) {
    return Array.from({ length: n }, (_, i) => i);
}
function readState(checkpoint) {
    const state = checkpoint?.state;
    return { watermarks: state?.watermarks ?? {} };
}
//# sourceMappingURL=processor.js.map