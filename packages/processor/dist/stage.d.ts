import type { IngestRecord } from '@wardstream/domain';
/** What a stage knows about the batch besides its records. */
export interface BatchContext {
    /** Partition → watermark (epoch ms) after this batch; -Infinity before a partition's first reading. */
    readonly watermarks: ReadonlyMap<number, number>;
}
/**
 * An extension point of the processor: scores, detectors, alerts and the live feed are stages.
 * A stage sees every batch after it has been written to the store, per partition in log order,
 * with the processor's quality flags set. After a crash the processor replays from the store's
 * durable checkpoint, so a stage may see a record twice: its outputs must be idempotent
 * (deterministic ids), and it must not keep state that a replay cannot rebuild.
 * A stage that throws stops the processor: the alert path never swallows an error.
 */
export interface ProcessorStage {
    readonly name: string;
    onBatch(records: readonly IngestRecord[], context: BatchContext): Promise<void> | void;
}
//# sourceMappingURL=stage.d.ts.map