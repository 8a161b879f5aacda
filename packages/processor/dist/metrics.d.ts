/** What the processor reports; the platform implements it with Prometheus metrics. */
export interface ProcessorMetrics {
    /** A batch was written: message and reading counts, duplicates skipped, late messages. */
    batch(stats: {
        messages: number;
        readings: number;
        duplicates: number;
        late: number;
    }): void;
    /** Ingest-to-visible latency of one message: receivedAt at the gateway → written to the store, ms. */
    storedLatency(latencyMs: number): void;
    /** Messages behind the end of the log, summed over partitions. */
    lag(messages: number): void;
}
/** Discards everything; for tests and tools. */
export declare const NO_PROCESSOR_METRICS: ProcessorMetrics;
//# sourceMappingURL=metrics.d.ts.map