import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlarmEvent } from '@wardstream/clinical';
import { MemoryWebhookOutbox } from './memory-webhook-outbox.js';
import { TestReceiver } from './test-receiver.js';
import { testEvent, waitFor } from './test-support.js';
import { WebhookDispatcher, type WebhookDispatcherDeps } from './webhook-dispatcher.js';
import type { WebhookSend } from './webhook-send.js';
import type { OutboxItem } from './webhook-outbox.js';
import type { WebhookPolicy, WebhookTarget } from './webhook-target.js';

const SECRET = 'whsec-0123456789abcdef';
const POLICY: WebhookPolicy = { timeoutMs: 2000, initialBackoffMs: 5, maxBackoffMs: 20, failingAfterAttempts: 3 };
const wallClock = { now: (): number => Date.now() };

/** Records every callback of a dispatcher. */
function recorder() {
  const log = {
    failing: [] as { targetId: string; eventId: string | null; attempts: number | null; error: string }[],
    recovered: [] as string[],
    delivered: [] as string[],
  };
  const callbacks: Pick<WebhookDispatcherDeps, 'onFailing' | 'onRecovered' | 'onDelivered'> = {
    onFailing: (target: WebhookTarget, item: OutboxItem | null, error: string) => {
      log.failing.push({
        targetId: target.id,
        eventId: item?.event.id ?? null,
        attempts: item?.attempts ?? null,
        error,
      });
    },
    onRecovered: (target: WebhookTarget) => log.recovered.push(target.id),
    onDelivered: (target: WebhookTarget, item: OutboxItem) => log.delivered.push(`${target.id}/${item.event.id}`),
  };
  return { log, callbacks };
}

void describe('WebhookDispatcher against a real HTTP receiver', () => {
  let receiver: TestReceiver;
  before(async () => {
    receiver = await TestReceiver.start(SECRET);
  });
  after(() => receiver.close());

  void it('delivers every event exactly once, in order per target, through 500, reset, 429 and recovery', async () => {
    const json: WebhookTarget = {
      id: 'json',
      kind: 'json',
      url: receiver.url('/json'),
      secret: SECRET,
      minPriority: 'low',
    };
    const pd: WebhookTarget = {
      id: 'pd',
      kind: 'pagerduty',
      url: receiver.url('/pd'),
      secret: SECRET,
      routingKey: 'R0UT1NGKEY',
      minPriority: 'medium',
    };
    receiver.script('/json', [{ status: 500 }, 'reset', { status: 429, retryAfter: '0' }, { status: 503 }]);
    receiver.script('/pd', [{ status: 502 }]);
    const events: AlarmEvent[] = [
      testEvent('a1', 1, 'raised'),
      testEvent('a2', 1, 'raised', { priority: 'low', category: 'technical' }),
      testEvent('a1', 2, 'acknowledged', { state: 'acknowledged' }),
      testEvent('a1', 3, 'silenced'),
      testEvent('a2', 2, 'resolved', { priority: 'low', category: 'technical', state: 'resolved' }),
      testEvent('a1', 4, 'escalated', { escalations: 1 }),
      testEvent('a1', 5, 'resolved', { state: 'resolved' }),
    ];
    const jsonIds = events.map((e) => e.id);
    const pdIds = ['a1:1', 'a1:2', 'a1:4', 'a1:5'];
    const { log, callbacks } = recorder();
    const dispatcher = new WebhookDispatcher({
      outbox: new MemoryWebhookOutbox(),
      targets: [json, pd],
      policy: POLICY,
      clock: wallClock,
      random: () => 0.5,
      ...callbacks,
    });
    dispatcher.start();
    try {
      for (const event of events) dispatcher.enqueue(event);
      await waitFor('all deliveries', () => log.delivered.length === jsonIds.length + pdIds.length);

      assert.deepEqual(receiver.delivered('/json'), jsonIds, 'json: each id once, in enqueue order');
      assert.deepEqual(receiver.delivered('/pd'), pdIds, 'pd: each id once, in order, silenced and low left out');
      const pdActions = receiver.requests
        .filter((r) => r.path === '/pd' && typeof r.reply === 'object' && r.reply.status < 300)
        .map((r) => (r.body as { event_action: string }).event_action);
      assert.deepEqual(pdActions, ['trigger', 'acknowledge', 'trigger', 'resolve']);

      const jsonRequests = receiver.requests.filter((r) => r.path === '/json');
      assert.deepEqual(
        jsonRequests.slice(0, 5).map((r) => r.eventId),
        ['a1:1', 'a1:1', 'a1:1', 'a1:1', 'a1:1'],
        'retries carry the same event id; no later event overtakes the failing one',
      );
      for (const request of receiver.requests) {
        assert.equal(request.idempotencyKey, request.eventId);
        assert.equal(request.signatureValid, true);
      }

      assert.deepEqual(log.failing, [{ targetId: 'json', eventId: 'a1:1', attempts: 3, error: 'HTTP 429' }]);
      assert.deepEqual(log.recovered, ['json']);
      for (const status of dispatcher.status()) {
        assert.equal(status.pending, 0);
        assert.equal(status.failing, false);
        assert.equal(status.lastError, null);
        assert.equal(typeof status.lastDeliveredAt, 'number');
      }

      const seen = receiver.requests.length;
      for (const event of events) dispatcher.enqueue(event);
      dispatcher.enqueue(testEvent('a3', 1, 'raised'));
      await waitFor('the sentinel', () => log.delivered.length === jsonIds.length + pdIds.length + 2);
      assert.deepEqual(receiver.delivered('/json'), [...jsonIds, 'a3:1'], 'a replayed event is not sent again');
      assert.deepEqual(receiver.delivered('/pd'), [...pdIds, 'a3:1']);
      assert.equal(receiver.requests.length, seen + 2);
    } finally {
      await dispatcher.stop();
    }
  });

  void it('retries a request that times out, with the same event id', async () => {
    const slow: WebhookTarget = {
      id: 'slow',
      kind: 'json',
      url: receiver.url('/slow'),
      secret: SECRET,
      minPriority: 'low',
    };
    receiver.script('/slow', ['hang']);
    const { log, callbacks } = recorder();
    const dispatcher = new WebhookDispatcher({
      outbox: new MemoryWebhookOutbox(),
      targets: [slow],
      policy: { ...POLICY, timeoutMs: 200 },
      clock: wallClock,
      ...callbacks,
    });
    dispatcher.start();
    try {
      dispatcher.enqueue(testEvent('t1', 1, 'raised'));
      await waitFor('delivery after the timeout', () => log.delivered.length === 1);
      const requests = receiver.requests.filter((r) => r.path === '/slow');
      assert.deepEqual(
        requests.map((r) => [r.eventId, r.reply]),
        [
          ['t1:1', 'hang'],
          ['t1:1', { status: 200 }],
        ],
      );
      assert.deepEqual(log.failing, []);
    } finally {
      await dispatcher.stop();
    }
  });
});

void describe('WebhookDispatcher failure reporting', () => {
  const target: WebhookTarget = {
    id: 'hook',
    kind: 'json',
    url: 'http://127.0.0.1:9/h',
    secret: SECRET,
    minPriority: 'low',
  };
  const fixedClock = { now: (): number => 1_000_000 };

  void it('reports a 4xx failing at once, keeps the row and retries it at maxBackoffMs', async () => {
    const outbox = new MemoryWebhookOutbox();
    const sent: string[] = [];
    const send: WebhookSend = (_url, init) => {
      sent.push(init.headers['x-wardstream-event-id'] ?? '?');
      return Promise.resolve({ status: 404 });
    };
    const { log, callbacks } = recorder();
    const dispatcher = new WebhookDispatcher({
      outbox,
      targets: [target],
      policy: { ...POLICY, maxBackoffMs: 60_000 },
      clock: fixedClock,
      send,
      ...callbacks,
    });
    dispatcher.start();
    try {
      dispatcher.enqueue(testEvent('a1', 1, 'raised'));
      dispatcher.enqueue(testEvent('a1', 2, 'resolved'));
      await waitFor('failing', () => log.failing.length === 1);
      assert.deepEqual(log.failing, [{ targetId: 'hook', eventId: 'a1:1', attempts: 1, error: 'HTTP 404' }]);
      assert.deepEqual(sent, ['a1:1']);
      const [head] = outbox.due(Number.MAX_SAFE_INTEGER, 10);
      assert.equal(head?.event.id, 'a1:1');
      assert.equal(head.nextAttemptAt, 1_000_000 + 60_000);
      assert.equal(outbox.pending(), 2);
      assert.deepEqual(dispatcher.status(), [
        { targetId: 'hook', kind: 'json', pending: 2, failing: true, lastError: 'HTTP 404', lastDeliveredAt: null },
      ]);
    } finally {
      await dispatcher.stop();
    }
  });

  void it('reports every target failing when the outbox cannot be read, and recovered when it can', async () => {
    class BrokenOutbox extends MemoryWebhookOutbox {
      broken = true;
      override due(now: number, limit: number): OutboxItem[] {
        if (this.broken) throw new Error('disk I/O error');
        return super.due(now, limit);
      }
    }
    const outbox = new BrokenOutbox();
    const other: WebhookTarget = { ...target, id: 'other' };
    const { log, callbacks } = recorder();
    const dispatcher = new WebhookDispatcher({
      outbox,
      targets: [target, other],
      policy: POLICY,
      clock: wallClock,
      send: () => Promise.resolve({ status: 204 }),
      ...callbacks,
    });
    dispatcher.start();
    try {
      await waitFor('failing', () => log.failing.length === 2);
      assert.deepEqual(
        log.failing.map((f) => [f.targetId, f.eventId, f.error]),
        [
          ['hook', null, 'webhook outbox: disk I/O error'],
          ['other', null, 'webhook outbox: disk I/O error'],
        ],
      );
      dispatcher.enqueue(testEvent('a1', 1, 'raised'));
      outbox.broken = false;
      await waitFor('delivered', () => log.delivered.length === 2);
      assert.deepEqual(log.recovered, ['hook', 'other']);
      assert.equal(log.failing.length, 2, 'reported once, not on every retry');
    } finally {
      await dispatcher.stop();
    }
  });
});
