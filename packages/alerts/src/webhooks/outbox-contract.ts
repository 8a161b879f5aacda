import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WardstreamError } from '@wardstream/domain';
import { testEvent } from './test-support.js';
import type { WebhookOutbox } from './webhook-outbox.js';

export type OpenWebhookOutbox = () => WebhookOutbox | Promise<WebhookOutbox>;

const ids = (items: readonly { targetId: string; event: { id: string } }[]): string[] =>
  items.map((i) => `${i.targetId}/${i.event.id}`);

/**
 * The contract of the `WebhookOutbox` port (webhook-outbox.ts), run by every adapter in one line:
 *
 *   describeWebhookOutboxContract('SqliteWebhookOutbox', () => SqliteWebhookOutbox.open({ path: ':memory:' }));
 *
 * `open` is called once per test, for fresh storage. Covers idempotent adds, per-target FIFO heads,
 * due times, failures and deliveries, event round trips, counts and closing.
 */
export function describeWebhookOutboxContract(name: string, open: OpenWebhookOutbox): void {
  const test = (title: string, body: (outbox: WebhookOutbox) => void): void => {
    void it(title, async () => {
      const outbox = await open();
      try {
        body(outbox);
      } finally {
        outbox.close();
      }
    });
  };

  void describe(`${name} (WebhookOutbox contract)`, () => {
    test('adds a (target, event id) once; the same event for another target is a row of its own', (outbox) => {
      const event = testEvent('a1', 1, 'raised');
      assert.equal(outbox.add('t1', event, 100), true);
      assert.equal(outbox.add('t1', event, 200), false);
      assert.equal(outbox.add('t2', event, 100), true);
      assert.equal(outbox.pending(), 2);
      assert.deepEqual(outbox.due(100, 10)[0], {
        targetId: 't1',
        event,
        attempts: 0,
        nextAttemptAt: 100,
        lastError: null,
        enqueuedAt: 100,
      });
    });

    test('offers only the oldest pending row of each target, earliest due first, at most limit', (outbox) => {
      outbox.add('t1', testEvent('a1', 1, 'raised'), 300);
      outbox.add('t2', testEvent('a1', 1, 'raised'), 200);
      outbox.add('t1', testEvent('a1', 2, 'acknowledged'), 100);
      outbox.add('t3', testEvent('a2', 1, 'raised'), 250);
      assert.deepEqual(ids(outbox.due(1000, 10)), ['t2/a1:1', 't3/a2:1', 't1/a1:1']);
      assert.deepEqual(ids(outbox.due(1000, 2)), ['t2/a1:1', 't3/a2:1']);
      assert.deepEqual(ids(outbox.due(250, 10)), ['t2/a1:1', 't3/a2:1']);
      assert.deepEqual(outbox.due(199, 10), []);
    });

    test('keeps a failed row pending with its attempts, back-off and error, blocking its target', (outbox) => {
      outbox.add('t1', testEvent('a1', 1, 'raised'), 100);
      outbox.add('t1', testEvent('a1', 2, 'acknowledged'), 100);
      outbox.recordFailure('t1', 'a1:1', 1, 5000, 'HTTP 503');
      assert.deepEqual(outbox.due(4999, 10), [], 'a later row must not overtake the failed one');
      const [head] = outbox.due(5000, 10);
      assert.equal(head?.event.id, 'a1:1');
      assert.equal(head.attempts, 1);
      assert.equal(head.nextAttemptAt, 5000);
      assert.equal(head.lastError, 'HTTP 503');
      assert.equal(head.enqueuedAt, 100);
      outbox.recordFailure('t1', 'a1:1', 2, 6000, 'timeout');
      assert.deepEqual(
        outbox.due(6000, 10).map((i) => [i.attempts, i.lastError]),
        [[2, 'timeout']],
      );
      assert.deepEqual(outbox.stats(), { pending: 2, delivered: 0, failing: 1 });
    });

    test('a delivered row leaves the pending set, the next becomes head, and its id is still refused', (outbox) => {
      const first = testEvent('a1', 1, 'raised');
      outbox.add('t1', first, 100);
      outbox.add('t1', testEvent('a1', 2, 'acknowledged'), 100);
      outbox.recordFailure('t1', 'a1:1', 1, 100, 'HTTP 500');
      outbox.recordDelivered('t1', 'a1:1', 150, 202);
      assert.deepEqual(ids(outbox.due(150, 10)), ['t1/a1:2']);
      assert.equal(outbox.add('t1', first, 200), false);
      assert.deepEqual(outbox.stats(), { pending: 1, delivered: 1, failing: 0 });
      outbox.recordDelivered('t1', 'a1:2', 160, 200);
      assert.deepEqual(outbox.due(Number.MAX_SAFE_INTEGER, 10), []);
      assert.deepEqual(outbox.stats(), { pending: 0, delivered: 2, failing: 0 });
    });

    test('round-trips an event exactly: nulls, nested details, non-ASCII text', (outbox) => {
      const event = testEvent('a1', 3, 'resolved', {
        state: 'resolved',
        patientId: null,
        value: null,
        message: 'SpO₂ 85 % ≤ 91 % — “check probe”',
        details: { nested: { list: [1, 'two', null], flag: false } },
        resolvedAt: 1_700_000_000_123,
      });
      outbox.add('t1', event, 1);
      assert.deepEqual(outbox.due(1, 1)[0]?.event, event);
    });

    test('counts pending rows per target; recording an unknown or delivered pair changes nothing', (outbox) => {
      outbox.add('t1', testEvent('a1', 1, 'raised'), 1);
      outbox.add('t1', testEvent('a1', 2, 'acknowledged'), 1);
      outbox.add('t2', testEvent('a1', 1, 'raised'), 1);
      assert.equal(outbox.pending('t1'), 2);
      assert.equal(outbox.pending('t2'), 1);
      assert.equal(outbox.pending('t3'), 0);
      outbox.recordFailure('t9', 'a1:1', 3, 99, 'x');
      outbox.recordDelivered('t1', 'nope', 5, 200);
      outbox.recordDelivered('t2', 'a1:1', 5, 200);
      outbox.recordFailure('t2', 'a1:1', 1, 99, 'late failure after delivery');
      assert.deepEqual(outbox.stats(), { pending: 2, delivered: 1, failing: 0 });
      assert.equal(outbox.pending('t2'), 0);
    });

    test('refuses every call after close with CLOSED; closing twice is harmless', (outbox) => {
      outbox.close();
      outbox.close();
      for (const call of [
        () => outbox.add('t1', testEvent('a1', 1, 'raised'), 1),
        () => outbox.due(1, 1),
        () => outbox.pending(),
        () => outbox.stats(),
      ]) {
        assert.throws(call, (err) => err instanceof WardstreamError && err.code === 'CLOSED');
      }
    });
  });
}
