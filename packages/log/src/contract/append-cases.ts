import assert from 'node:assert/strict';
import { partitionFor } from '../partition.js';
import type { AppendOutcome } from '../telemetry-log.js';
import type { CaseRunner } from './session.js';
import { appended, decode, interleaved, keyOf, readAll, request } from './records.js';

/** Appends: outcomes in request order, partitions by key, contiguous offsets, order kept. */
export function appendCases(test: CaseRunner): void {
  test('answers every request with an outcome, in request order, in the partition of its key', async ({ log }) => {
    const requests = [
      request('a', 1),
      request('b', 1),
      request('c', 1, { key: 'shared' }),
      request('d', 1, { key: 'shared' }),
    ];
    const outcomes = await log.append(requests);
    assert.equal(outcomes.length, requests.length);
    for (const [i, outcome] of outcomes.entries()) {
      assert.equal(appended(outcome).partition, partitionFor(requests[i]?.key ?? '', log.partitionCount));
    }
    assert.equal(appended(outcomes[3]).offset, appended(outcomes[2]).offset + 1, 'same key, consecutive offsets');
  });
  test('assigns offsets per partition from 0, contiguous, over many calls', async ({ log }) => {
    const requests = interleaved(12, 10);
    const outcomes: AppendOutcome[] = [];
    for (let i = 0; i < requests.length; i += 17) outcomes.push(...(await log.append(requests.slice(i, i + 17))));
    const perPartition = new Map<number, number[]>();
    for (const outcome of outcomes) {
      const { partition, offset } = appended(outcome);
      perPartition.set(partition, [...(perPartition.get(partition) ?? []), offset]);
    }
    assert.ok(perPartition.size > 1 || log.partitionCount === 1, 'the keys spread over several partitions');
    for (const [partition, offsets] of perPartition) {
      assert.deepEqual(offsets, [...offsets.keys()], `partition ${partition}: 0, 1, 2… in append order`);
      assert.equal(log.status().endOffsets.get(partition), offsets.length);
    }
  });
  test('reads each partition back in append order with ids and payloads intact', async ({ log }) => {
    const requests = interleaved(9, 8);
    await Promise.all([log.append(requests.slice(0, 40))]);
    await log.append(requests.slice(40));
    const entries = await readAll(log);
    assert.equal(entries.length, requests.length);
    for (let p = 0; p < log.partitionCount; p++) {
      const expected = requests.filter((r) => partitionFor(r.key, log.partitionCount) === p);
      const actual = entries.filter((e) => e.partition === p);
      assert.deepEqual(actual.map(keyOf), expected.map(keyOf), `partition ${p} order`);
      assert.deepEqual(
        actual.map((e) => decode(e.payload)),
        expected.map((r) => decode(r.payload)),
      );
      assert.deepEqual(
        actual.map((e) => e.offset),
        [...actual.keys()],
      );
    }
  });
}
