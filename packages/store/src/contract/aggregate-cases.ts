import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patientId, QualityFlag, type IngestRecord } from '@wardstream/domain';
import type { AggregateQuery, Bucket, ReadingStore } from '../reading-store.js';
import type { ContractContext } from './context.js';
import { checkpointAt, HR, readPatient, SPO2, T0, testRecord } from './records.js';

const patient = { patientId: patientId('pat-1') };
const HOUR_MS = 3_600_000;
const { implausible, artifact, late, clockSkew } = QualityFlag;

/** A bucket of readings all left out. */
const allExcluded = (startAt: number, excluded: number): Bucket => ({
  startAt,
  count: 0,
  excluded,
  min: null,
  max: null,
  mean: null,
});

/**
 * Two hours of heart rate every 250 ms from T0, value 60 + i % 7, with flags in four minutes:
 * minute 10 has every fourth reading implausible (value 0) and every fourth artifact (value 250),
 * minute 20 is all artifact (250), minute 70 all clockSkew and minute 80 half late (both counted).
 */
function flaggedHours(): { record: IngestRecord; late: boolean }[] {
  return Array.from({ length: 2 * 3_600 * 4 }, (_, i) => {
    const minute = Math.floor((i * 250) / 60_000);
    let value = 60 + (i % 7);
    let quality = 0;
    if (minute === 10 && i % 4 === 1) [value, quality] = [0, implausible];
    else if (minute === 10 && i % 4 === 2) [value, quality] = [250, artifact];
    else if (minute === 20) [value, quality] = [250, artifact];
    else if (minute === 70) quality = clockSkew;
    else if (minute === 80 && i % 2 === 0) quality = late;
    const record = testRecord({ seq: i + 1, observedAt: T0 + i * 250, readings: [{ code: HR.code, value, quality }] });
    return { record, late: quality === late };
  });
}

/** The port's aggregate computed the plain way, for records holding one reading each. */
function referenceBuckets(records: readonly IngestRecord[], query: AggregateQuery): Bucket[] {
  const buckets = new Map<number, { count: number; excluded: number; min: number; max: number; sum: number }>();
  for (const r of records) {
    const reading = r.readings[0];
    if (reading === undefined || r.observedAt < query.fromAt || r.observedAt >= query.toAt) continue;
    const startAt = Math.floor(r.observedAt / query.bucketMs) * query.bucketMs;
    const b = buckets.get(startAt) ?? { count: 0, excluded: 0, min: Infinity, max: -Infinity, sum: 0 };
    buckets.set(startAt, b);
    if ((reading.quality & (implausible | artifact)) !== 0) {
      b.excluded++;
    } else {
      b.count++;
      b.min = Math.min(b.min, reading.value);
      b.max = Math.max(b.max, reading.value);
      b.sum += reading.value; // small integers: exact
    }
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([startAt, b]) =>
      b.count === 0
        ? allExcluded(startAt, b.excluded)
        : { startAt, count: b.count, excluded: b.excluded, min: b.min, max: b.max, mean: b.sum / b.count },
    );
}

/** Bucketed aggregates: exact numbers, flagged readings left out and counted. */
export function aggregateCases(context: ContractContext): void {
  test('aggregates count, min, max and mean per aligned bucket of 1 s, 1 min and 1 h', async () => {
    const store = await context.open();
    // Heart rate every 250 ms from T0 + 59 min for 2 h: value 60 + (i % 8) → exact means.
    const records: IngestRecord[] = [];
    for (let i = 0; i < 2 * 3_600 * 4; i++) {
      records.push(
        testRecord({
          seq: i + 1,
          observedAt: T0 + 59 * 60_000 + i * 250,
          readings: [{ code: HR.code, value: 60 + (i % 8) }],
        }),
      );
    }
    await store.write(records.slice(0, 20_000), checkpointAt(1));
    await store.flush();
    await store.write(records.slice(20_000), checkpointAt(2));
    const query = { subject: patient, code: HR.code, fromAt: T0 + 59 * 60_000 + 500, toAt: T0 + 3 * 3_600_000 };
    const seconds = await store.aggregate({ ...query, toAt: query.fromAt + 3_000, bucketMs: 1_000 });
    assert.deepEqual(seconds, [
      { startAt: T0 + 3_540_000, count: 2, excluded: 0, min: 62, max: 63, mean: 62.5 },
      { startAt: T0 + 3_541_000, count: 4, excluded: 0, min: 64, max: 67, mean: 65.5 },
      { startAt: T0 + 3_542_000, count: 4, excluded: 0, min: 60, max: 63, mean: 61.5 },
      { startAt: T0 + 3_543_000, count: 2, excluded: 0, min: 64, max: 65, mean: 64.5 },
    ] satisfies Bucket[]);
    const minutes = await store.aggregate({ ...query, bucketMs: 60_000 });
    assert.equal(minutes.length, 120);
    assert.deepEqual(minutes[0], {
      startAt: T0 + 3_540_000,
      count: 238,
      excluded: 0,
      min: 60,
      max: 67,
      mean: (30 * 508 - 60 - 61) / 238,
    });
    assert.deepEqual(minutes[1], { startAt: T0 + 3_600_000, count: 240, excluded: 0, min: 60, max: 67, mean: 63.5 });
    assert.ok(minutes.every((b, i) => b.startAt === T0 + 3_540_000 + i * 60_000));
    const hours = await store.aggregate({ ...query, bucketMs: 3_600_000 });
    assert.deepEqual(
      hours.map((b) => [b.startAt - T0, b.count, b.excluded, b.min, b.max]),
      [
        [0, 238, 0, 60, 67],
        [3_600_000, 14_400, 0, 60, 67],
        [7_200_000, 14_160, 0, 60, 67],
      ],
    );
    assert.equal(hours[1]!.mean, 63.5);
    assert.deepEqual(await store.aggregate({ ...query, code: SPO2.code, bucketMs: 60_000 }), []);
    await store.close();
  });

  test('leaves readings flagged implausible or artifact out and counts them; a bucket of only those stays', async () => {
    const factory = context.factory();
    let store = await factory.open();
    const hr = (seq: number, atMs: number, value: number, quality = 0) =>
      testRecord({ seq, observedAt: T0 + atMs, readings: [{ code: HR.code, value, quality }] });
    // Minute 0: HR 80, HR 0 implausible, HR 250 artifact. Minute 1: flagged readings only.
    // Minute 2: readings flagged late or clockSkew are aggregated like unflagged ones.
    const durable = [hr(1, 1_000, 80), hr(2, 2_000, 0, implausible), hr(4, 61_000, 0, implausible)];
    const durableToo = [hr(6, 121_000, 70), hr(7, 122_000, 100, clockSkew)];
    const inMemory = [
      hr(3, 3_000, 250, artifact),
      hr(5, 62_000, 300, implausible | artifact),
      hr(8, 123_000, 90, late),
      hr(9, 124_000, 74),
    ];
    await store.write([...durable, ...durableToo], checkpointAt(5));
    await store.flush();
    await store.write(inMemory, checkpointAt(9));
    const query = { subject: patient, code: HR.code, fromAt: T0, toAt: T0 + HOUR_MS };

    const expectBuckets = async (s: ReadingStore, when: string) => {
      assert.deepEqual(
        await s.aggregate({ ...query, bucketMs: 60_000 }),
        [
          { startAt: T0, count: 1, excluded: 2, min: 80, max: 80, mean: 80 },
          allExcluded(T0 + 60_000, 2),
          { startAt: T0 + 120_000, count: 4, excluded: 0, min: 70, max: 100, mean: 83.5 },
        ] satisfies Bucket[],
        `minutes, ${when}`,
      );
      assert.deepEqual(
        await s.aggregate({ ...query, bucketMs: HOUR_MS }),
        [{ startAt: T0, count: 5, excluded: 4, min: 70, max: 100, mean: 82.8 }],
        `hour, ${when}`,
      );
      assert.deepEqual(
        await s.aggregate({ ...query, toAt: T0 + 4_000, bucketMs: 1_000 }),
        [
          { startAt: T0 + 1_000, count: 1, excluded: 0, min: 80, max: 80, mean: 80 },
          allExcluded(T0 + 2_000, 1),
          allExcluded(T0 + 3_000, 1),
        ],
        `seconds, ${when}`,
      );
    };
    await expectBuckets(store, 'half in memory');
    // Excluded from aggregates, not from the store.
    assert.equal((await readPatient(store, 'pat-1')).length, 9);
    await store.flush();
    await expectBuckets(store, 'flushed');
    await store.close();
    store = await factory.open();
    await expectBuckets(store, 'reopened');
    await store.close();
  });

  test('flagged readings mixed through durable and in-memory data give exact buckets of every size', async () => {
    const factory = context.factory();
    let store = await factory.open();
    const all = flaggedHours();
    const records = all.map((r) => r.record);
    // The first 20,000 readings flushed, except the late ones, which come with the rest.
    await store.write(
      all.filter((r, i) => i < 20_000 && !r.late).map((r) => r.record),
      checkpointAt(1),
    );
    await store.flush();
    await store.write(
      all.filter((r, i) => i >= 20_000 || r.late).map((r) => r.record),
      checkpointAt(2),
    );
    const query = { subject: patient, code: HR.code, fromAt: T0, toAt: T0 + 2 * HOUR_MS };

    const expectBuckets = async (s: ReadingStore, when: string) => {
      const hours = await s.aggregate({ ...query, bucketMs: HOUR_MS });
      assert.deepEqual(
        hours,
        [
          { startAt: T0, count: 14_040, excluded: 360, min: 60, max: 66, mean: 884_512 / 14_040 },
          { startAt: T0 + HOUR_MS, count: 14_400, excluded: 0, min: 60, max: 66, mean: 907_198 / 14_400 },
        ] satisfies Bucket[],
        `hours, ${when}`,
      );
      const minutes = await s.aggregate({ ...query, bucketMs: 60_000 });
      assert.equal(minutes.length, 120, when);
      const minute = (m: number) => minutes[m];
      assert.deepEqual(minute(9), { startAt: T0 + 540_000, count: 240, excluded: 0, min: 60, max: 66, mean: 63.0125 });
      assert.deepEqual(minute(10), { startAt: T0 + 600_000, count: 120, excluded: 120, min: 60, max: 66, mean: 63 });
      assert.deepEqual(minute(20), allExcluded(T0 + 1_200_000, 240), when);
      assert.deepEqual(minute(70), {
        startAt: T0 + 4_200_000,
        count: 240,
        excluded: 0,
        min: 60,
        max: 66,
        mean: 15_115 / 240,
      });
      assert.deepEqual(minute(80), { startAt: T0 + 4_800_000, count: 240, excluded: 0, min: 60, max: 66, mean: 63 });
      assert.deepEqual(minutes, referenceBuckets(records, { ...query, bucketMs: 60_000 }), `minutes, ${when}`);
      const window = { ...query, fromAt: T0 + 599_750, toAt: T0 + 1_200_500, bucketMs: 1_000 } as const;
      assert.deepEqual(await s.aggregate(window), referenceBuckets(records, window), `seconds, ${when}`);
    };
    await expectBuckets(store, 'partly in memory');
    await store.flush();
    await expectBuckets(store, 'flushed');
    await store.close();
    store = await factory.open();
    await expectBuckets(store, 'reopened');
    await store.close();
  });
}
