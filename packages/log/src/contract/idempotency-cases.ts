import assert from 'node:assert/strict';
import type { CaseRunner } from './session.js';
import { appended, decode, interleaved, keyOf, readAll, request } from './records.js';

/** Idempotency per (deviceId, boot, seq): duplicates, conflicts, new boots, concurrency. */
export function idempotencyCases(test: CaseRunner): void {
  test('reports a re-send as a duplicate of the original and appends nothing', async ({ log }) => {
    const [first] = await log.append([request('a', 1), request('a', 2)]);
    const original = appended(first);
    const [again] = await log.append([request('a', 1)]);
    assert.deepEqual(again, { kind: 'duplicate', ...original });
    assert.equal((await readAll(log)).length, 2);
    assert.equal(log.status().endOffsets.get(original.partition), 2);
  });
  test('reports the same key with other content as a conflict and appends nothing', async ({ log }) => {
    const [first] = await log.append([request('a', 1)]);
    const [other] = await log.append([request('a', 1, { contentHash: 42 })]);
    assert.deepEqual(other, { kind: 'conflict', ...appended(first) });
    const entries = await readAll(log);
    assert.equal(entries.length, 1);
    assert.equal(decode(entries[0]?.payload ?? new Uint8Array()), 'a/b1/1');
  });
  test('recognises a duplicate within one call', async ({ log }) => {
    const [first, second] = await log.append([request('a', 1), request('a', 1)]);
    assert.deepEqual(second, { kind: 'duplicate', ...appended(first) });
    assert.equal((await readAll(log)).length, 1);
  });
  test('keeps the records of a new boot that restarts seq at 1', async ({ log }) => {
    await log.append([request('a', 1, { boot: 'b1' }), request('a', 2, { boot: 'b1' })]);
    const outcomes = await log.append([request('a', 1, { boot: 'b2' }), request('a', 2, { boot: 'b2' })]);
    for (const outcome of outcomes) appended(outcome);
    assert.deepEqual((await readAll(log)).map(keyOf), ['a|b1|1', 'a|b1|2', 'a|b2|1', 'a|b2|2']);
  });
  test('lands every record of many concurrent overlapping calls exactly once', async ({ log }) => {
    const unique = interleaved(20, 50);
    const calls = Array.from({ length: 50 }, (_, c) =>
      Array.from({ length: 40 }, (_, k) => unique[(c * 20 + k) % unique.length] ?? request('x', 0)),
    );
    const results = await Promise.all(calls.map((call) => log.append(call)));
    const placed = new Map<string, { partition: number; offset: number }>();
    for (const [c, outcomes] of results.entries()) {
      for (const [k, outcome] of outcomes.entries()) {
        const key = keyOf(calls[c]?.[k] ?? request('x', 0));
        if (outcome.kind === 'appended') {
          assert.ok(!placed.has(key), `${key} appended twice`);
          placed.set(key, { partition: outcome.partition, offset: outcome.offset });
        }
      }
    }
    assert.equal(placed.size, unique.length);
    for (const [c, outcomes] of results.entries()) {
      for (const [k, outcome] of outcomes.entries()) {
        const key = keyOf(calls[c]?.[k] ?? request('x', 0));
        if (outcome.kind !== 'appended') assert.deepEqual(outcome, { kind: 'duplicate', ...placed.get(key) });
      }
    }
    const entries = await readAll(log);
    assert.deepEqual(new Set(entries.map(keyOf)).size, unique.length);
    assert.equal(entries.length, unique.length);
  });
}
