import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteWebhookOutbox } from './sqlite-webhook-outbox.js';
import { TestReceiver } from './test-receiver.js';
import { testEvent, waitFor } from './test-support.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import type { WebhookPolicy, WebhookTarget } from './webhook-target.js';

const SECRET = 'whsec-0123456789abcdef';
const POLICY: WebhookPolicy = { timeoutMs: 2000, initialBackoffMs: 5, maxBackoffMs: 20, failingAfterAttempts: 3 };
const wallClock = { now: (): number => Date.now() };

void describe('WebhookDispatcher across a restart (SqliteWebhookOutbox)', () => {
  let receiver: TestReceiver;
  let dir = '';
  before(async () => {
    receiver = await TestReceiver.start(SECRET);
    dir = await mkdtemp(join(tmpdir(), 'ws-webhooks-'));
  });
  after(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it('a new dispatcher on the same file delivers the remainder, in order, no id twice', async () => {
    const path = join(dir, 'outbox.db');
    const target: WebhookTarget = {
      id: 'json',
      kind: 'json',
      url: receiver.url('/json'),
      secret: SECRET,
      minPriority: 'low',
    };
    const events = [
      testEvent('a1', 1, 'raised'),
      testEvent('a2', 1, 'raised'),
      testEvent('a1', 2, 'acknowledged'),
      testEvent('a2', 2, 'resolved'),
      testEvent('a1', 3, 'resolved'),
    ];
    const ids = events.map((e) => e.id);
    receiver.script('/json', [{ status: 200 }, { status: 200 }]);
    receiver.fallback = { status: 503 };

    const firstFailing: string[] = [];
    const firstRecovered: string[] = [];
    const firstOutbox = SqliteWebhookOutbox.open({ path });
    const first = new WebhookDispatcher({
      outbox: firstOutbox,
      targets: [target],
      policy: POLICY,
      clock: wallClock,
      onFailing: (_t, item) => firstFailing.push(item?.event.id ?? 'outbox'),
      onRecovered: (t) => firstRecovered.push(t.id),
    });
    first.start();
    for (const event of events) first.enqueue(event);
    await waitFor('the third event failing', () => firstFailing.length === 1);
    await first.stop();
    firstOutbox.close();
    assert.deepEqual(firstFailing, ['a1:2']);
    assert.deepEqual(firstRecovered, []);
    assert.deepEqual(receiver.delivered('/json'), ids.slice(0, 2));

    receiver.fallback = { status: 200 };
    const secondFailing: { id: string; attempts: number }[] = [];
    const recovered: string[] = [];
    const delivered: string[] = [];
    const secondOutbox = SqliteWebhookOutbox.open({ path });
    const second = new WebhookDispatcher({
      outbox: secondOutbox,
      targets: [target],
      policy: POLICY,
      clock: wallClock,
      onFailing: (_t, item) => secondFailing.push({ id: item?.event.id ?? 'outbox', attempts: item?.attempts ?? 0 }),
      onRecovered: (t) => recovered.push(t.id),
      onDelivered: (_t, item) => delivered.push(item.event.id),
    });
    second.start();
    try {
      const [atStart, ...more] = secondFailing;
      assert.ok(atStart, 'still failing as the outbox records: reported at start');
      assert.deepEqual(more, []);
      assert.equal(atStart.id, 'a1:2');
      assert.ok(atStart.attempts >= POLICY.failingAfterAttempts);
      await waitFor('the remainder', () => delivered.length === 3);
      assert.deepEqual(delivered, ids.slice(2));
      assert.deepEqual(receiver.delivered('/json'), ids, 'every id delivered once, in order');
      assert.deepEqual(recovered, ['json']);

      for (const event of events) second.enqueue(event);
      second.enqueue(testEvent('a3', 1, 'raised'));
      await waitFor('the sentinel', () => delivered.length === 4);
      assert.deepEqual(receiver.delivered('/json'), [...ids, 'a3:1'], 'a replay after restart sends nothing twice');
      assert.deepEqual(secondOutbox.stats(), { pending: 0, delivered: 6, failing: 0 });
    } finally {
      await second.stop();
      secondOutbox.close();
    }
  });
});
