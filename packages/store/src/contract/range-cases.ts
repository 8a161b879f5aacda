import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceId, patientId, type IngestRecord } from '@wardstream/domain';
import type { ContractContext } from './context.js';
import {
  checkpointAt,
  compareReadings,
  expectedReadings,
  HR,
  readAllPages,
  RR,
  SPO2,
  T0,
  testRecord,
} from './records.js';

const patient = { patientId: patientId('pat-1') };

/** Range queries: bounds, order, code filter and paging. */
export function rangeCases(context: ContractContext): void {
  test('fromAt is inclusive and toAt exclusive', async () => {
    const store = await context.open();
    const records = [0, 999, 1_000, 1_999, 2_000].map((ms, i) => testRecord({ seq: i + 1, observedAt: T0 + ms }));
    await store.write(records, checkpointAt(5));
    for (const flushed of [false, true]) {
      if (flushed) await store.flush();
      const page = await store.range({ subject: patient, fromAt: T0 + 999, toAt: T0 + 2_000 });
      assert.deepEqual(
        page.readings.map((r) => r.observedAt),
        [T0 + 999, T0 + 1_000, T0 + 1_999],
      );
      assert.deepEqual((await store.range({ subject: patient, fromAt: T0 + 5, toAt: T0 + 5 })).readings, []);
      assert.deepEqual((await store.range({ subject: patient, fromAt: T0 + 9, toAt: T0 + 1 })).readings, []);
    }
    await store.close();
  });

  test('orders by observedAt, deviceId, code, boot, seq and filters by code', async () => {
    const store = await context.open();
    const same = [
      { code: RR.code, value: 16 },
      { code: HR.code, value: 80 },
      { code: SPO2.code, value: 95 },
    ];
    const records: IngestRecord[] = [
      testRecord({ device: 'dev-b', seq: 1, observedAt: T0 + 1_000, readings: same }),
      testRecord({ device: 'dev-a', boot: 'b2', seq: 1, observedAt: T0 + 1_000, readings: same }),
      testRecord({ device: 'dev-a', boot: 'b1', seq: 7, observedAt: T0 + 1_000, readings: same }),
      testRecord({ device: 'dev-a', boot: 'b1', seq: 8, observedAt: T0, readings: same }),
      testRecord({ device: 'dev-c', seq: 1, observedAt: T0 + 2_000, readings: same }),
    ];
    await store.write(records.slice(0, 2), checkpointAt(2));
    await store.flush();
    await store.write(records.slice(2), checkpointAt(5));
    const all = await store.range({ subject: patient, fromAt: T0, toAt: T0 + 10_000 });
    assert.deepEqual(all.readings, expectedReadings(records));
    assert.deepEqual([...all.readings].sort(compareReadings), all.readings);
    const hr = await store.range({ subject: patient, code: HR.code, fromAt: T0, toAt: T0 + 10_000 });
    assert.deepEqual(
      hr.readings,
      expectedReadings(records).filter((r) => r.code === HR.code),
    );
    const byDevice = await store.range({
      subject: { deviceId: deviceId('dev-a') },
      code: RR.code,
      fromAt: T0,
      toAt: T0 + 10_000,
    });
    assert.deepEqual(
      byDevice.readings.map((r) => [r.observedAt - T0, r.boot, r.seq]),
      [
        [0, 'b1', 8],
        [1_000, 'b1', 7],
        [1_000, 'b2', 1],
      ],
    );
    await store.close();
  });

  test('pages through durable, in-memory and overlapping data with no loss or repeat', async () => {
    const store = await context.open();
    const records: IngestRecord[] = [];
    let seq = 0;
    const add = async (times: number[]) => {
      const batch = times.map((t) =>
        testRecord({
          seq: ++seq,
          observedAt: T0 + t,
          readings: [
            { code: HR.code, value: seq },
            { code: SPO2.code, value: 90 },
          ],
        }),
      );
      records.push(...batch);
      await store.write(batch, checkpointAt(seq));
    };
    await add(Array.from({ length: 40 }, (_, i) => i * 1_000));
    await store.flush();
    await add(Array.from({ length: 40 }, (_, i) => 40_000 + i * 1_000));
    await store.flush();
    await add(Array.from({ length: 20 }, (_, i) => 500 + i * 4_000)); // late: interleaves with both
    await add(Array.from({ length: 10 }, (_, i) => 80_000 + i * 1_000)); // still in memory
    const expected = expectedReadings(records);
    for (const limit of [1, 7, 50, 1_000]) {
      const { readings, pages } = await readAllPages(store, {
        subject: patient,
        fromAt: T0,
        toAt: T0 + 100_000,
        limit,
      });
      assert.deepEqual(readings, expected, `limit ${limit}`);
      assert.equal(pages, Math.max(1, Math.ceil(expected.length / limit)), `pages at limit ${limit}`);
    }
    const window = await readAllPages(store, {
      subject: patient,
      code: HR.code,
      fromAt: T0 + 10_500,
      toAt: T0 + 60_000,
      limit: 9,
    });
    assert.deepEqual(
      window.readings,
      expected.filter((r) => r.code === HR.code && r.observedAt >= T0 + 10_500 && r.observedAt < T0 + 60_000),
    );
    await store.close();
  });

  test('rejects a cursor it did not issue', async () => {
    const store = await context.open();
    await store.write([testRecord({ seq: 1, observedAt: T0 })], checkpointAt(1));
    await assert.rejects(store.range({ subject: patient, fromAt: T0, toAt: T0 + 1, cursor: 'not-a-cursor' }));
    await store.close();
  });
}
