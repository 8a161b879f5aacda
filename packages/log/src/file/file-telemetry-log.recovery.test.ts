import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LogCorruptionError } from '../errors.js';
import { keyOf, readAll, records, tempLog, type TempLog } from './test-support.js';

const FIRST_SEGMENT = join('p0', '00000000000000000000.seg');

/** Ten records of one device in one partition, appended in three calls; every frame has one length. */
async function tenRecords(storage: TempLog): Promise<number> {
  const log = await storage.open({ partitionCount: 1 });
  await log.append(records('a', 0, 4));
  await log.append(records('a', 4, 3));
  await log.append(records('a', 7, 3));
  await log.close();
  return (await stat(join(storage.dir, FIRST_SEGMENT))).size / 10;
}

async function flipByte(path: string, position: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[position] = (bytes[position] ?? 0) ^ 0x40;
  await writeFile(path, bytes);
}

async function withStorage(body: (storage: TempLog) => Promise<void>): Promise<void> {
  const storage = await tempLog();
  try {
    await body(storage);
  } finally {
    await storage.cleanup();
  }
}

describe('FileTelemetryLog recovery at open', () => {
  it('cuts a torn tail (a partial frame) and appends after the last whole record', () =>
    withStorage(async (storage) => {
      const frameBytes = await tenRecords(storage);
      const path = join(storage.dir, FIRST_SEGMENT);
      const whole = await readFile(path);
      await appendFile(path, whole.subarray(0, frameBytes - 5)); // a write that never finished
      const log = await storage.open();
      assert.equal(log.status().truncatedBytes, frameBytes - 5);
      assert.deepEqual(log.status().corruption, []);
      assert.equal((await stat(path)).size, whole.length);
      assert.equal((await readAll(log)).length, 10);
      const [next] = await log.append(records('a', 10, 1));
      assert.deepEqual(next, { kind: 'appended', partition: 0, offset: 10 });
      await log.close();
      const reopened = await storage.open();
      assert.equal(reopened.status().truncatedBytes, 0);
      assert.deepEqual(
        (await readAll(reopened)).map((e) => e.seq),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      await reopened.close();
    }));

  it('cuts a last record whose checksum fails and garbage after it', () =>
    withStorage(async (storage) => {
      const frameBytes = await tenRecords(storage);
      const path = join(storage.dir, FIRST_SEGMENT);
      await appendFile(path, Buffer.alloc(300, 0)); // a tail of zeroes, as a crash can leave
      await flipByte(path, 9 * frameBytes + frameBytes - 3);
      const log = await storage.open();
      assert.equal(log.status().truncatedBytes, frameBytes + 300);
      assert.deepEqual(
        (await readAll(log)).map((e) => e.seq),
        [0, 1, 2, 3, 4, 5, 6, 7, 8],
      );
      assert.equal(log.status().endOffsets.get(0), 9);
      await log.close();
    }));

  it('refuses a record damaged in the middle, at exactly its offset, and serves the others', () =>
    withStorage(async (storage) => {
      const frameBytes = await tenRecords(storage);
      const path = join(storage.dir, FIRST_SEGMENT);
      await flipByte(path, 5 * frameBytes + frameBytes - 10);
      const log = await storage.open();
      try {
        const status = log.status();
        assert.equal(status.truncatedBytes, 0);
        assert.deepEqual(
          status.corruption.map((range) => [range.partition, range.fromOffset, range.toOffset]),
          [[0, 5, 6]],
        );
        const before = await log.fetch(new Map([[0, 0]]), { maxRecords: 100, maxWaitMs: 0 });
        assert.deepEqual(
          before.map((e) => e.offset),
          [0, 1, 2, 3, 4],
        );
        await assert.rejects(
          log.fetch(new Map([[0, 5]]), { maxRecords: 100, maxWaitMs: 0 }),
          (error: unknown) => error instanceof LogCorruptionError && error.partition === 0 && error.offset === 5,
        );
        const after = await log.fetch(new Map([[0, 6]]), { maxRecords: 100, maxWaitMs: 0 });
        assert.deepEqual(
          after.map((e) => e.offset),
          [6, 7, 8, 9],
        );
        const [next] = await log.append(records('a', 10, 1));
        assert.deepEqual(next, { kind: 'appended', partition: 0, offset: 10 });
      } finally {
        await log.close();
      }
    }));

  it('resynchronises after a damaged frame length and still names the damaged offset', () =>
    withStorage(async (storage) => {
      const frameBytes = await tenRecords(storage);
      const path = join(storage.dir, FIRST_SEGMENT);
      await flipByte(path, 3 * frameBytes + 6); // the length field of offset 3
      const log = await storage.open();
      try {
        assert.deepEqual(
          log.status().corruption.map((range) => [range.fromOffset, range.toOffset]),
          [[3, 4]],
        );
        await assert.rejects(log.fetch(new Map([[0, 3]]), { maxRecords: 1, maxWaitMs: 0 }), LogCorruptionError);
        assert.equal((await readAll(log, new Map([[0, 4]]))).length, 6);
      } finally {
        await log.close();
      }
    }));

  it('detects damage that appears while the log is open, on read', () =>
    withStorage(async (storage) => {
      const frameBytes = await tenRecords(storage);
      const log = await storage.open();
      try {
        await flipByte(join(storage.dir, FIRST_SEGMENT), 2 * frameBytes + frameBytes - 1);
        await assert.rejects(
          log.fetch(new Map([[0, 2]]), { maxRecords: 5, maxWaitMs: 0 }),
          (error: unknown) => error instanceof LogCorruptionError && error.offset === 2,
        );
        assert.equal(log.status().corruption.length, 1);
      } finally {
        await log.close();
      }
    }));

  it('rebuilds the segment list, offsets and keys of several segments', () =>
    withStorage(async (storage) => {
      const log = await storage.open({ partitionCount: 1, segmentBytes: 4096 });
      for (let first = 0; first < 200; first += 20) await log.append(records('a', first, 20));
      const before = (await readAll(log)).map(keyOf);
      await log.close();
      assert.ok((await readdir(join(storage.dir, 'p0'))).length > 3, 'several segments');
      const reopened = await storage.open({ segmentBytes: 4096 });
      assert.deepEqual((await readAll(reopened)).map(keyOf), before);
      const [dup] = await reopened.append(records('a', 5, 1));
      assert.deepEqual(dup, { kind: 'duplicate', partition: 0, offset: 5 });
      await reopened.close();
    }));
});
