import { type IngestRecord, type PartitionWatermarks } from '@wardstream/domain';
/**
 * Applies event time to one record of `partition`: observes it against the partition's watermark
 * and, when it is late, returns a copy with the `late` flag on every reading and waveform.
 * A clock-skewed record (flagged at the gateway) is classified but does not move the watermark.
 */
export declare function flagLate(watermarks: PartitionWatermarks, partition: number, record: IngestRecord): {
    record: IngestRecord;
    late: boolean;
};
//# sourceMappingURL=flag-late.d.ts.map