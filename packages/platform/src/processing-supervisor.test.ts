import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deviceId, encodeIngestRecord, WardstreamError, type IngestRecord } from '@wardstream/domain';
import { FileTelemetryLog } from '@wardstream/log';
import { DEFAULT_PROCESSOR_OPTIONS, Processor } from '@wardstream/processor';
import { SqliteReadingStore, type Checkpoint, type ReadingStore, type WriteResult } from '@wardstream/store';
import { ForwardingReadingStore } from './forwarding-store.js';
import { SILENT_LOGGER } from './logger.js';
import { ProcessingSupervisor } from './processing-supervisor.js';

const T0 = 1_764_000_000_000;

function record(seq: number): IngestRecord {
  return {
    deviceId: deviceId('dev-1'),
    patientId: null,
    boot: 'b1',
    seq,
    observedAt: T0 + seq * 1000,
    receivedAt: T0 + seq * 1000 + 5,
    readings: [{ code: 'MDC_ECG_HEART_RATE', value: 60 + (seq % 30), unit: '/min', quality: 0 }],
    waveforms: [],
  };
}

/** A real store whose writes start failing as a full disk would make them, until `heal()`. */
class FailingStore extends ForwardingReadingStore {
  failing = false;
  override write(records: readonly IngestRecord[], checkpoint: Checkpoint): Promise<WriteResult> {
    if (this.failing) return Promise.reject(new WardstreamError('UNAVAILABLE', 'a flush failed: ENOSPC (simulated)'));
    return super.write(records, checkpoint);
  }
}

describe('processing supervisor', () => {
  it('reopens a failed store and replays the log: every record stored once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-supervisor-'));
    const log = await FileTelemetryLog.open({ dir: join(dir, 'log'), partitionCount: 2 });
    const append = (from: number, to: number) =>
      log.append(
        Array.from({ length: to - from }, (_, i) => {
          const r = record(from + i);
          return {
            key: 'dev-1',
            deviceId: 'dev-1',
            boot: 'b1',
            seq: r.seq,
            contentHash: r.seq,
            payload: encodeIngestRecord(r),
          };
        }),
      );
    const opened: FailingStore[] = [];
    let diskFull = false;
    const supervisor = new ProcessingSupervisor({
      openStore: async () => {
        const store = new FailingStore();
        store.set(await SqliteReadingStore.open({ path: join(dir, 'store.db'), flushIntervalMs: 50 }));
        store.failing = diskFull;
        opened.push(store);
        return store;
      },
      makeProcessor: (store: ReadingStore, onFatal) =>
        new Processor(
          { ...DEFAULT_PROCESSOR_OPTIONS, fetchWaitMs: 20, commitIntervalMs: 50 },
          { log, store, clock: { now: () => Date.now() }, onFatal },
        ),
      logger: SILENT_LOGGER,
      clock: { now: () => Date.now() },
      onUnrecoverable: (err) => assert.fail(`unexpected unrecoverable failure: ${err.message}`),
      retryMinMs: 20,
      retryMaxMs: 100,
    });
    try {
      await supervisor.start();
      await append(1, 101);
      await supervisor.drain();

      diskFull = true;
      const first = opened[0];
      assert.ok(first);
      first.failing = true;
      await append(101, 201);
      while (supervisor.status().status === 'ok') await new Promise((r) => setTimeout(r, 10));
      const down = supervisor.status();
      assert.equal(down.status, 'down');
      assert.match(down.detail, /ENOSPC/);
      await assert.rejects(
        supervisor.store.stats(),
        (err: unknown) => err instanceof WardstreamError && err.code === 'UNAVAILABLE',
      );

      // It keeps trying to reopen (at most retryMaxMs apart); wait for a retry without timing it.
      for (let waited = 0; opened.length < 2 && waited < 10_000; waited += 10)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(opened.length >= 2, 'the supervisor kept trying to reopen the store');
      diskFull = false;
      for (const s of opened) s.failing = false;
      while (supervisor.status().status !== 'ok') await new Promise((r) => setTimeout(r, 10));
      await append(201, 251);
      await supervisor.drain();

      const page = await supervisor.store.range({
        subject: { deviceId: deviceId('dev-1') },
        fromAt: 0,
        toAt: T0 * 2,
        limit: 1000,
      });
      assert.deepEqual(
        page.readings.map((r) => r.seq),
        Array.from({ length: 250 }, (_, i) => i + 1),
      );
      assert.ok(supervisor.restarts >= 1);
    } finally {
      await supervisor.stop();
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
