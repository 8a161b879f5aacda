import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { FaultInjectingFileSystem } from './fault-injecting-file-system.js';
import { KeySet } from './key-set.js';
import { RetiredKeys } from './retired-keys.js';
import { tempLog } from './test-support.js';

function segmentKeys(deviceId: string, boot: string, from: number, to: number): KeySet {
  const keys = new KeySet();
  keys.addRange(deviceId, boot, from, to);
  return keys;
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const storage = await tempLog();
  try {
    await body(storage.dir);
  } finally {
    await storage.cleanup();
  }
}

describe('RetiredKeys', () => {
  it('is empty when the log never retired anything', () =>
    withDir(async (dir) => {
      const retired = await RetiredKeys.load(new FaultInjectingFileSystem(), dir);
      assert.deepEqual(retired.counts, { boots: 0, ranges: 0 });
      assert.equal(retired.has('d', 'b', 1), false);
      await retired.persist();
      assert.deepEqual(await readdir(dir), [], 'nothing to store, nothing written');
    }));

  it('stores what it retired and reads it back, bounded per boot', () =>
    withDir(async (dir) => {
      const fs = new FaultInjectingFileSystem();
      const retired = await RetiredKeys.load(fs, dir);
      retired.retire(segmentKeys('d', 'b1', 1, 500));
      retired.retire(segmentKeys('d', '', 1, 3));
      retired.retire(segmentKeys('d', 'b1', 501, 900));
      await retired.persist();
      const again = await RetiredKeys.load(fs, dir);
      assert.deepEqual(again.counts, { boots: 2, ranges: 2 });
      assert.ok(again.has('d', 'b1', 900) && again.has('d', '', 3) && !again.has('d', '', 4));

      const gappy = new KeySet();
      for (let seq = 0; seq < 40; seq += 2) gappy.add('e', 'b', seq);
      again.retire(gappy);
      await again.persist();
      const bounded = await RetiredKeys.load(fs, dir, 4);
      assert.deepEqual(bounded.counts, { boots: 3, ranges: 6 });
      for (let seq = 0; seq < 40; seq += 2) assert.ok(bounded.has('e', 'b', seq));
    }));

  it('keeps what is in memory when storing fails, and stores it on the next try', () =>
    withDir(async (dir) => {
      const fs = new FaultInjectingFileSystem();
      const retired = await RetiredKeys.load(fs, dir);
      retired.retire(segmentKeys('d', 'b', 1, 10));
      fs.writeFault = 'EIO';
      await assert.rejects(retired.persist(), (error: Error) => /could not store/.test(error.message));
      fs.writeFault = undefined;
      assert.equal((await RetiredKeys.load(fs, dir)).has('d', 'b', 1), false);
      await retired.persist();
      assert.equal((await RetiredKeys.load(fs, dir)).has('d', 'b', 1), true);
    }));

  it('refuses a damaged or foreign file', () =>
    withDir(async (dir) => {
      const fs = new FaultInjectingFileSystem();
      const retired = await RetiredKeys.load(fs, dir);
      retired.retire(segmentKeys('d', 'b', 1, 10));
      await retired.persist();
      const path = join(dir, 'retired-keys.json');
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace('[1,10]', '[1,11]'));
      await assert.rejects(RetiredKeys.load(fs, dir), /checksum mismatch/);
      await writeFile(path, text.replace('"format":1', '"format":2'));
      await assert.rejects(RetiredKeys.load(fs, dir), /not a retired-keys file/);
      const unsorted = [['d', 'b', [5, 1]]];
      await writeFile(path, JSON.stringify({ format: 1, crc32: crc32(JSON.stringify(unsorted)), keys: unsorted }));
      await assert.rejects(RetiredKeys.load(fs, dir), /bad seq ranges of d\/b/);
    }));
});
