import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceId, patientId } from '@wardstream/domain';
import type { ContractContext } from './context.js';
import { checkpointAt, ECG, HR, SPO2, T0, testRecord } from './records.js';

const patient = { patientId: patientId('pat-1') };

/** Waveforms and unassigned devices. */
export function summaryCases(context: ContractContext): void {
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
