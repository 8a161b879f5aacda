import assert from 'node:assert/strict';
import type { CaseRunner } from './session.js';
import { allPartitions, interleaved, keyOf, request } from './records.js';

/** A wait long enough that only a missed wake-up reaches it; the test's timeout fails first. */
const LONG_WAIT_MS = 120_000;
const WAKE_TEST = { timeout: 30_000 };

/** Fetch: offsets, maxRecords, waiting, waking and aborting. */
export function fetchCases(test: CaseRunner): void {
  test('fetches from the given offsets of several partitions and respects maxRecords', async ({ log }) => {
    await log.append(interleaved(16, 6));
    const ends = log.status().endOffsets;
    const busy = [...ends].filter(([, end]) => end >= 4).map(([p]) => p);
    assert.ok(busy.length >= Math.min(2, log.partitionCount), 'two partitions hold at least 4 records');
    const from = new Map(busy.slice(0, 2).map((p, i) => [p, 1 + 2 * i]));
    const expected = [...from].reduce((sum, [p, offset]) => sum + (ends.get(p) ?? 0) - offset, 0);
    const all = await log.fetch(from, { maxRecords: 10_000, maxWaitMs: 0 });
    assert.equal(all.length, expected);
    assert.ok(all.every((e) => e.offset >= (from.get(e.partition) ?? Infinity)));
    const few = await log.fetch(from, { maxRecords: 3, maxWaitMs: 0 });
    assert.ok(few.length > 0 && few.length <= 3);
    for (const p of from.keys()) {
      const offsets = few.filter((e) => e.partition === p).map((e) => e.offset);
      assert.deepEqual(
        offsets,
        offsets.map((_, i) => (from.get(p) ?? 0) + i),
      );
    }
  });
  test('returns [] when nothing arrives within maxWaitMs', async ({ log }) => {
    await log.append([request('a', 1)]);
    const ends = log.status().endOffsets;
    assert.deepEqual(await log.fetch(ends, { maxRecords: 10, maxWaitMs: 0 }), []);
    assert.deepEqual(await log.fetch(ends, { maxRecords: 10, maxWaitMs: 20 }), []);
  });
  test(
    'wakes a waiting fetch as soon as a record is appended',
    async ({ log }) => {
      const waiting = log.fetch(allPartitions(log), { maxRecords: 10, maxWaitMs: LONG_WAIT_MS });
      await log.append([request('a', 1)]);
      assert.deepEqual((await waiting).map(keyOf), ['a|b1|1']);
    },
    WAKE_TEST,
  );
  test(
    'ends a waiting fetch with [] when its signal aborts',
    async ({ log }) => {
      const controller = new AbortController();
      const waiting = log.fetch(allPartitions(log), {
        maxRecords: 10,
        maxWaitMs: LONG_WAIT_MS,
        signal: controller.signal,
      });
      controller.abort();
      assert.deepEqual(await waiting, []);
    },
    WAKE_TEST,
  );
}
