import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalReadings, deviceId, patientId, type IngestRecord } from '@wardstream/domain';
import type { Bucket } from '../reading-store.js';
import type { ContractContext } from './context.js';
import { checkpointAt, ECG, HR, SPO2, T0, testRecord } from './records.js';

const patient = { patientId: patientId('pat-1') };

/** Latest values, bucketed aggregates, waveforms and unassigned devices. */
export function summaryCases(context: ContractContext): void {
  test('latest gives the most recent reading of each code, whatever the write order', async () => {
    const store = await context.open();
    const newest = testRecord({
      device: 'dev-2',
      seq: 5,
      observedAt: T0 + 5_000,
      readings: [{ code: HR.code, value: 88 }],
    });
    const older = testRecord({
      seq: 1,
      observedAt: T0 + 1_000,
      readings: [
        { code: HR.code, value: 70 },
        { code: SPO2.code, value: 97 },
      ],
    });
    const late = testRecord({
      seq: 2,
      observedAt: T0,
      readings: [
        { code: HR.code, value: 40 },
        { code: SPO2.code, value: 80 },
      ],
    });
    await store.write([newest, older], checkpointAt(2));
    await store.flush();
    await store.write([late], checkpointAt(3));
    const expected = [...canonicalReadings(newest), canonicalReadings(older)[1]];
    assert.deepEqual(await store.latest(patient), expected);
    assert.deepEqual(await store.latest({ deviceId: deviceId('dev-1') }), canonicalReadings(older));
    assert.deepEqual(await store.latest({ patientId: patientId('pat-none') }), []);
    await store.close();
  });

  test('latestForPatients answers for every patient listed', async () => {
    const store = await context.open();
    const a = testRecord({ device: 'dev-a', patient: 'pat-a', seq: 1, observedAt: T0 });
    const b1 = testRecord({ device: 'dev-b', patient: 'pat-b', seq: 1, observedAt: T0 });
    const b2 = testRecord({ device: 'dev-b', patient: 'pat-b', seq: 2, observedAt: T0 + 1_000 });
    await store.write([a, b1, b2], checkpointAt(3));
    const ids = [patientId('pat-a'), patientId('pat-b'), patientId('pat-c')];
    const latest = await store.latestForPatients(ids);
    assert.deepEqual(latest.get(ids[0]!), canonicalReadings(a));
    assert.deepEqual(latest.get(ids[1]!), canonicalReadings(b2));
    assert.deepEqual(latest.get(ids[2]!) ?? [], []);
    await store.close();
  });

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
      { startAt: T0 + 3_540_000, count: 2, min: 62, max: 63, mean: 62.5 },
      { startAt: T0 + 3_541_000, count: 4, min: 64, max: 67, mean: 65.5 },
      { startAt: T0 + 3_542_000, count: 4, min: 60, max: 63, mean: 61.5 },
      { startAt: T0 + 3_543_000, count: 2, min: 64, max: 65, mean: 64.5 },
    ] satisfies Bucket[]);
    const minutes = await store.aggregate({ ...query, bucketMs: 60_000 });
    assert.equal(minutes.length, 120);
    assert.deepEqual(minutes[0], {
      startAt: T0 + 3_540_000,
      count: 238,
      min: 60,
      max: 67,
      mean: (30 * 508 - 60 - 61) / 238,
    });
    assert.deepEqual(minutes[1], { startAt: T0 + 3_600_000, count: 240, min: 60, max: 67, mean: 63.5 });
    assert.ok(minutes.every((b, i) => b.startAt === T0 + 3_540_000 + i * 60_000));
    const hours = await store.aggregate({ ...query, bucketMs: 3_600_000 });
    assert.deepEqual(
      hours.map((b) => [b.startAt - T0, b.count, b.min, b.max]),
      [
        [0, 238, 60, 67],
        [3_600_000, 14_400, 60, 67],
        [7_200_000, 14_160, 60, 67],
      ],
    );
    assert.equal(hours[1]!.mean, 63.5);
    assert.deepEqual(await store.aggregate({ ...query, code: SPO2.code, bucketMs: 60_000 }), []);
    await store.close();
  });

  test('waveforms come back exactly, by patient or device, code and time', async () => {
    const store = await context.open();
    const samples = Array.from({ length: 250 }, (_, i) => Math.round(Math.sin(i / 10) * 1_000) / 1_000 + i * 1e-9);
    const first = testRecord({
      seq: 1,
      observedAt: T0,
      waveforms: [{ code: ECG.code, unit: ECG.unit, fsHz: 250, startAt: T0, samples, quality: 2 }],
    });
    const second = testRecord({
      seq: 2,
      observedAt: T0 + 1_000,
      waveforms: [
        { code: ECG.code, unit: ECG.unit, fsHz: 250, startAt: T0 + 1_000, samples: [0.5, -0.25], quality: 0 },
      ],
    });
    await store.write([first], checkpointAt(1));
    await store.flush();
    await store.write([second], checkpointAt(2));
    const both = await store.waveforms({ subject: patient, fromAt: T0, toAt: T0 + 2_000 });
    assert.deepEqual(both, [
      {
        deviceId: 'dev-1',
        patientId: 'pat-1',
        code: ECG.code,
        unit: 'mV',
        fsHz: 250,
        startAt: T0,
        samples,
        boot: 'b1',
        seq: 1,
        quality: 2,
      },
      {
        deviceId: 'dev-1',
        patientId: 'pat-1',
        code: ECG.code,
        unit: 'mV',
        fsHz: 250,
        startAt: T0 + 1_000,
        samples: [0.5, -0.25],
        boot: 'b1',
        seq: 2,
        quality: 0,
      },
    ]);
    const tail = await store.waveforms({
      subject: { deviceId: deviceId('dev-1') },
      code: ECG.code,
      fromAt: T0 + 999,
      toAt: T0 + 1_000,
    });
    assert.deepEqual(
      tail.map((w) => w.seq),
      [1],
    );
    assert.deepEqual(await store.waveforms({ subject: patient, code: HR.code, fromAt: T0, toAt: T0 + 2_000 }), []);
    assert.deepEqual(await store.waveforms({ subject: patient, fromAt: T0 + 2_000, toAt: T0 + 3_000 }), []);
    await store.close();
  });

  test('lists devices that sent readings while bound to no patient', async () => {
    const store = await context.open();
    await store.write(
      [
        testRecord({
          device: 'dev-z',
          patient: null,
          seq: 1,
          observedAt: T0 + 1_000,
          readings: [
            { code: HR.code, value: 1 },
            { code: SPO2.code, value: 2 },
          ],
        }),
        testRecord({ device: 'dev-z', patient: null, seq: 2, observedAt: T0 + 3_000 }),
        testRecord({ device: 'dev-y', patient: null, seq: 1, observedAt: T0 }),
        testRecord({ device: 'dev-x', patient: 'pat-1', seq: 1, observedAt: T0 }),
      ],
      checkpointAt(4),
    );
    await store.flush();
    await store.write(
      [testRecord({ device: 'dev-y', patient: null, seq: 2, observedAt: T0 - 5_000 })],
      checkpointAt(5),
    );
    assert.deepEqual(await store.unassignedDevices(), [
      { deviceId: 'dev-y', readings: 2, lastObservedAt: T0 },
      { deviceId: 'dev-z', readings: 3, lastObservedAt: T0 + 3_000 },
    ]);
    await store.close();
  });
}
