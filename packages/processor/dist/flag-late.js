import { QualityFlag } from '@wardstream/domain';
/**
 * Applies event time to one record of `partition`: observes it against the partition's watermark
 * and, when it is late, returns a copy with the `late` flag on every reading and waveform.
 * A clock-skewed record (flagged at the gateway) is classified but does not move the watermark.
 */
export function flagLate(watermarks, partition, record) {
    const first = record.readings[0] ?? record.waveforms[0];
    if (first === undefined)
        return { record, late: false };
    const skewed = (first.quality & QualityFlag.clockSkew) !== 0;
    const late = watermarks.observe(partition, record.observedAt, !skewed);
    if (!late)
        return { record, late };
    return {
        late,
        record: {
            ...record,
            readings: record.readings.map((r) => ({ ...r, quality: r.quality | QualityFlag.late })),
            waveforms: record.waveforms.map((w) => ({ ...w, quality: w.quality | QualityFlag.late })),
        },
    };
}
//# sourceMappingURL=flag-late.js.map