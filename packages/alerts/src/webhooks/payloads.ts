import { PRIORITY_RANK, type Alarm, type AlarmEvent, type AlarmEventType } from '@wardstream/clinical';
import { SIGNATURE_HEADER, webhookSignature } from './webhook-signature.js';
import type { WebhookTarget } from './webhook-target.js';

/** An alarm as a `json` webhook carries it: the stored alarm with instants as ISO 8601 strings. */
export type WebhookAlarm = Omit<
  Alarm,
  'onsetAt' | 'raisedAt' | 'acknowledgedAt' | 'silencedUntil' | 'conditionEndedAt' | 'conditionChangedAt' | 'resolvedAt'
> & {
  readonly onsetAt: string;
  readonly raisedAt: string;
  readonly acknowledgedAt: string | null;
  readonly silencedUntil: string | null;
  readonly conditionEndedAt: string | null;
  readonly conditionChangedAt: string;
  readonly resolvedAt: string | null;
};

/** The body of a `json` webhook: one alarm event. `id` is stable across retries and replays. */
export interface JsonWebhookBody {
  readonly id: string;
  readonly type: `alarm.${AlarmEventType}`;
  /** The event's number within its alarm (1 = raised): receivers order an alarm's events by it. */
  readonly seq: number;
  readonly at: string;
  readonly alarm: WebhookAlarm;
  readonly by: string;
  readonly note: string | null;
}

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** A PagerDuty Events API v2 alert event [developer.pagerduty.com, Events API v2, Send an Alert Event]. */
export interface PagerDutyEventBody {
  readonly routing_key: string;
  readonly event_action: PagerDutyAction;
  /** The alarm id: every event of one alarm applies to the same PagerDuty alert. ≤ 255 chars. */
  readonly dedup_key: string;
  /** Only on `trigger`: acknowledge and resolve carry just the three fields above, as documented. */
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp: string;
    readonly component?: string;
    readonly group: string;
    readonly class: string;
    readonly custom_details: Readonly<Record<string, unknown>>;
  };
}

export interface WebhookRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** [PagerDuty Events API v2: payload.summary] "The maximum permitted length of this property is 1024 characters." */
const PAGERDUTY_SUMMARY_MAX = 1024;

/**
 * The PagerDuty action for an alarm event, or null for events PagerDuty has no action for.
 * raised and escalated → trigger (an escalation re-triggers the same alert: a log entry, and the
 * new severity); acknowledged → acknowledge; resolved → resolve. `silenced` (a time-limited
 * audio pause at the bedside), `condition-ended` (a latched alarm stays active until resolved) and
 * `condition-returned` (the alarm, and so its PagerDuty alert, is still open) change nothing a
 * pager should do, so they are not sent to PagerDuty targets.
 */
export function pagerDutyAction(type: AlarmEventType): PagerDutyAction | null {
  switch (type) {
    case 'raised':
    case 'escalated':
      return 'trigger';
    case 'acknowledged':
      return 'acknowledge';
    case 'resolved':
      return 'resolve';
    case 'silenced':
    case 'condition-ended':
    case 'condition-returned':
      return null;
  }
}

/**
 * PagerDuty severity of an alarm. IEC 60601-1-8 priorities map one to one onto PagerDuty's top
 * three levels: high (immediate response) → critical, medium (prompt response) → error,
 * low (awareness) → warning; a low-priority technical alarm (equipment, data path) → info.
 */
export function pagerDutySeverity(alarm: Alarm): PagerDutySeverity {
  switch (alarm.priority) {
    case 'high':
      return 'critical';
    case 'medium':
      return 'error';
    case 'low':
      return alarm.category === 'technical' ? 'info' : 'warning';
  }
}

/**
 * Whether `target` takes `event`: the alarm's priority is at least the target's `minPriority`,
 * its category is among the target's `categories` (if given), and, for PagerDuty, the event has
 * a PagerDuty action.
 */
export function routesEvent(target: WebhookTarget, event: AlarmEvent): boolean {
  const alarm = event.alarm;
  if (PRIORITY_RANK[alarm.priority] < PRIORITY_RANK[target.minPriority]) return false;
  if (target.categories !== undefined && !target.categories.includes(alarm.category)) return false;
  return target.kind !== 'pagerduty' || pagerDutyAction(event.type) !== null;
}

/**
 * The HTTP request (POST) delivering `event` to `target`, signed at `sentAt` (epoch ms).
 * Throws a RangeError for an event the target does not take (see `routesEvent`): a PagerDuty
 * target given a silenced or condition-ended/-returned event, or one without a routing key.
 */
export function webhookRequest(target: WebhookTarget, event: AlarmEvent, sentAt: number): WebhookRequest {
  const body = JSON.stringify(target.kind === 'json' ? jsonBody(event) : pagerDutyBody(target, event));
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'wardstream',
      'x-wardstream-event-id': event.id,
      'idempotency-key': event.id,
      [SIGNATURE_HEADER]: webhookSignature(target.secret, Math.floor(sentAt / 1000), body),
    },
  };
}

export function jsonBody(event: AlarmEvent): JsonWebhookBody {
  const a = event.alarm;
  return {
    id: event.id,
    type: `alarm.${event.type}`,
    seq: event.seq,
    at: iso(event.at),
    alarm: {
      ...a,
      onsetAt: iso(a.onsetAt),
      raisedAt: iso(a.raisedAt),
      acknowledgedAt: isoOrNull(a.acknowledgedAt),
      silencedUntil: isoOrNull(a.silencedUntil),
      conditionEndedAt: isoOrNull(a.conditionEndedAt),
      conditionChangedAt: iso(a.conditionChangedAt),
      resolvedAt: isoOrNull(a.resolvedAt),
    },
    by: event.by,
    note: event.note,
  };
}

export function pagerDutyBody(target: WebhookTarget, event: AlarmEvent): PagerDutyEventBody {
  const action = pagerDutyAction(event.type);
  if (action === null) throw new RangeError(`PagerDuty takes no "${event.type}" event (${event.id})`);
  if (target.routingKey === undefined) throw new RangeError(`webhook target ${target.id} has no routingKey`);
  const a = event.alarm;
  const head = { routing_key: target.routingKey, event_action: action, dedup_key: a.id };
  if (action !== 'trigger') return head;
  const escalated = a.escalations > 0 ? ` (escalated ×${a.escalations})` : '';
  return {
    ...head,
    payload: {
      summary: truncate(`[${a.priority.toUpperCase()}] ${a.message}${escalated}`, PAGERDUTY_SUMMARY_MAX),
      source:
        a.patientId !== null ? `patient:${a.patientId}` : a.deviceId !== null ? `device:${a.deviceId}` : 'wardstream',
      severity: pagerDutySeverity(a),
      timestamp: iso(event.at),
      ...(a.parameter === null ? {} : { component: a.parameter }),
      group: a.category,
      class: a.ruleId,
      custom_details: {
        eventId: event.id,
        eventType: event.type,
        alarmId: a.id,
        priority: a.priority,
        state: a.state,
        patientId: a.patientId,
        deviceId: a.deviceId,
        value: a.value,
        limit: a.limit,
        onsetAt: iso(a.onsetAt),
        raisedAt: iso(a.raisedAt),
        escalations: a.escalations,
        by: event.by,
        note: event.note,
        details: a.details,
      },
    },
  };
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

function isoOrNull(at: number | null): string | null {
  return at === null ? null : iso(at);
}

/** At most `max` UTF-16 units, cut between code points, with an ellipsis when cut. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}
