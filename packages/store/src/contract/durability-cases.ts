import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceId, patientId, type IngestRecord } from '@wardstream/domain';
import type { ContractContext } from './context.js';
import { checkpointAt, expectedReadings, HR, readDevice, readPatient, SPO2, T0, testRecord } from './records.js';

/** Ten batches of 20 messages, two readings each, batch k being log offsets 20k..20k+19. */
function batches(): IngestRecord[][] {
  return Array.from({ length: 10 }, (_, k) =>
    Array.from({ length: 20 }, (_, i) => {
      const seq = k * 20 + i + 1;
      return testRecord({
        seq,
        observedAt: T0 + seq * 1_000,
        readings: [
          { code: HR.code, value: 60 + (seq % 30) },
          { code: SPO2.code, value: 90 + (seq % 10) },
        ],
      });
    }),
  );
}

/** Durability: reopen keeps everything flushed with its checkpoint; a crash loses only the rest. */
export function durabilityCases(context: ContractContext): void {
  test('an empty store has no checkpoint; an unflushed write does not change the durable one (a durable-on-write store: it does)', async () => {
    const store = await context.open();
    assert.equal(await store.checkpoint(), undefined);
    await store.write([testRecord({ seq: 1, observedAt: T0 })], checkpointAt(1));
    await store.flush();
    assert.deepEqual(await store.checkpoint(), checkpointAt(1));
    await store.write([testRecord({ seq: 2, observedAt: T0 + 1 })], checkpointAt(2));
    // Unflushed, the durable checkpoint is still the first, unless every write is durable at once.
    assert.deepEqual(
      await store.checkpoint(),
      context.factory().durableOnWrite === true ? checkpointAt(2) : checkpointAt(1),
    );
    await store.flush();
    assert.deepEqual(await store.checkpoint(), checkpointAt(2));
    await store.close();
  });

  test('flush, close and reopen keep data, checkpoint, latest values and stats', async () => {
    const factory = context.factory();
    const store = await factory.open();
    const all = batches();
    for (const [k, batch] of all.entries()) {
      await store.write(batch, checkpointAt((k + 1) * 20));
      if (k % 3 === 0) await store.flush();
    }
    await store.write([], checkpointAt(777, { note: 'progress without records' }));
    const stats = await store.stats();
    await store.close();
    const reopened = await factory.open();
    assert.deepEqual(await reopened.checkpoint(), checkpointAt(777, { note: 'progress without records' }));
    assert.deepEqual(await readPatient(reopened, 'pat-1'), expectedReadings(all.flat()));
    assert.deepEqual(await reopened.latest({ patientId: patientId('pat-1') }), expectedReadings(all.flat()).slice(-2));
    const after = await reopened.stats();
    assert.deepEqual({ ...after, bytes: 0 }, { ...stats, bytes: 0, pendingReadings: 0 });
    await reopened.close();
  });

  test('a crash loses only unflushed data; replay from the durable checkpoint stores each reading once', async (t) => {
    const factory = context.factory();
    const crash = factory.crash?.bind(factory);
    if (crash === undefined) {
      t.skip('this adapter cannot simulate a crash');
      return;
    }
    const all = batches();
    const store = await factory.open();
    for (let k = 0; k < 4; k++) await store.write(all[k]!, checkpointAt((k + 1) * 20));
    await store.flush();
    for (let k = 4; k < 7; k++) await store.write(all[k]!, checkpointAt((k + 1) * 20));
    await crash(store);

    const reopened = await factory.open();
    const checkpoint = await reopened.checkpoint();
    const offset = checkpoint?.offsets[0];
    assert.ok(offset !== undefined && offset % 20 === 0 && offset >= 80 && offset <= 140, `offset ${offset}`);
    assert.deepEqual(checkpoint, checkpointAt(offset));
    // What is durable is exactly what the checkpoint covers: nothing more, nothing less.
    const durable = all.slice(0, offset / 20).flat();
    assert.deepEqual(await readDevice(reopened, 'dev-1'), expectedReadings(durable));
    assert.equal((await reopened.stats()).messages, durable.length);

    // The processor replays the log from the checkpoint (and, harmlessly, a little before it).
    for (let k = Math.max(0, offset / 20 - 1); k < all.length; k++) {
      await reopened.write(all[k]!, checkpointAt((k + 1) * 20));
    }
    await reopened.close();
    const final = await factory.open();
    assert.deepEqual(await readDevice(final, 'dev-1'), expectedReadings(all.flat()));
    assert.equal((await final.stats()).messages, 200);
    assert.deepEqual(await final.checkpoint(), checkpointAt(200));
    await final.close();
  });

  test('late and out-of-order data across flushes comes back in order', async () => {
    const factory = context.factory();
    const store = await factory.open();
    const records: IngestRecord[] = [];
    const write = async (seqs: number[], offsetMs: (seq: number) => number) => {
      const batch = seqs.map((seq) => testRecord({ seq, observedAt: T0 + offsetMs(seq) }));
      records.push(...batch);
      await store.write(batch, checkpointAt(records.length));
    };
    await write([10, 11, 12], (s) => s * 60_000); // T0+10 min …
    await store.flush();
    await write([3, 1, 2], (s) => s * 60_000); // minutes earlier, reversed
    await store.flush();
    await write([20], () => -2 * 3_600_000); // two hours earlier
    await write([21], () => 11 * 60_000 + 1); // between two durable readings
    await store.flush();
    await write([13, 4], (s) => s * 60_000 + 500); // still in memory
    const expected = expectedReadings(records);
    assert.deepEqual(await readDevice(store, 'dev-1'), expected);
    const page = await store.range({
      subject: { deviceId: deviceId('dev-1') },
      fromAt: T0,
      toAt: T0 + 11 * 60_000 + 2,
      limit: 4,
    });
    assert.deepEqual(page.readings, expected.filter((r) => r.observedAt >= T0).slice(0, 4));
    assert.deepEqual((await store.latest({ deviceId: deviceId('dev-1') }))[0]?.seq, 13);
    await store.close();
    const reopened = await factory.open();
    assert.deepEqual(await readDevice(reopened, 'dev-1'), expected);
    assert.deepEqual((await reopened.latest({ deviceId: deviceId('dev-1') }))[0]?.seq, 13);
    await reopened.close();
  });
}
