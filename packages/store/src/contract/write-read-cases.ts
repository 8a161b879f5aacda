import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceId, patientId, QualityFlag } from '@wardstream/domain';
import type { ContractContext } from './context.js';
import {
  checkpointAt,
  expectedReadings,
  HR,
  readDevice,
  readPatient,
  RR,
  SPO2,
  T0,
  TEMP,
  testRecord,
} from './records.js';

/** Round trips: what is written comes back exactly, by patient and by device. */
export function writeReadCases(context: ContractContext): void {
  test('returns exactly the values, units, flags, boot, seq and times written', async () => {
    const store = await context.open();
    const records = [
      testRecord({
        seq: 1,
        boot: 'b7',
        observedAt: T0 + 123,
        receivedAt: T0 + 5_678,
        readings: [
          { code: HR.code, value: 72 },
          { code: SPO2.code, value: 97.25, quality: QualityFlag.artifact },
          { code: TEMP.code, value: 36.6 },
          { code: RR.code, value: 0.1 + 0.2, quality: QualityFlag.implausible | QualityFlag.late },
        ],
      }),
      testRecord({
        seq: 2,
        boot: 'b7',
        observedAt: T0 + 1_123.5,
        readings: [
          { code: HR.code, value: -12.5e-7, quality: QualityFlag.clockSkew | QualityFlag.artifact },
          { code: SPO2.code, value: 123_456.789_012_345, unit: 'percent-as-sent' },
          { code: TEMP.code, value: Number.MAX_VALUE },
          { code: RR.code, value: Number.MIN_VALUE },
        ],
      }),
      testRecord({ seq: 3, boot: 'b7', observedAt: T0 + 2_000, readings: [{ code: HR.code, value: 1e21 }] }),
    ];
    const result = await store.write(records, checkpointAt(3));
    assert.deepEqual(result, { stored: 3, duplicates: 0, readings: 9 });
    assert.deepEqual(await readPatient(store, 'pat-1'), expectedReadings(records));
    assert.deepEqual(await readDevice(store, 'dev-1'), expectedReadings(records));
    await store.flush();
    assert.deepEqual(await readPatient(store, 'pat-1'), expectedReadings(records));
    await store.close();
  });

  test('keeps patients and devices apart, including devices bound to no patient', async () => {
    const store = await context.open();
    const a = testRecord({ device: 'dev-a', patient: 'pat-a', seq: 1, observedAt: T0 });
    const b = testRecord({ device: 'dev-b', patient: 'pat-b', seq: 1, observedAt: T0 });
    const loose = testRecord({ device: 'dev-c', patient: null, seq: 1, observedAt: T0 });
    await store.write([a, b, loose], checkpointAt(3));
    assert.deepEqual(await readPatient(store, 'pat-a'), expectedReadings([a]));
    assert.deepEqual(await readPatient(store, 'pat-b'), expectedReadings([b]));
    assert.deepEqual(await readDevice(store, 'dev-c'), expectedReadings([loose]));
    assert.deepEqual(await readPatient(store, 'pat-unknown'), []);
    const page = await store.range({ subject: { patientId: patientId('pat-a') }, fromAt: T0, toAt: T0 + 1 });
    assert.equal(page.next, undefined);
    await store.close();
  });

  test('a device moved to another patient keeps both histories, each under its patient', async () => {
    const store = await context.open();
    const before = testRecord({ patient: 'pat-1', seq: 1, observedAt: T0 });
    const after = testRecord({ patient: 'pat-2', seq: 2, observedAt: T0 + 1_000 });
    await store.write([before, after], checkpointAt(2));
    await store.flush();
    assert.deepEqual(await readPatient(store, 'pat-1'), expectedReadings([before]));
    assert.deepEqual(await readPatient(store, 'pat-2'), expectedReadings([after]));
    assert.deepEqual(await readDevice(store, 'dev-1'), expectedReadings([before, after]));
    await store.close();
  });

  test('stats count readings, messages and series, and what is not yet durable', async () => {
    const store = await context.open();
    const records = [
      testRecord({ seq: 1, observedAt: T0, readings: [HR, SPO2].map((c) => ({ code: c.code, value: 1 })) }),
      testRecord({ seq: 2, observedAt: T0 + 1_000, readings: [{ code: HR.code, value: 2 }] }),
      testRecord({ device: 'dev-2', patient: null, seq: 1, observedAt: T0, readings: [] }),
    ];
    await store.write(records, checkpointAt(3));
    const before = await store.stats();
    assert.equal(before.readings, 3);
    assert.equal(before.messages, 3);
    assert.equal(before.series, 2);
    assert.equal(before.pendingReadings, context.factory().durableOnWrite === true ? 0 : 3);
    await store.flush();
    const after = await store.stats();
    assert.equal(after.readings, 3);
    assert.equal(after.pendingReadings, 0);
    assert.ok(after.bytes > 0);
    await store.close();
  });

  test('rejects use after close', async () => {
    const store = await context.open();
    await store.close();
    await assert.rejects(store.write([testRecord({ seq: 1, observedAt: T0 })], checkpointAt(1)));
    await assert.rejects(store.range({ subject: { deviceId: deviceId('dev-1') }, fromAt: T0, toAt: T0 + 1 }));
  });
}
