import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalReadings,
  deviceId,
  patientId,
  QualityFlag,
  type CanonicalReading,
  type IngestRecord,
} from '@wardstream/domain';
import type { ReadingStore } from '../reading-store.js';
import type { ContractContext } from './context.js';
import { checkpointAt, HR, RR, SPO2, T0, TEMP, testRecord } from './records.js';

const patient = { patientId: patientId('pat-1') };
const HOUR_MS = 3_600_000;
const { implausible, artifact, late, clockSkew } = QualityFlag;

/** The reading of `code` among the canonical readings of `record`. */
function readingOf(record: IngestRecord, code: string): CanonicalReading {
  const reading = canonicalReadings(record).find((r) => r.code === code);
  assert.ok(reading !== undefined, `no ${code} in the record`);
  return reading;
}

/**
 * Latest values: the newest reading of each code not flagged clockSkew, else the clock-skewed one
 * received last; other flags are shown, never skipped.
 */
export function latestCases(context: ContractContext): void {
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

  test('a clock-skewed reading dated in the future does not hide correct readings written after it', async () => {
    const factory = context.factory();
    let store = await factory.open();
    const now = T0 + 10 * 60_000;
    // dev-1's clock runs an hour ahead for one message: SpO2 99 and HR 120, both flagged.
    const skewed = testRecord({
      seq: 1,
      observedAt: now + HOUR_MS,
      receivedAt: now,
      readings: [
        { code: SPO2.code, value: 99, quality: clockSkew },
        { code: HR.code, value: 120, quality: clockSkew },
      ],
    });
    // dev-2, on the same patient, two hours ahead.
    const otherSkewed = testRecord({
      device: 'dev-2',
      seq: 1,
      observedAt: now + 2 * HOUR_MS,
      receivedAt: now + 500,
      readings: [{ code: HR.code, value: 130, quality: clockSkew }],
    });
    // Then correct readings, observed before the skewed ones claim to be.
    const correct = testRecord({ seq: 2, observedAt: now, readings: [{ code: SPO2.code, value: 82 }] });
    const otherCorrect = testRecord({
      device: 'dev-3',
      seq: 1,
      observedAt: now - 60_000,
      readings: [{ code: HR.code, value: 70 }],
    });
    await store.write([skewed, otherSkewed], checkpointAt(2));
    await store.flush();
    assert.deepEqual(await store.latest(patient), [readingOf(otherSkewed, HR.code), readingOf(skewed, SPO2.code)]);
    await store.write([correct, otherCorrect], checkpointAt(4));

    const expectLatest = async (s: ReadingStore, when: string) => {
      assert.deepEqual(
        await s.latest(patient),
        [readingOf(otherCorrect, HR.code), readingOf(correct, SPO2.code)],
        `patient, ${when}`,
      );
      // dev-1 has no unskewed HR: its only (skewed) one shows, flagged.
      assert.deepEqual(
        await s.latest({ deviceId: deviceId('dev-1') }),
        [readingOf(skewed, HR.code), readingOf(correct, SPO2.code)],
        `dev-1, ${when}`,
      );
      assert.deepEqual(await s.latest({ deviceId: deviceId('dev-2') }), canonicalReadings(otherSkewed), when);
      const ward = await s.latestForPatients([patient.patientId]);
      assert.deepEqual(ward.get(patient.patientId), await s.latest(patient), `ward, ${when}`);
    };
    await expectLatest(store, 'in memory');
    await store.flush();
    await expectLatest(store, 'flushed');
    await store.close();
    store = await factory.open();
    await expectLatest(store, 'reopened');
    await store.close();
  });

  test('a code with only clock-skewed readings shows the one received last', async () => {
    const factory = context.factory();
    let store = await factory.open();
    const temp = (spec: { device?: string; seq: number; observedAt: number; receivedAt: number; value: number }) =>
      testRecord({ ...spec, readings: [{ code: TEMP.code, value: spec.value, quality: clockSkew }] });
    const ahead = temp({ seq: 1, observedAt: T0 + 2 * HOUR_MS, receivedAt: T0 + 100, value: 37.1 });
    const furtherAhead = temp({ seq: 3, observedAt: T0 + 5 * HOUR_MS, receivedAt: T0 + 200, value: 37.2 });
    // Received last, though its clock is thirty days behind and it is not the last written.
    const behind = temp({ seq: 2, observedAt: T0 - 720 * HOUR_MS, receivedAt: T0 + 300, value: 37.3 });
    const otherDevice = temp({
      device: 'dev-2',
      seq: 1,
      observedAt: T0 + 10 * HOUR_MS,
      receivedAt: T0 + 250,
      value: 37.4,
    });
    await store.write([ahead, furtherAhead], checkpointAt(2));
    await store.flush();
    assert.deepEqual(await store.latest(patient), canonicalReadings(furtherAhead));
    await store.write([behind], checkpointAt(3));
    await store.write([otherDevice], checkpointAt(4));

    const expectLatest = async (s: ReadingStore, when: string) => {
      assert.deepEqual(await s.latest(patient), canonicalReadings(behind), `patient, ${when}`);
      assert.deepEqual(await s.latest({ deviceId: deviceId('dev-1') }), canonicalReadings(behind), when);
      assert.deepEqual(await s.latest({ deviceId: deviceId('dev-2') }), canonicalReadings(otherDevice), when);
    };
    await expectLatest(store, 'in memory');
    await store.flush();
    await expectLatest(store, 'flushed');
    await store.close();
    store = await factory.open();
    await expectLatest(store, 'reopened');
    await store.close();
  });

  test('late and otherwise flagged readings are eligible: shown with their flags when newest, never over a newer one', async () => {
    const factory = context.factory();
    let store = await factory.open();
    const newer = testRecord({
      seq: 2,
      observedAt: T0 + 60_000,
      readings: [
        { code: HR.code, value: 80 },
        { code: SPO2.code, value: 95 },
      ],
    });
    const lateOnes = testRecord({
      seq: 1,
      observedAt: T0,
      receivedAt: T0 + 200_000,
      readings: [
        { code: HR.code, value: 50, quality: late },
        { code: SPO2.code, value: 90, quality: late },
        { code: RR.code, value: 18, quality: late },
      ],
    });
    const flaggedNewest = testRecord({
      seq: 3,
      observedAt: T0 + 120_000,
      readings: [{ code: SPO2.code, value: 0, quality: implausible | artifact }],
    });
    await store.write([newer], checkpointAt(1));
    await store.flush();
    await store.write([lateOnes], checkpointAt(2));
    // Sorted by code: HR, SpO2, RR.
    assert.deepEqual(await store.latest(patient), [
      readingOf(newer, HR.code),
      readingOf(newer, SPO2.code),
      readingOf(lateOnes, RR.code),
    ]);
    await store.write([flaggedNewest], checkpointAt(3));
    const expected = [readingOf(newer, HR.code), readingOf(flaggedNewest, SPO2.code), readingOf(lateOnes, RR.code)];
    assert.equal(expected[1]?.quality, implausible | artifact);
    assert.equal(expected[2]?.quality, late);
    assert.deepEqual(await store.latest(patient), expected);
    await store.close();
    store = await factory.open();
    assert.deepEqual(await store.latest(patient), expected);
    await store.close();
  });
}
