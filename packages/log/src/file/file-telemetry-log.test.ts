import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTelemetryLogContract } from '../contract.js';
import { keyOf, readAll, record, records, tempLog } from './test-support.js';

describeTelemetryLogContract('FileTelemetryLog', () => tempLog());

describe('FileTelemetryLog idempotency index', () => {
  it('tells duplicates from conflicts beyond the conflict window, before and after reopen', async () => {
    const storage = await tempLog({ conflictWindow: 4, partitionCount: 3 });
    let log = await storage.open();
    try {
      const outcomes = await log.append([...records('a', 1, 20), ...records('b', 1, 20)]);
      const original = outcomes[1]; // a, seq 2: long out of the window
      assert.equal(original?.kind, 'appended');
      const check = async (): Promise<void> => {
        const [old, oldConflict, recent, fresh] = await log.append([
          record('a', 2),
          record('a', 2, { contentHash: -1 }),
          record('a', 20),
          record('a', 21),
        ]);
        assert.deepEqual(old, { ...original, kind: 'duplicate' });
        assert.deepEqual(oldConflict, { ...original, kind: 'conflict' });
        assert.deepEqual(recent, { ...outcomes[19], kind: 'duplicate' });
        assert.equal(fresh?.kind, 'appended');
      };
      await check();
      await log.close();
      log = await storage.open();
      const [again] = await log.append([record('a', 21)]);
      assert.equal(again?.kind, 'duplicate');
      const [old] = await log.append([record('a', 2)]);
      assert.deepEqual(old, { ...original, kind: 'duplicate' });
      assert.equal((await readAll(log)).length, 41);
    } finally {
      await log.close();
      await storage.cleanup();
    }
  });

  it('finds a record appended under another partition key (a device moved to another patient)', async () => {
    const storage = await tempLog({ conflictWindow: 1 });
    const log = await storage.open();
    try {
      const [first] = await log.append([record('a', 1, { key: 'patient-1' })]);
      await log.append([record('a', 2, { key: 'patient-2' })]);
      const [again] = await log.append([record('a', 1, { key: 'patient-2' })]);
      assert.deepEqual(again, { ...first, kind: 'duplicate' });
    } finally {
      await log.close();
      await storage.cleanup();
    }
  });
});

describe('FileTelemetryLog options', () => {
  it('lists every invalid option at once', async () => {
    const storage = await tempLog();
    try {
      await assert.rejects(
        storage.open({ partitionCount: 0, segmentBytes: 10, conflictWindow: 1.5, recoveryIntervalMs: -1 }),
        (error: unknown) =>
          error instanceof RangeError &&
          ['partitionCount', 'segmentBytes', 'conflictWindow', 'recoveryIntervalMs'].every((name) =>
            error.message.includes(name),
          ),
      );
    } finally {
      await storage.cleanup();
    }
  });

  it('keeps the partition count a log was created with', async () => {
    const storage = await tempLog();
    try {
      await (await storage.open({ partitionCount: 3 })).close();
      await assert.rejects(storage.open({ partitionCount: 4 }), /3 partitions/);
      const log = await storage.open();
      assert.equal(log.partitionCount, 3);
      await log.close();
    } finally {
      await storage.cleanup();
    }
  });

  it('rejects malformed append requests without appending any of them', async () => {
    const storage = await tempLog();
    const log = await storage.open();
    try {
      await assert.rejects(log.append([record('a', 1), record('a', -1)]), /request 1: seq/);
      await assert.rejects(log.append([record('', 1)]), /deviceId/);
      assert.deepEqual((await readAll(log)).map(keyOf), []);
    } finally {
      await log.close();
      await storage.cleanup();
    }
  });
});
