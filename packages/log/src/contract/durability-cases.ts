import assert from 'node:assert/strict';
import { LogClosedError } from '../errors.js';
import type { CaseRunner } from './session.js';
import { allPartitions, appended, decode, interleaved, keyOf, readAll, request } from './records.js';

/** Durability: commits and records across close and reopen; close semantics. */
export function durabilityCases(test: CaseRunner): void {
  test('keeps each consumer’s commits, per partition, across close and reopen', async (session) => {
    await session.log.append(interleaved(16, 4));
    const [p1 = 0, p2 = 0] = [...session.log.status().endOffsets].filter(([, end]) => end > 0).map(([p]) => p);
    await session.log.commit('processor', new Map([[p1, 1]]));
    await session.log.commit('processor', new Map([[p2, 2]]));
    await session.log.commit('archiver', new Map([[p1, 0]]));
    const expected = new Map([
      [p1, 1],
      [p2, 2],
    ]);
    assert.deepEqual(await session.log.committed('processor'), expected);
    assert.deepEqual(await session.log.committed('nobody'), new Map());
    const reopened = await session.reopen();
    assert.deepEqual(await reopened.committed('processor'), expected);
    assert.deepEqual(await reopened.committed('archiver'), new Map([[p1, 0]]));
  });
  test('keeps every appended record across close and reopen, and still knows its keys', async (session) => {
    const requests = interleaved(10, 5);
    const outcomes = await session.log.append(requests);
    const before = await readAll(session.log);
    const reopened = await session.reopen();
    assert.deepEqual(
      (await readAll(reopened)).map((e) => [e.partition, e.offset, keyOf(e), decode(e.payload)]),
      before.map((e) => [e.partition, e.offset, keyOf(e), decode(e.payload)]),
    );
    const again = await reopened.append([
      requests[3] ?? request('x', 0),
      { ...(requests[4] ?? request('x', 0)), contentHash: 1 },
    ]);
    assert.deepEqual(again[0], { ...outcomes[3], kind: 'duplicate' });
    assert.deepEqual(again[1], { ...outcomes[4], kind: 'conflict' });
    const [next] = await reopened.append([request('dev-0', 99)]);
    const { partition, offset } = appended(next);
    assert.equal(offset, before.filter((e) => e.partition === partition).length, 'offsets continue after reopen');
  });
  test('finishes appends in flight when closed, and rejects appends and fetches after', async (session) => {
    const log = session.log;
    const inFlight = log.append([request('a', 1), request('b', 1)]);
    await session.close();
    for (const outcome of await inFlight) appended(outcome);
    await assert.rejects(log.append([request('a', 2)]), LogClosedError);
    await assert.rejects(log.fetch(allPartitions(log), { maxRecords: 1, maxWaitMs: 0 }), LogClosedError);
    const reopened = await session.reopen();
    assert.deepEqual((await readAll(reopened)).map(keyOf).sort(), ['a|b1|1', 'b|b1|1']);
  });
}
