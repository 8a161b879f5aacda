import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deviceId, encodeIngestRecord, patientId, qualityNames, QualityFlag, } from '@wardstream/domain';
import { FileTelemetryLog, LogCorruptionError, } from '@wardstream/log';
import { SqliteReadingStore } from '@wardstream/store';
import { DEFAULT_PROCESSOR_OPTIONS, Processor } from './processor.js';
const T0 = 1_764_000_000_000;
const POLICY = { maxOutOfOrdernessMs: 5_000, allowedLatenessMs: 60_000 };
const DEVICES = [
    { device: 'mon-1', patient: 'pt-1' },
    { device: 'mon-2', patient: 'pt-2' },
    { device: 'mon-3', patient: null },
];
function record(device, patient, seq, observedAt, quality = 0) {
    return {
        deviceId: deviceId(device),
        patientId: patient === null ? null : patientId(patient),
        boot: 'b1',
        seq,
        observedAt,
        receivedAt: observedAt + 20,
        readings: [
            { code: 'MDC_ECG_HEART_RATE', value: 60 + (seq % 40), unit: '/min', quality },
            { code: 'MDC_PULS_OXIM_SAT_O2', value: 90 + (seq % 10), unit: '%', quality },
        ],
        waveforms: [],
    };
}
/** 120 s of 1 Hz messages from every device, in event-time order. */
function ordered() {
    const out = [];
    for (let s = 1; s <= 120; s++)
        for (const d of DEVICES)
            out.push(record(d.device, d.patient, s, T0 + s * 1_000));
    return out;
}
/** Deterministic shuffle within consecutive windows of `size` records. */
function shuffledWithin(records, size) {
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const out = [];
    for (let i = 0; i < records.length; i += size) {
        const window = records.slice(i, i + size);
        for (let j = window.length - 1; j > 0; j--) {
            const k = Math.floor(random() * (j + 1));
            [window[j], window[k]] = [window[k], window[j]];
        }
        out.push(...window);
    }
    return out;
}
/** A log that hands every entry out twice, as an at-least-once log may after a redelivery. */
class RedeliveringLog {
    inner;
    constructor(inner) {
        this.inner = inner;
    }
    get partitionCount() {
        return this.inner.partitionCount;
    }
    append = (r) => this.inner.append(r);
    commit = (c, o) => this.inner.commit(c, o);
    committed = (c) => this.inner.committed(c);
    status = () => this.inner.status();
    close = () => this.inner.close();
    async fetch(from, options) {
        const entries = await this.inner.fetch(from, options);
        return entries.flatMap((e) => [e, e]);
    }
}
async function process(records, wrap = (log) => log) {
    const dir = await mkdtemp(join(tmpdir(), 'ws-processor-'));
    // One partition: every device shares one watermark, so out-of-order data of one device meets the others'.
    const log = await FileTelemetryLog.open({ dir: join(dir, 'log'), partitionCount: 1 });
    const store = await SqliteReadingStore.open({ path: join(dir, 'store.db') });
    let duplicates = 0;
    try {
        // One append per record, in the given order: the log keeps that order within each partition.
        for (const r of records) {
            await log.append([
                {
                    key: r.patientId ?? r.deviceId,
                    deviceId: r.deviceId,
                    boot: r.boot,
                    seq: r.seq,
                    contentHash: r.seq,
                    payload: encodeIngestRecord(r),
                },
            ]);
        }
        const processor = new Processor({ ...DEFAULT_PROCESSOR_OPTIONS, fetchWaitMs: 20, maxBatchRecords: 50, eventTime: POLICY }, {
            log: wrap(log),
            store,
            clock: { now: () => Date.now() },
            metrics: { batch: (s) => (duplicates += s.duplicates), storedLatency: () => undefined, lag: () => undefined },
        });
        await processor.start();
        await processor.drain();
        await processor.stop();
        const readings = [];
        for (const d of DEVICES) {
            const page = await store.range({
                subject: { deviceId: deviceId(d.device) },
                fromAt: 0,
                toAt: T0 * 2,
                limit: 10_000,
            });
            readings.push(...page.readings);
        }
        return { readings, duplicates };
    }
    finally {
        await store.close();
        await log.close();
        await rm(dir, { recursive: true, force: true });
    }
}
describe('processor: event time', () => {
    it('stores the same result for input shuffled within the lateness bound', async () => {
        const inOrder = await process(ordered());
        // Windows of 180 records span 60 s of event time: a reading may arrive up to 59 s after newer ones
        // of other devices in its partition — just within out-of-orderness + allowed lateness (65 s).
        const shuffled = await process(shuffledWithin(ordered(), 180));
        assert.equal(inOrder.readings.length, 120 * 3 * 2);
        assert.deepEqual(shuffled.readings, inOrder.readings);
        assert.ok(inOrder.readings.every((r) => r.quality === 0));
    });
    it('stores a reading beyond the lateness bound and flags it late, and only it', async () => {
        const records = ordered();
        // mon-1's seq 200 was observed 100 s before the partition's newest event: beyond 5 s + 60 s.
        records.push(record('mon-1', 'pt-1', 200, T0 + 20_000));
        const { readings } = await process(records);
        const late = readings.filter((r) => (r.quality & QualityFlag.late) !== 0);
        assert.deepEqual(late.map((r) => [r.deviceId, r.seq, qualityNames(r.quality)]), [
            ['mon-1', 200, ['late']],
            ['mon-1', 200, ['late']],
        ]);
        assert.equal(readings.length, 120 * 3 * 2 + 2);
    });
    it('keeps other flags and does not let a clock-skewed reading make its neighbours late', async () => {
        const records = ordered();
        // mon-2's clock jumps an hour ahead (flagged clock-skew at the gateway) in the middle of the run.
        records.splice(150, 0, record('mon-2', 'pt-2', 500, T0 + 3_600_000, QualityFlag.clockSkew));
        const { readings } = await process(records);
        assert.deepEqual(readings.filter((r) => r.quality !== 0).map((r) => [r.seq, qualityNames(r.quality)]), [
            [500, ['clockSkew']],
            [500, ['clockSkew']],
        ]);
    });
});
describe('processor: idempotency', () => {
    it('leaves one row per reading when the log delivers every message twice', async () => {
        const once = await process(ordered());
        const twice = await process(ordered(), (log) => new RedeliveringLog(log));
        assert.deepEqual(twice.readings, once.readings);
        assert.equal(twice.duplicates, 120 * 3);
        const keys = new Set(twice.readings.map((r) => `${r.deviceId}/${r.boot}/${r.seq}/${r.code}`));
        assert.equal(keys.size, twice.readings.length);
    });
});
describe('processor: unreadable log records', () => {
    async function corruptLog(dir) {
        const log = await FileTelemetryLog.open({ dir: join(dir, 'log'), partitionCount: 1 });
        for (const r of ordered().slice(0, 30)) {
            await log.append([
                {
                    key: 'k',
                    deviceId: r.deviceId,
                    boot: r.boot,
                    seq: r.seq,
                    contentHash: r.seq,
                    payload: encodeIngestRecord(r),
                },
            ]);
        }
        await log.close();
        const segment = join(dir, 'log', 'p0', '00000000000000000000.seg');
        const bytes = await readFile(segment);
        bytes[Math.floor(bytes.length / 2)] ^= 0xff;
        await writeFile(segment, bytes);
        return FileTelemetryLog.open({ dir: join(dir, 'log') });
    }
    it('skips a corrupt record loudly and stores every other one', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'ws-processor-corrupt-'));
        const log = await corruptLog(dir);
        const store = await SqliteReadingStore.open({ path: join(dir, 'store.db') });
        const skipped = [];
        try {
            const processor = new Processor({ ...DEFAULT_PROCESSOR_OPTIONS, fetchWaitMs: 20, eventTime: POLICY }, { log, store, clock: { now: () => Date.now() }, onSkipped: (s) => skipped.push(s) });
            await processor.start();
            await processor.drain();
            await processor.stop();
            assert.equal(processor.error, undefined);
            assert.equal(skipped.length, 1);
            assert.equal(skipped[0]?.reason, 'corrupt');
            const stats = await store.stats();
            assert.equal(stats.messages, 29);
        }
        finally {
            await store.close();
            await log.close();
            await rm(dir, { recursive: true, force: true });
        }
    });
    it('stops on a corrupt record when nobody is told of skips', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'ws-processor-corrupt-'));
        const log = await corruptLog(dir);
        const store = await SqliteReadingStore.open({ path: join(dir, 'store.db') });
        try {
            const processor = new Processor({ ...DEFAULT_PROCESSOR_OPTIONS, fetchWaitMs: 20 }, { log, store, clock: { now: () => Date.now() } });
            await processor.start();
            await assert.rejects(processor.drain(), LogCorruptionError);
            await processor.stop();
        }
        finally {
            await store.close();
            await log.close();
            await rm(dir, { recursive: true, force: true });
        }
    });
});
//# sourceMappingURL=processor.test.js.map