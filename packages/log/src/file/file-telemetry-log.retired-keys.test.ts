import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '@wardstream/domain';
import type { AppendOutcome } from '../telemetry-log.js';
import { FaultInjectingFileSystem } from './fault-injecting-file-system.js';
import { FileTelemetryLog } from './file-telemetry-log.js';
import { readAll, record, records, tempLog, type TempLog } from './test-support.js';

const RETIRED_FILE = 'retired-keys.json';

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'p0'))).filter((name) => name.endsWith('.seg')).sort();
}

/**
 * A log of one partition with small segments: devices 'a' (boot b1) and 'n' (no boot id) append
 * seqs 1…100 interleaved, spread over several segments, and every record is consumed.
 */
async function consumedLog(storage: TempLog): Promise<FileTelemetryLog> {
  const log = await storage.open();
  for (let first = 1; first <= 100; first += 10) {
    const noBoot = Array.from({ length: 10 }, (_, i) => record('n', first + i, { boot: '' }));
    await log.append([...records('a', first, 10), ...noBoot]);
  }
  await log.commit('processor', new Map([[0, 200]]));
  return log;
}

async function withStorage(body: (storage: TempLog) => Promise<void>): Promise<void> {
  const storage = await tempLog({ partitionCount: 1, segmentBytes: 4096, retainConsumedMs: 0 });
  try {
    await body(storage);
  } finally {
    await storage.cleanup();
  }
}

describe('FileTelemetryLog retired keys', () => {
  it('answers `retired` for a key of a deleted segment, whatever its content, and appends nothing', () =>
    withStorage(async (storage) => {
      let log = await consumedLog(storage);
      try {
        const deleted = await log.enforceRetention();
        assert.ok(deleted >= 2, `deleted ${deleted} segments`);
        const firstKept = Number((await segmentFiles(storage.dir))[0]?.slice(0, 20));
        const endBefore = log.status().endOffsets.get(0);

        const outcomes = await log.append([
          record('a', 1),
          record('a', 1, { contentHash: 999 }),
          record('n', 2, { boot: '' }),
          record('a', 100),
          record('a', 101),
          record('a', 1, { boot: 'b2' }),
          record('n', 1, { boot: 'b2' }),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.kind),
          ['retired', 'retired', 'retired', 'duplicate', 'appended', 'appended', 'appended'],
        );
        assert.equal(log.status().endOffsets.get(0), (endBefore ?? 0) + 3, 'only the fresh keys were appended');
        assert.deepEqual(
          (await readAll(log, new Map([[0, firstKept]]))).slice(-3).map((e) => [e.deviceId, e.boot, e.seq]),
          [
            ['a', 'b1', 101],
            ['a', 'b2', 1],
            ['n', 'b2', 1],
          ],
        );
        // Compact: one range per (device, boot), however many seqs.
        assert.deepEqual(log.status().retiredKeys, { boots: 2, ranges: 2 });

        await log.close();
        log = await storage.open();
        assert.deepEqual(log.status().retiredKeys, { boots: 2, ranges: 2 });
        const reopened = await log.append([record('a', 1), record('n', 1, { boot: '' }), record('a', 102)]);
        assert.deepEqual(
          reopened.map((o) => o.kind),
          ['retired', 'retired', 'appended'],
        );
      } finally {
        await log.close();
      }
    }));

  it('never appends an old key again while retention deletes its segment', () =>
    withStorage(async (storage) => {
      let log = await consumedLog(storage);
      await log.close();
      let appending: Promise<AppendOutcome[]> | undefined;
      /** Appends old keys just as retention unlinks the first segment, while the index still holds them. */
      class AppendAtUnlink extends FaultInjectingFileSystem {
        override unlink(path: string): Promise<void> {
          appending ??= log.append([record('a', 1), record('n', 1, { boot: '' })]);
          return super.unlink(path);
        }
      }
      // A window of 1: seq 1 is older than the window, so the append scans the segments for it.
      log = await storage.open({ conflictWindow: 1, fileSystem: new AppendAtUnlink() });
      try {
        assert.ok((await log.enforceRetention()) >= 2);
        assert.ok(appending);
        for (const outcome of await appending) {
          assert.ok(['duplicate', 'retired'].includes(outcome.kind), outcome.kind);
        }
        assert.deepEqual(await log.append([record('a', 1)]), [{ kind: 'retired' }]);
      } finally {
        await log.close();
      }
    }));

  it('keeps one range per (device, boot) on disk', () =>
    withStorage(async (storage) => {
      const log = await consumedLog(storage);
      try {
        await log.enforceRetention();
        const stored = JSON.parse(await readFile(join(storage.dir, RETIRED_FILE), 'utf8')) as { keys: unknown[] };
        const firstKept = Number((await segmentFiles(storage.dir))[0]?.slice(0, 20));
        // Records alternate 10 of 'a', 10 of 'n': the deleted offsets hold these seqs.
        const lastRetired = (device: number): number => {
          let last = 0;
          for (let offset = 0; offset < firstKept; offset++) {
            if (Math.floor(offset / 10) % 2 === device) last = Math.floor(offset / 20) * 10 + (offset % 10) + 1;
          }
          return last;
        };
        assert.deepEqual(stored.keys, [
          ['a', 'b1', [1, lastRetired(0)]],
          ['n', '', [1, lastRetired(1)]],
        ]);
      } finally {
        await log.close();
      }
    }));

  it('leaves the keys retained and retired when it crashes between storing them and unlinking', async () => {
    const snapshot = await mkdtemp(join(tmpdir(), 'wardstream-crash-'));
    /** Copies the log directory as it is at the first unlink: the disk a crash there would leave. */
    class CrashAtUnlink extends FaultInjectingFileSystem {
      constructor(private readonly dir: string) {
        super();
      }
      override async unlink(path: string): Promise<void> {
        if ((await readdir(snapshot)).length === 0) await cp(this.dir, snapshot, { recursive: true });
        return super.unlink(path);
      }
    }
    try {
      await withStorage(async (storage) => {
        const log = await consumedLog(storage);
        const fs = new CrashAtUnlink(storage.dir);
        await log.close();
        const crashing = await storage.open({ fileSystem: fs });
        try {
          assert.ok((await crashing.enforceRetention()) >= 2);
        } finally {
          await crashing.close();
        }
      });
      const clock = new ManualClock(1_000);
      let log = await FileTelemetryLog.open({ dir: snapshot, segmentBytes: 4096, retainConsumedMs: 1_000, clock });
      try {
        assert.ok(JSON.parse(await readFile(join(snapshot, RETIRED_FILE), 'utf8')), 'retired before unlinking');
        assert.deepEqual(log.status().retiredKeys, { boots: 2, ranges: 2 });
        const [first] = await readAll(log);
        assert.deepEqual([first?.offset, first?.deviceId, first?.seq], [0, 'a', 1], 'the segment is still there');
        // The retained record wins: its content can still be compared.
        assert.deepEqual(await log.append([record('a', 1), record('a', 1, { contentHash: 999 })]), [
          { kind: 'duplicate', partition: 0, offset: 0 },
          { kind: 'conflict', partition: 0, offset: 0 },
        ]);
        clock.advance(1_000);
        assert.ok((await log.enforceRetention()) >= 2, 'the next pass deletes the segments again');
        await log.close();
        log = await FileTelemetryLog.open({ dir: snapshot, clock });
        assert.deepEqual(await log.append([record('a', 1)]), [{ kind: 'retired' }]);
        assert.deepEqual(log.status().retiredKeys, { boots: 2, ranges: 2 });
      } finally {
        await log.close();
      }
    } finally {
      await rm(snapshot, { recursive: true, force: true });
    }
  });

  it('deletes nothing while the retired keys cannot be stored, and retries on the next pass', () =>
    withStorage(async (storage) => {
      const fs = new FaultInjectingFileSystem();
      let log = await consumedLog(storage);
      await log.close();
      log = await storage.open({ fileSystem: fs });
      try {
        const files = await segmentFiles(storage.dir);
        fs.writeFault = 'ENOSPC';
        await assert.rejects(log.enforceRetention(), /could not store the retired keys/);
        fs.writeFault = undefined;
        assert.match(log.status().retentionError ?? '', /could not store the retired keys/);
        assert.deepEqual(await segmentFiles(storage.dir), files, 'no segment was unlinked');
        assert.deepEqual(await log.append([record('a', 1)]), [{ kind: 'duplicate', partition: 0, offset: 0 }]);

        assert.ok((await log.enforceRetention()) >= 2);
        assert.equal(log.status().retentionError, undefined);
        assert.deepEqual(await log.append([record('a', 1)]), [{ kind: 'retired' }]);
      } finally {
        await log.close();
      }
    }));

  it('refuses to open a log whose retired-keys file is damaged', () =>
    withStorage(async (storage) => {
      const log = await consumedLog(storage);
      await log.enforceRetention();
      await log.close();
      const path = join(storage.dir, RETIRED_FILE);
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace('"b1",[1,', '"b1",[2,'));
      await assert.rejects(storage.open(), /checksum mismatch/);
      await writeFile(path, '{"format":1}');
      await assert.rejects(storage.open(), /not a retired-keys file/);
    }));
});
