import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { WardstreamError } from '@wardstream/domain';
import { describeWebhookOutboxContract } from './outbox-contract.js';
import { SqliteWebhookOutbox } from './sqlite-webhook-outbox.js';
import { testEvent } from './test-support.js';

describeWebhookOutboxContract('SqliteWebhookOutbox', () => SqliteWebhookOutbox.open({ path: ':memory:' }));

const DAY_MS = 24 * 3600_000;

describe('SqliteWebhookOutbox on a file', () => {
  let dir = '';
  let file = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-webhook-outbox-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const freshPath = (): string => join(dir, `outbox-${++file}.db`);

  it('keeps pending rows (attempts, back-off, error, order) and delivered ids across reopen', () => {
    const path = freshPath();
    const first = SqliteWebhookOutbox.open({ path, now: 1000 });
    first.add('t1', testEvent('a1', 1, 'raised'), 1000);
    first.add('t1', testEvent('a1', 2, 'acknowledged'), 1000);
    first.add('t1', testEvent('a1', 3, 'resolved'), 1000);
    first.add('t2', testEvent('a1', 1, 'raised'), 1000);
    first.recordDelivered('t1', 'a1:1', 1100, 200);
    first.recordFailure('t1', 'a1:2', 2, 5000, 'HTTP 502');
    first.close();

    const second = SqliteWebhookOutbox.open({ path, now: 2000 });
    try {
      assert.equal(second.add('t1', testEvent('a1', 1, 'raised'), 2000), false, 'delivered id refused after reopen');
      assert.equal(second.add('t1', testEvent('a1', 2, 'acknowledged'), 2000), false, 'pending id refused');
      assert.deepEqual(second.stats(), { pending: 3, delivered: 1, failing: 1 });
      const heads = second.due(5000, 10);
      assert.deepEqual(
        heads.map((i) => [i.targetId, i.event.id, i.attempts, i.nextAttemptAt, i.lastError]),
        [
          ['t2', 'a1:1', 0, 1000, null],
          ['t1', 'a1:2', 2, 5000, 'HTTP 502'],
        ],
      );
      assert.equal(second.add('t1', testEvent('a1', 4, 'raised'), 2000), true);
      second.recordDelivered('t1', 'a1:2', 5000, 200);
      second.recordDelivered('t1', 'a1:3', 5001, 200);
      assert.deepEqual(
        second.due(5001, 10).map((i) => `${i.targetId}/${i.event.id}`),
        ['t2/a1:1', 't1/a1:4'],
        'a row added after reopen queues behind the older ones',
      );
    } finally {
      second.close();
    }
  });

  it('prunes delivered ids past retention on open, never pending rows', () => {
    const path = freshPath();
    const first = SqliteWebhookOutbox.open({ path, now: 0 });
    first.add('t1', testEvent('old', 1, 'raised'), 0);
    first.add('t1', testEvent('recent', 1, 'raised'), 0);
    first.add('t1', testEvent('stuck', 1, 'raised'), 0);
    first.recordDelivered('t1', 'old:1', 1 * DAY_MS, 200);
    first.recordDelivered('t1', 'recent:1', 5 * DAY_MS, 200);
    first.close();

    const second = SqliteWebhookOutbox.open({ path, now: 9 * DAY_MS });
    try {
      assert.deepEqual(second.stats(), { pending: 1, delivered: 1, failing: 0 });
      assert.equal(second.add('t1', testEvent('recent', 1, 'raised'), 9 * DAY_MS), false);
      assert.equal(second.add('t1', testEvent('old', 1, 'raised'), 9 * DAY_MS), true, 'pruned: known no more');
      assert.equal(second.due(Number.MAX_SAFE_INTEGER, 10)[0]?.event.id, 'stuck:1');
    } finally {
      second.close();
    }
  });

  it('reports a pending row whose event is not JSON as CORRUPT instead of skipping it', () => {
    const path = freshPath();
    const outbox = SqliteWebhookOutbox.open({ path });
    outbox.add('t1', testEvent('a1', 1, 'raised'), 1);
    const raw = new Database(path);
    raw.prepare("UPDATE webhook_outbox SET event = '{torn' WHERE event_id = 'a1:1'").run();
    raw.close();
    try {
      assert.throws(
        () => outbox.due(1, 10),
        (err) => err instanceof WardstreamError && err.code === 'CORRUPT' && err.message.includes('t1/a1:1'),
      );
      assert.equal(outbox.pending(), 1);
    } finally {
      outbox.close();
    }
  });

  it('refuses bad options with a RangeError', () => {
    assert.throws(() => SqliteWebhookOutbox.open({ path: '' }), RangeError);
    assert.throws(() => SqliteWebhookOutbox.open({ path: freshPath(), retainDeliveredMs: 0 }), RangeError);
  });
});
