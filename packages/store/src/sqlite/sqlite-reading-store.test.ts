import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ManualClock, patientId, QualityFlag, WardstreamError, type IngestRecord } from '@wardstream/domain';
import { describeReadingStoreContract } from '../contract.js';
import { checkpointAt, HR, readPatient, SPO2, T0, TEMP, testRecord } from '../contract/records.js';
import type { ReadingStore } from '../reading-store.js';
import { StoreOptionsError, type SqliteReadingStoreOptions } from './options.js';
import { SqliteReadingStore } from './sqlite-reading-store.js';
import { tempStore } from './temp-store.js';

describeReadingStoreContract('SqliteReadingStore', () => tempStore());

const { implausible, artifact, clockSkew } = QualityFlag;

/** Four series over three hours, written in 30 flushes, some of it late, some of it flagged. */
function history(): IngestRecord[][] {
  const batches: IngestRecord[][] = [];
  let seq = 0;
  for (let f = 0; f < 30; f++) {
    const batch: IngestRecord[] = [];
    for (let i = 0; i < 100; i++) {
      seq++;
      const late = i % 17 === 0;
      const observedAt = T0 + (late ? (seq * 37_000) % (3 * 3_600_000) : seq * 3_500) + (seq % 7);
      for (const device of ['dev-1', 'dev-2']) {
        batch.push(
          testRecord({
            device,
            seq,
            observedAt,
            readings: [
              { code: HR.code, value: 50 + (seq % 60) + 0.5, quality: seq % 41 === 0 ? artifact : 0 },
              { code: TEMP.code, value: 36 + (seq % 30) / 10, quality: seq % 23 === 0 ? clockSkew : 0 },
              ...(seq % 5 === 0
                ? [{ code: SPO2.code, value: 90 + (seq % 11) * 0.1, quality: seq % 3 === 0 ? implausible : clockSkew }]
                : []),
            ],
          }),
        );
      }
    }
    batches.push(batch);
  }
  return batches;
}

/** Every query result that compaction must not change. */
async function snapshot(store: ReadingStore) {
  const subject = { patientId: patientId('pat-1') };
  const all = await readPatient(store, 'pat-1');
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await store.range({
      subject,
      code: HR.code,
      fromAt: T0 + 1_000_000,
      toAt: T0 + 9_000_000,
      limit: 333,
      ...(cursor === undefined ? {} : { cursor }),
    });
    pages.push(page.readings);
    cursor = page.next;
  } while (cursor !== undefined);
  const aggregates = [];
  for (const bucketMs of [1_000, 60_000, 3_600_000] as const) {
    for (const code of [HR.code, TEMP.code, SPO2.code]) {
      aggregates.push(await store.aggregate({ subject, code, fromAt: T0 - 1, toAt: T0 + 4 * 3_600_000, bucketMs }));
      aggregates.push(await store.aggregate({ subject, code, fromAt: T0 + 1_234_567, toAt: T0 + 7_654_321, bucketMs }));
    }
  }
  const latest = await store.latest(subject);
  const { bytes: _bytes, ...stats } = await store.stats();
  return { all, pages, aggregates, latest, stats };
}

describe('SqliteReadingStore', () => {
  test('compaction merges small chunks and changes no query result', async () => {
    const clock = new ManualClock(T0);
    const storage = await tempStore({ clock, compactAfterMs: 60_000, chunkSamples: 64 });
    const store = await storage.open();
    for (const batch of history()) {
      await store.write(batch, checkpointAt(batch.length));
      await store.flush();
      clock.advance(10_000);
    }
    const before = await snapshot(store);
    const first = await store.compact(); // only chunks older than a minute are due
    assert.ok(first.chunksIn > 0 && first.chunksOut < first.chunksIn, JSON.stringify(first));
    assert.deepEqual(await snapshot(store), before);
    clock.advance(3_600_000);
    const second = await store.compact();
    assert.ok(second.chunksIn > 0, JSON.stringify(second));
    assert.deepEqual(await store.compact(), { chunksIn: 0, chunksOut: 0, samples: 0 });
    assert.deepEqual(await snapshot(store), before);
    await store.close();
    const reopened = await storage.open();
    assert.deepEqual(await snapshot(reopened), before);
    await reopened.close();
    await storage.cleanup();
  });

  test('queries answer the same while compaction runs on the writer thread', async () => {
    const storage = await tempStore({ compactAfterMs: 0, chunkSamples: 32, sliceBudgetMs: 1 });
    const store = await storage.open();
    for (const batch of history()) {
      await store.write(batch, checkpointAt(batch.length));
      await store.flush();
    }
    const before = await snapshot(store);
    const progress = { compacting: true };
    const compaction = store.compact().finally(() => {
      progress.compacting = false;
    });
    let rounds = 0;
    while (progress.compacting || rounds === 0) {
      assert.deepEqual(await snapshot(store), before, `round ${rounds}`);
      rounds++;
      await nextTurn(); // let the writer thread's replies in
    }
    assert.ok((await compaction).chunksIn > 0);
    assert.deepEqual(await snapshot(store), before);
    await store.close();
    await storage.cleanup();
  });

  test('a store reopened after many flushes has the same stats and contents', async () => {
    const storage = await tempStore();
    const store = await storage.open();
    for (const batch of history()) {
      await store.write(batch, checkpointAt(batch.length));
      await store.flush();
    }
    const before = await snapshot(store);
    await store.close();
    const reopened = await storage.open();
    assert.deepEqual(await snapshot(reopened), before);
    await reopened.close();
    await storage.cleanup();
  });

  test('open lists every invalid option at once', async () => {
    const options = {
      path: '',
      flushIntervalMs: 0,
      chunkSamples: 1.5,
      surprise: true,
    } as unknown as SqliteReadingStoreOptions;
    await assert.rejects(SqliteReadingStore.open(options), (err: unknown) => {
      assert.ok(err instanceof StoreOptionsError);
      assert.equal(err.problems.length, 4, err.message);
      return true;
    });
  });

  test('a flipped byte in a chunk is reported as corruption, never served', async () => {
    const storage = await tempStore();
    const store = await storage.open();
    await store.write([testRecord({ seq: 1, observedAt: T0 })], checkpointAt(1));
    await store.close();
    const db = new Database(storage.path);
    const data = db.prepare<[], Buffer>('SELECT data FROM chunk').pluck().get()!;
    data[3] = (data[3]! ^ 0x10) & 0xff;
    db.prepare('UPDATE chunk SET data = ?').run(data);
    db.close();
    await assert.rejects(storage.open(), (err: unknown) => err instanceof WardstreamError && err.code === 'CORRUPT');
    await storage.cleanup();
  });

  test('rejects a record it cannot store exactly, changing nothing', async () => {
    const storage = await tempStore();
    const store = await storage.open();
    const good = testRecord({ seq: 1, observedAt: T0 });
    const bad = testRecord({ seq: 2, observedAt: T0, readings: [{ code: HR.code, value: Number.NaN }] });
    await assert.rejects(store.write([good, bad], checkpointAt(2)), (err: unknown) => {
      return err instanceof WardstreamError && err.code === 'INVALID_INPUT';
    });
    assert.equal((await store.stats()).messages, 0);
    await store.close();
    await storage.cleanup();
  });
});
