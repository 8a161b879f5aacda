import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContractContext } from './context.js';
import { checkpointAt, expectedReadings, HR, readDevice, SPO2, T0, testRecord } from './records.js';

const twoCodes = (seq: number) => [
  { code: HR.code, value: 60 + seq },
  { code: SPO2.code, value: 90 + (seq % 10) },
];

/** Idempotency per message key (deviceId, boot, seq): all readings of a message, or none. */
export function idempotencyCases(context: ContractContext): void {
  test('writing the same records twice stores each reading once', async () => {
    const store = await context.open();
    const records = [1, 2, 3].map((seq) => testRecord({ seq, observedAt: T0 + seq * 1_000, readings: twoCodes(seq) }));
    assert.deepEqual(await store.write(records, checkpointAt(3)), { stored: 3, duplicates: 0, readings: 6 });
    assert.deepEqual(await store.write(records, checkpointAt(3)), { stored: 0, duplicates: 3, readings: 0 });
    await store.flush();
    assert.deepEqual(await store.write(records, checkpointAt(3)), { stored: 0, duplicates: 3, readings: 0 });
    assert.deepEqual(await readDevice(store, 'dev-1'), expectedReadings(records));
    assert.equal((await store.stats()).messages, 3);
    await store.close();
  });

  test('a batch mixing new and stored keys stores only the new messages', async () => {
    const store = await context.open();
    const first = [1, 2, 4].map((seq) => testRecord({ seq, observedAt: T0 + seq * 1_000 }));
    await store.write(first, checkpointAt(3));
    await store.flush();
    const mixed = [1, 2, 3, 4, 5].map((seq) => testRecord({ seq, observedAt: T0 + seq * 1_000 }));
    assert.deepEqual(await store.write(mixed, checkpointAt(5)), { stored: 2, duplicates: 3, readings: 2 });
    assert.deepEqual(await readDevice(store, 'dev-1'), expectedReadings(mixed));
    await store.close();
  });

  test('a message repeated within one batch is stored once', async () => {
    const store = await context.open();
    const record = testRecord({ seq: 9, observedAt: T0 });
    assert.deepEqual(await store.write([record, record], checkpointAt(2)), { stored: 1, duplicates: 1, readings: 1 });
    assert.deepEqual(await readDevice(store, 'dev-1'), expectedReadings([record]));
    await store.close();
  });

  test('a stored key with different content changes nothing: the first message stays', async () => {
    const store = await context.open();
    const original = testRecord({ seq: 1, observedAt: T0, readings: twoCodes(1) });
    const conflicting = testRecord({ seq: 1, observedAt: T0 + 5, readings: [{ code: HR.code, value: 999 }] });
    await store.write([original], checkpointAt(1));
    assert.deepEqual(await store.write([conflicting], checkpointAt(2)), { stored: 0, duplicates: 1, readings: 0 });
    assert.deepEqual(await readDevice(store, 'dev-1'), expectedReadings([original]));
    await store.close();
  });

  test('a new boot restarting its seq at 1 is stored in full', async () => {
    const store = await context.open();
    const firstBoot = [1, 2, 3].map((seq) => testRecord({ boot: 'b1', seq, observedAt: T0 + seq * 1_000 }));
    const secondBoot = [1, 2, 3].map((seq) => testRecord({ boot: 'b2', seq, observedAt: T0 + 10_000 + seq * 1_000 }));
    await store.write(firstBoot, checkpointAt(3));
    await store.flush();
    assert.deepEqual(await store.write(secondBoot, checkpointAt(6)), { stored: 3, duplicates: 0, readings: 3 });
    const otherDevice = [1, 2].map((seq) => testRecord({ device: 'dev-2', boot: 'b1', seq, observedAt: T0 }));
    assert.deepEqual(await store.write(otherDevice, checkpointAt(8)), { stored: 2, duplicates: 0, readings: 2 });
    assert.deepEqual(await readDevice(store, 'dev-1'), expectedReadings([...firstBoot, ...secondBoot]));
    await store.close();
  });

  test('keys survive close and reopen, including gaps filled later', async () => {
    const factory = context.factory();
    const store = await factory.open();
    const odd = [1, 3, 5, 7].map((seq) => testRecord({ seq, observedAt: T0 + seq * 1_000 }));
    await store.write(odd, checkpointAt(4));
    await store.close();
    const reopened = await factory.open();
    const all = [1, 2, 3, 4, 5, 6, 7, 8].map((seq) => testRecord({ seq, observedAt: T0 + seq * 1_000 }));
    assert.deepEqual(await reopened.write(all, checkpointAt(8)), { stored: 4, duplicates: 4, readings: 4 });
    assert.deepEqual(await reopened.write(all, checkpointAt(8)), { stored: 0, duplicates: 8, readings: 0 });
    assert.deepEqual(await readDevice(reopened, 'dev-1'), expectedReadings(all));
    assert.equal((await reopened.stats()).messages, 8);
    await reopened.close();
  });
}
