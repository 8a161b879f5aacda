import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deviceId, encodeIngestRecord, QualityFlag, type DeviceStatus, type IngestRecord } from '@wardstream/domain';
import { FileTelemetryLog, type TelemetryLog } from '@wardstream/log';
import { SqliteReadingStore } from '@wardstream/store';
import { CLOCK_SKEW_WINDOW, FleetStatusTracker } from './fleet-status.js';
import { DEFAULT_PROCESSOR_OPTIONS, Processor } from './processor.js';

const T0 = 1_764_000_000_000;
const MON = deviceId('mon-1');

function record(
  seq: number,
  options: { receivedAt?: number; skewMs?: number; quality?: number; status?: DeviceStatus; device?: string } = {},
): IngestRecord {
  const receivedAt = options.receivedAt ?? T0 + seq * 1_000;
  return {
    deviceId: deviceId(options.device ?? 'mon-1'),
    patientId: null,
    boot: 'b1',
    seq,
    observedAt: receivedAt + (options.skewMs ?? 0),
    receivedAt,
    readings: [
      { code: 'MDC_ECG_HEART_RATE', value: 60, unit: '/min', quality: options.quality ?? 0 },
      { code: 'MDC_PULS_OXIM_SAT_O2', value: 97, unit: '%', quality: 0 },
    ],
    waveforms: [],
    ...(options.status === undefined ? {} : { status: options.status }),
  };
}

/** The log, handing every entry out twice (as an at-least-once log may after a redelivery). */
function redelivering(log: TelemetryLog): TelemetryLog {
  return {
    get partitionCount() {
      return log.partitionCount;
    },
    append: (r) => log.append(r),
    commit: (c, o) => log.commit(c, o),
    committed: (c) => log.committed(c),
    status: () => log.status(),
    close: () => log.close(),
    fetch: async (from, options) => (await log.fetch(from, options)).flatMap((e) => [e, e]),
  };
}

const only = (tracker: FleetStatusTracker) => {
  const [status] = tracker.status();
  assert.ok(status !== undefined, 'the device is tracked');
  return status;
};

describe('fleet status tracker', () => {
  it('keeps the newest message, its status fields and the counts of flagged readings', () => {
    const tracker = new FleetStatusTracker();
    tracker.onBatch([
      record(1, { status: { batteryFraction: 0.8, rssiDbm: -60, errors: [], firmware: 'fw 1.0' } }),
      record(2, { quality: QualityFlag.implausible | QualityFlag.artifact }),
      record(3, { quality: QualityFlag.late, status: { batteryFraction: 0.7, errors: ['SPO2_PROBE_OFF'] } }),
    ]);
    const s = only(tracker);
    assert.equal(s.deviceId, MON);
    assert.equal(s.lastSeenAt, T0 + 3_000);
    assert.equal(s.lastObservedAt, T0 + 3_000);
    // The newest status without rssi or firmware keeps the earlier ones; its errors replace the earlier errors.
    assert.deepEqual(
      [s.batteryFraction, s.rssiDbm, s.firmware, s.deviceErrors],
      [0.7, -60, 'fw 1.0', ['SPO2_PROBE_OFF']],
    );
    assert.deepEqual(s.counters, {
      messages: 3,
      implausible: 1,
      artifact: 1,
      late: 1,
      clockSkew: 0,
      refusedMessages: 0,
      refusedItems: 0,
    });
    assert.equal(s.certificateNotAfter, null);
  });

  it('lets an older message arriving late count, but not replace what a newer one said', () => {
    const tracker = new FleetStatusTracker();
    tracker.observe(record(5, { status: { batteryFraction: 0.5, errors: [] } }));
    tracker.observe(record(4, { status: { batteryFraction: 0.9, errors: ['old'] } }));
    const s = only(tracker);
    assert.deepEqual([s.lastSeenAt, s.batteryFraction, s.deviceErrors, s.counters.messages], [T0 + 5_000, 0.5, [], 2]);
  });

  it('counts a record seen again (a replay from the checkpoint) once', () => {
    const tracker = new FleetStatusTracker();
    const batch = [record(1, { quality: QualityFlag.late }), record(2)];
    tracker.onBatch(batch);
    tracker.onBatch(batch);
    assert.deepEqual([only(tracker).counters.messages, only(tracker).counters.late], [2, 1]);
  });

  it('estimates clock skew as the median of observedAt − receivedAt over the newest messages', () => {
    const tracker = new FleetStatusTracker();
    // An hour fast, with the odd message delayed in transit by 5 s: the median ignores it.
    for (let seq = 1; seq <= 9; seq++) tracker.observe(record(seq, { skewMs: seq % 4 === 0 ? 3_595_000 : 3_600_000 }));
    assert.equal(only(tracker).clockSkewMs, 3_600_000);
    // The clock is set right: once the newest window is mostly correct, so is the estimate.
    for (let seq = 10; seq < 10 + CLOCK_SKEW_WINDOW; seq++) tracker.observe(record(seq, { skewMs: -40 }));
    assert.equal(only(tracker).clockSkewMs, -40);
    assert.equal(new FleetStatusTracker().status().length, 0);
  });

  it('counts refusals and keeps the certificate expiry of devices that never had a message stored', () => {
    const tracker = new FleetStatusTracker();
    const other = deviceId('mon-2');
    tracker.refused(other, 'message');
    tracker.refused(other, 'message');
    tracker.refused(other, 'item');
    tracker.certificate(other, T0 + 86_400_000);
    tracker.certificate(other, T0 + 2 * 86_400_000);
    const s = only(tracker);
    assert.deepEqual(
      [
        s.deviceId,
        s.lastSeenAt,
        s.clockSkewMs,
        s.certificateNotAfter,
        s.counters.refusedMessages,
        s.counters.refusedItems,
      ],
      [other, null, null, T0 + 2 * 86_400_000, 2, 1],
    );
  });

  it('sees the processor’s late flag and each message once when the log hands entries out twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-fleet-'));
    const log = await FileTelemetryLog.open({ dir: join(dir, 'log'), partitionCount: 1 });
    const store = await SqliteReadingStore.open({ path: join(dir, 'store.db') });
    try {
      const records = [record(1), record(2), record(3, { device: 'mon-2' })];
      // Observed 200 s before the partition's newest event: beyond the default lateness bound.
      records.push(record(4, { receivedAt: T0 + 4_000, skewMs: -200_000 }));
      for (const r of records) {
        await log.append([
          {
            key: r.deviceId,
            deviceId: r.deviceId,
            boot: r.boot,
            seq: r.seq,
            contentHash: r.seq,
            payload: encodeIngestRecord(r),
          },
        ]);
      }
      const tracker = new FleetStatusTracker();
      const processor = new Processor(
        { ...DEFAULT_PROCESSOR_OPTIONS, fetchWaitMs: 20 },
        {
          log: redelivering(log),
          store,
          clock: { now: () => Date.now() },
          stages: [tracker],
        },
      );
      await processor.start();
      await processor.drain();
      await processor.stop();
      const byId = new Map(tracker.status().map((s) => [s.deviceId, s]));
      assert.deepEqual([byId.get(MON)?.counters.messages, byId.get(MON)?.counters.late], [3, 2]);
      assert.equal(byId.get(deviceId('mon-2'))?.counters.messages, 1);
    } finally {
      await store.close();
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
