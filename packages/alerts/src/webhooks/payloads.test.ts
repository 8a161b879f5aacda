import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlarmEventType } from '@wardstream/clinical';
import { pagerDutyAction, routesEvent, webhookRequest, type PagerDutyEventBody } from './payloads.js';
import { testEvent } from './test-support.js';
import { verifyWebhookSignature } from './webhook-signature.js';
import type { WebhookTarget } from './webhook-target.js';

const SECRET = 'whsec-0123456789abcdef';
const jsonTarget: WebhookTarget = {
  id: 'hook',
  kind: 'json',
  url: 'https://x.example/h',
  secret: SECRET,
  minPriority: 'low',
};
const pdTarget: WebhookTarget = {
  id: 'pd',
  kind: 'pagerduty',
  url: 'https://events.pagerduty.com/v2/enqueue',
  secret: SECRET,
  routingKey: 'R0UT1NGKEY',
  minPriority: 'low',
};
const SENT_AT = Date.UTC(2025, 2, 1, 8, 1, 0, 500);

function pagerDuty(type: AlarmEventType, alarm = {}): PagerDutyEventBody {
  return JSON.parse(webhookRequest(pdTarget, testEvent('a1', 2, type, alarm), SENT_AT).body) as PagerDutyEventBody;
}

void describe('webhook payloads', () => {
  void it('json: the event with its alarm, instants as ISO 8601', () => {
    const event = testEvent('a1', 2, 'acknowledged', {
      state: 'acknowledged',
      acknowledgedAt: Date.UTC(2025, 2, 1, 8, 0, 12),
    });
    const body = JSON.parse(webhookRequest(jsonTarget, event, SENT_AT).body) as Record<string, unknown>;
    assert.deepEqual(body, {
      id: 'a1:2',
      type: 'alarm.acknowledged',
      seq: 2,
      at: '2025-03-01T08:00:12.000Z',
      alarm: {
        ...event.alarm,
        onsetAt: '2025-03-01T08:00:00.000Z',
        raisedAt: '2025-03-01T08:00:10.000Z',
        acknowledgedAt: '2025-03-01T08:00:12.000Z',
        silencedUntil: null,
        conditionEndedAt: null,
        conditionChangedAt: '2025-03-01T08:00:10.000Z',
        resolvedAt: null,
      },
      by: 'nurse.jones',
      note: 'at bedside',
    });
  });

  void it('headers: JSON, user agent, the event id twice, and a signature a receiver verifies', () => {
    const event = testEvent('a1', 1, 'raised');
    for (const target of [jsonTarget, pdTarget]) {
      const { body, headers } = webhookRequest(target, event, SENT_AT);
      const { 'x-wardstream-signature': signature, ...rest } = headers;
      assert.deepEqual(rest, {
        'content-type': 'application/json',
        'user-agent': 'wardstream',
        'x-wardstream-event-id': 'a1:1',
        'idempotency-key': 'a1:1',
      });
      assert.match(signature ?? '', /^t=1740816060,v1=[0-9a-f]{64}$/);
      assert.equal(verifyWebhookSignature(SECRET, signature ?? '', body, SENT_AT / 1000), true);
    }
  });

  void it('pagerduty trigger: Events API v2 fields, dedup_key = alarm id', () => {
    assert.deepEqual(pagerDuty('raised', { parameter: 'MDC_PULS_RATE' }), {
      routing_key: 'R0UT1NGKEY',
      event_action: 'trigger',
      dedup_key: 'a1',
      payload: {
        summary: '[HIGH] Pulse 142 /min ≥ 131 for 10 s',
        source: 'patient:P-1',
        severity: 'critical',
        timestamp: '2025-03-01T08:00:12.000Z',
        component: 'MDC_PULS_RATE',
        group: 'physiological',
        class: 'news2.pulse.high',
        custom_details: {
          eventId: 'a1:2',
          eventType: 'raised',
          alarmId: 'a1',
          priority: 'high',
          state: 'active',
          patientId: 'P-1',
          deviceId: 'D-1',
          value: 142,
          limit: 131,
          onsetAt: '2025-03-01T08:00:00.000Z',
          raisedAt: '2025-03-01T08:00:10.000Z',
          escalations: 0,
          by: 'system',
          note: null,
          details: { source: 'NEWS2 (RCP 2017) chart 1', subScores: { pulse: 3 } },
        },
      },
    });
  });

  void it('pagerduty: acknowledge and resolve carry only routing_key, event_action and dedup_key', () => {
    assert.deepEqual(pagerDuty('acknowledged'), {
      routing_key: 'R0UT1NGKEY',
      event_action: 'acknowledge',
      dedup_key: 'a1',
    });
    assert.deepEqual(pagerDuty('resolved'), { routing_key: 'R0UT1NGKEY', event_action: 'resolve', dedup_key: 'a1' });
    const escalated = pagerDuty('escalated', { escalations: 2 });
    assert.equal(escalated.event_action, 'trigger');
    assert.equal(escalated.payload?.summary, '[HIGH] Pulse 142 /min ≥ 131 for 10 s (escalated ×2)');
  });

  void it('pagerduty severity: high → critical, medium → error, low → warning, technical low → info', () => {
    const severity = (alarm: object): string | undefined => pagerDuty('raised', alarm).payload?.severity;
    assert.equal(severity({ priority: 'high', category: 'technical' }), 'critical');
    assert.equal(severity({ priority: 'medium' }), 'error');
    assert.equal(severity({ priority: 'low' }), 'warning');
    assert.equal(severity({ priority: 'low', category: 'score' }), 'warning');
    assert.equal(severity({ priority: 'low', category: 'technical' }), 'info');
  });

  void it('pagerduty: source falls back to the device, component is left out without a parameter, summary ≤ 1024', () => {
    const { payload } = pagerDuty('raised', { patientId: null, parameter: null, message: '𝄞'.repeat(600) });
    assert.ok(payload);
    assert.equal(payload.source, 'device:D-1');
    assert.equal('component' in payload, false);
    assert.ok(payload.summary.length <= 1024);
    assert.ok(payload.summary.endsWith('𝄞…'), 'cut between code points, with an ellipsis');
    assert.equal(pagerDuty('raised', { patientId: null, deviceId: null }).payload?.source, 'wardstream');
  });

  void it('pagerduty takes no silenced, condition-ended or condition-returned event', () => {
    for (const type of ['silenced', 'condition-ended', 'condition-returned'] as const) {
      assert.equal(pagerDutyAction(type), null);
      assert.equal(routesEvent(pdTarget, testEvent('a1', 2, type)), false);
      assert.equal(routesEvent(jsonTarget, testEvent('a1', 2, type)), true);
      assert.throws(() => webhookRequest(pdTarget, testEvent('a1', 2, type), SENT_AT), RangeError);
    }
  });

  void it('routes by minimum priority and by category', () => {
    const medium: WebhookTarget = { ...jsonTarget, minPriority: 'medium', categories: ['physiological', 'score'] };
    assert.equal(routesEvent(medium, testEvent('a1', 1, 'raised', { priority: 'high' })), true);
    assert.equal(routesEvent(medium, testEvent('a1', 1, 'raised', { priority: 'medium' })), true);
    assert.equal(routesEvent(medium, testEvent('a1', 1, 'raised', { priority: 'low' })), false);
    assert.equal(routesEvent(medium, testEvent('a1', 1, 'raised', { category: 'score' })), true);
    assert.equal(routesEvent(medium, testEvent('a1', 1, 'raised', { category: 'technical' })), false);
  });
});
