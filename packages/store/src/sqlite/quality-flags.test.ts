import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  canonicalReadings,
  ManualClock,
  patientId,
  QualityFlag,
  WardstreamError,
  type IngestRecord,
} from '@wardstream/domain';
import { checkpointAt, HR, SPO2, T0, TEMP, testRecord } from '../contract/records.js';
import type { ReadingStore } from '../reading-store.js';
import { tempStore } from './temp-store.js';

const patient = { patientId: patientId('pat-1') };
const { implausible, artifact, clockSkew } = QualityFlag;
const SKEWED_SPO2_AT = T0 + 30 * 60_000;

/**
 * Ten minutes of one aligned hour, one batch a minute. dev-1 sends HR (artifact all through
 * minute 5, implausible every 97th second) and SpO2 each second, and once, first, an SpO2 from a
 * clock 30 minutes ahead. dev-2 sends only clock-skewed TEMP, its clock running backwards, so the
 * TEMP received last is the one observed earliest.
 */
function tenMinutes(): IngestRecord[][] {
  const skewedSpo2 = testRecord({
    seq: 10_000,
    observedAt: SKEWED_SPO2_AT,
    receivedAt: T0 + 500,
    readings: [{ code: SPO2.code, value: 99, quality: clockSkew }],
  });
  const batches: IngestRecord[][] = Array.from({ length: 10 }, () => []);
  batches[0]!.push(skewedSpo2);
  for (let s = 1; s <= 600; s++) {
    const hr =
      Math.floor(s / 60) === 5
        ? { code: HR.code, value: 250, quality: artifact }
        : s % 97 === 0
          ? { code: HR.code, value: 0, quality: implausible }
          : { code: HR.code, value: 60 + (s % 9) };
    batches[Math.floor((s - 1) / 60)]!.push(
      testRecord({ seq: s, observedAt: T0 + s * 1_000, readings: [hr, { code: SPO2.code, value: 90 + (s % 7) }] }),
      testRecord({
        device: 'dev-2',
        seq: s,
        observedAt: T0 + 1_800_000 - s * 1_000,
        receivedAt: T0 + s * 1_000,
        readings: [{ code: TEMP.code, value: 36 + (s % 10) / 10, quality: clockSkew }],
      }),
    );
  }
  return batches;
}

/** Latest values and every aggregate of the three codes. */
async function answers(store: ReadingStore) {
  const aggregates = [];
  for (const code of [HR.code, SPO2.code, TEMP.code]) {
    for (const bucketMs of [1_000, 60_000, 3_600_000] as const) {
      aggregates.push(await store.aggregate({ subject: patient, code, fromAt: T0, toAt: T0 + 3_600_000, bucketMs }));
    }
  }
  return { latest: await store.latest(patient), aggregates };
}

/** What the new rules give for `tenMinutes()`, worked out by hand. */
function assertExpected(result: Awaited<ReturnType<typeof answers>>, when: string): void {
  const last = tenMinutes()[9]!;
  const [lastOfDev1, lastOfDev2] = [last[last.length - 2]!, last[last.length - 1]!];
  assert.deepEqual(
    result.latest,
    [...canonicalReadings(lastOfDev1), ...canonicalReadings(lastOfDev2)],
    `latest HR, SpO2 and TEMP, ${when}`,
  );
  const [hrMinutes, hrHour, spo2Hour] = [result.aggregates[1]!, result.aggregates[2]!, result.aggregates[5]!];
  assert.deepEqual(hrMinutes[5], { startAt: T0 + 300_000, count: 0, excluded: 60, min: null, max: null, mean: null });
  assert.deepEqual(hrHour, [{ startAt: T0, count: 534, excluded: 66, min: 60, max: 68, mean: 34_158 / 534 }], when);
  assert.deepEqual(spo2Hour, [{ startAt: T0, count: 601, excluded: 0, min: 90, max: 99, mean: 55_899 / 601 }], when);
}

describe('SqliteReadingStore quality flags', () => {
  test('compaction and reopen keep latest values and aggregates of flagged readings exact', async (t) => {
    const clock = new ManualClock(T0);
    const storage = await tempStore({ clock, compactAfterMs: 0, chunkSamples: 16 });
    t.after(() => storage.cleanup());
    const store = await storage.open();
    for (const [k, batch] of tenMinutes().entries()) {
      await store.write(batch, checkpointAt(k));
      await store.flush();
      clock.advance(1_000);
    }
    const before = await answers(store);
    assertExpected(before, 'before compaction');
    assert.ok((await store.compact()).chunksOut > 0);
    assert.deepEqual(await answers(store), before);
    await store.close();

    // The skewed SpO2 now ends a compacted chunk that also holds correct readings.
    const db = new Database(storage.path, { readonly: true });
    const merged = db
      .prepare<[number], { last_unskewed_at: number | null }>(
        'SELECT last_unskewed_at FROM chunk WHERE level = 1 AND end_at = ? AND count > 1',
      )
      .all(SKEWED_SPO2_AT);
    db.close();
    assert.equal(merged.length, 1);
    assert.ok(merged[0]!.last_unskewed_at !== null && merged[0]!.last_unskewed_at < SKEWED_SPO2_AT);

    const reopened = await storage.open();
    assert.deepEqual(await answers(reopened), before);
    await reopened.close();
  });

  test('a version-1 file is upgraded at open: chunk flags filled in, queries by the new rules', async (t) => {
    const storage = await tempStore();
    t.after(() => storage.cleanup());
    const store = await storage.open();
    for (const [k, batch] of tenMinutes().entries()) {
      await store.write(batch, checkpointAt(k));
      await store.flush();
    }
    const before = await answers(store);
    await store.close();
    const chunkQuality = 'SELECT id, flags, last_unskewed_at, last_skewed_received_at FROM chunk ORDER BY id';
    const db = new Database(storage.path);
    const filled = db.prepare(chunkQuality).all();
    downgradeToVersion1(db);
    db.close();

    const upgraded = await storage.open();
    assertExpected(await answers(upgraded), 'upgraded');
    assert.deepEqual(await answers(upgraded), before);
    await upgraded.close();
    const after = new Database(storage.path, { readonly: true });
    assert.equal(after.pragma('user_version', { simple: true }), 2);
    assert.deepEqual(after.prepare(chunkQuality).all(), filled);
    after.close();
  });

  test('a version-1 file with a corrupt chunk is refused and left as it was', async (t) => {
    const storage = await tempStore();
    t.after(() => storage.cleanup());
    const store = await storage.open();
    await store.write(tenMinutes()[0]!, checkpointAt(1));
    await store.close();
    const db = new Database(storage.path);
    downgradeToVersion1(db);
    const data = db.prepare<[], Buffer>('SELECT data FROM chunk ORDER BY id DESC').pluck().get()!;
    data[3] = (data[3]! ^ 0x10) & 0xff;
    db.prepare('UPDATE chunk SET data = ? WHERE id = (SELECT max(id) FROM chunk)').run(data);
    db.close();
    await assert.rejects(storage.open(), (err: unknown) => err instanceof WardstreamError && err.code === 'CORRUPT');
    const after = new Database(storage.path, { readonly: true });
    assert.equal(after.pragma('user_version', { simple: true }), 1);
    const columns = after.pragma('table_info(chunk)') as { name: string }[];
    assert.ok(!columns.some((c) => c.name === 'flags'));
    after.close();
  });
});

/** Turns a version-2 file into the version-1 layout (schema.ts), the data left as it is. */
function downgradeToVersion1(db: Database.Database): void {
  db.exec(`
    DROP INDEX chunk_fresh;
    DROP INDEX chunk_by_series;
    ALTER TABLE chunk DROP COLUMN flags;
    ALTER TABLE chunk DROP COLUMN last_unskewed_at;
    ALTER TABLE chunk DROP COLUMN last_skewed_received_at;
    CREATE INDEX chunk_fresh ON chunk (flush_id, series_id, end_at, start_at, count, written_at) WHERE level = 0;
    CREATE INDEX chunk_by_series ON chunk (series_id, end_at, start_at, count, flush_id) WHERE level = 1;
    PRAGMA user_version = 1;
  `);
}
