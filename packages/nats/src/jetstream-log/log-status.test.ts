import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import { LogStatusTracker } from './log-status.js';

/** A connection whose status events the test pushes, and streams whose info answers or fails. */
function fakes(answer: { ok: boolean }) {
  const pending: ((value: IteratorResult<Status>) => void)[] = [];
  const events: AsyncIterable<Status> & { stop: () => void } = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<IteratorResult<Status>>((resolve) => pending.push(resolve)),
    }),
    stop: () => {
      for (const resolve of pending.splice(0)) resolve({ done: true, value: undefined });
    },
  };
  const nc = { status: () => events } as unknown as NatsConnection;
  const info = (seq: number) => ({ state: { last_seq: seq, bytes: 10 } }) as unknown as StreamInfo;
  const jsm = {
    streams: {
      info: () => (answer.ok ? Promise.resolve(info(7)) : Promise.reject(new Error('timeout'))),
    },
  } as unknown as JetStreamManager;
  return { nc, jsm, infos: [info(0), info(0)] };
}

test('a failed publish makes the log unavailable until every stream answers again, not only until the next publish', async () => {
  const answer = { ok: false };
  const { nc, jsm, infos } = fakes(answer);
  const tracker = new LogStatusTracker(nc, jsm, 'WS', infos, { now: () => 1 }, 60_000);
  try {
    tracker.noteFailure(new Error('JetStream did not acknowledge a publish: timeout'));
    assert.equal(tracker.status().state.kind, 'unavailable');
    await tracker.refresh();
    assert.equal(tracker.status().state.kind, 'unavailable', 'the streams still do not answer');
    answer.ok = true;
    await tracker.refresh();
    assert.equal(
      tracker.status().state.kind,
      'ok',
      'a gateway refusing devices meanwhile publishes nothing to recover by',
    );
    assert.deepEqual(
      [...tracker.status().endOffsets],
      [
        [0, 7],
        [1, 7],
      ],
    );
  } finally {
    await tracker.stop();
  }
});
