import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '@wardstream/domain';
import { readAll, record, records, tempLog } from './test-support.js';

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'p0'))).filter((name) => name.endsWith('.seg')).sort();
}

describe('FileTelemetryLog segments and retention', () => {
  it('rolls segments, and deletes one only when every consumer is past it for retainConsumedMs', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = await tempLog({ partitionCount: 1, segmentBytes: 4096, retainConsumedMs: 60_000, clock });
    let log = await storage.open();
    try {
      for (let first = 0; first < 200; first += 10) await log.append(records('a', first, 10));
      const files = await segmentFiles(storage.dir);
      assert.ok(files.length >= 4, `rolled into ${files.length} segments`);
      let onDisk = 0;
      for (const name of files) onDisk += (await stat(join(storage.dir, 'p0', name))).size;
      assert.equal(log.status().bytes, onDisk);
      assert.deepEqual(
        (await readAll(log)).map((e) => e.offset),
        [...Array(200).keys()],
      );

      clock.advance(3_600_000);
      assert.equal(await log.enforceRetention(), 0, 'no consumer has committed: everything is kept');
      await log.commit('processor', new Map([[0, 200]]));
      await log.commit('archiver', new Map([[0, 95]]));
      assert.equal(await log.enforceRetention(), 0, 'consumed, but not for retainConsumedMs yet');
      clock.advance(59_999);
      assert.equal(await log.enforceRetention(), 0);
      clock.advance(1);
      const deleted = await log.enforceRetention();
      assert.ok(deleted > 0);
      const remaining = await segmentFiles(storage.dir);
      assert.equal(remaining.length, files.length - deleted);
      const firstKept = Number(remaining[0]?.slice(0, 20));
      assert.ok(firstKept > 0 && firstKept <= 95, `first kept segment starts at ${firstKept}, at or before 95`);
      await assert.rejects(log.fetch(new Map([[0, 0]]), { maxRecords: 1, maxWaitMs: 0 }), RangeError);
      const kept = await readAll(log, new Map([[0, firstKept]]));
      assert.equal(kept.length, 200 - firstKept);

      const [deletedKey, retained] = await log.append([record('a', 0), record('a', 120)]);
      assert.deepEqual(deletedKey, { kind: 'retired' }, 'a deleted key is retired, not appended again');
      assert.deepEqual(retained, { kind: 'duplicate', partition: 0, offset: 120 });

      await log.close();
      log = await storage.open({ clock });
      assert.equal((await readAll(log, new Map([[0, firstKept]]))).length, 200 - firstKept);
      await log.commit('archiver', new Map([[0, 200]]));
      clock.advance(60_000);
      await log.enforceRetention();
      assert.equal((await segmentFiles(storage.dir)).length, 1, 'the active segment is never deleted');
      assert.deepEqual(await log.fetch(new Map([[0, 200]]), { maxRecords: 1, maxWaitMs: 0 }), []);
    } finally {
      await log.close();
      await storage.cleanup();
    }
  });
});
