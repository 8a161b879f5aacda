import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeReadingStoreContract } from '../contract.js';
import { T0, testRecord } from '../contract/records.js';
import { PostgresReadingStore } from './postgres-reading-store.js';
import { testSchema } from './test-schema.js';

// Against the PostgreSQL server .ci/run starts; each test gets a fresh schema, dropped afterwards.
describeReadingStoreContract('PostgresReadingStore', () => Promise.resolve(testSchema()));

void it('PostgresReadingStore: checkpoint scopes are independent, and a message written through two scopes is stored once', async () => {
  const factory = testSchema();
  try {
    const store = await factory.open();
    assert.ok(store instanceof PostgresReadingStore);
    const p0 = store.withCheckpointScope('partition-0');
    const p1 = store.withCheckpointScope('partition-1');
    const record = testRecord({ seq: 1, observedAt: T0 });
    const first = await p0.write([record], { offsets: { 0: 1 }, state: { owner: 'a' } });
    // The hand-over case: the next owner of the partition replays the same message.
    const replay = await p1.write([record, testRecord({ seq: 2, observedAt: T0 + 1000 })], {
      offsets: { 1: 7 },
      state: { owner: 'b' },
    });
    assert.deepEqual([first.stored, first.duplicates], [1, 0]);
    assert.deepEqual([replay.stored, replay.duplicates], [1, 1]);
    assert.deepEqual(await p0.checkpoint(), { offsets: { 0: 1 }, state: { owner: 'a' } });
    assert.deepEqual(await p1.checkpoint(), { offsets: { 1: 7 }, state: { owner: 'b' } });
    assert.equal(await store.checkpoint(), undefined, 'the default scope was never written');
    assert.equal((await store.stats()).messages, 2);
    await p0.close();
    await assert.rejects(p0.checkpoint(), { code: 'CLOSED' });
    assert.equal((await p1.stats()).messages, 2, 'closing one view leaves the others open');
    await store.close();
    await assert.rejects(p1.checkpoint(), { code: 'CLOSED' }, 'closing the store closes its views');
  } finally {
    await factory.cleanup();
  }
});

void it('PostgresReadingStore: a checkpoint scope is fenced by epoch; a write of an older owner rolls back with CONFLICT', async () => {
  const factory = testSchema();
  try {
    const store = await factory.open();
    assert.ok(store instanceof PostgresReadingStore);
    const old = store.withCheckpointScope('partition-3', 4);
    const next = store.withCheckpointScope('partition-3', 5);
    await old.write([testRecord({ seq: 1, observedAt: T0 })], { offsets: { 3: 1 }, state: { owner: 'old' } });
    await next.write([testRecord({ seq: 2, observedAt: T0 + 1 })], { offsets: { 3: 2 }, state: { owner: 'next' } });
    // The old owner wakes up (a paused process) and writes again: nothing of it lands.
    await assert.rejects(
      old.write([testRecord({ seq: 3, observedAt: T0 + 2 })], { offsets: { 3: 3 }, state: { owner: 'old' } }),
      { code: 'CONFLICT', message: /newer owner than epoch 4/ },
    );
    assert.deepEqual(await next.checkpoint(), { offsets: { 3: 2 }, state: { owner: 'next' } });
    assert.equal((await store.stats()).messages, 2, 'the fenced batch rolled back');
    await store.close();
  } finally {
    await factory.cleanup();
  }
});
