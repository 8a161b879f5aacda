import { WardstreamError } from '@wardstream/domain';
import { alarmEventId, type Alarm, type AlarmEvent, type AlarmEventType } from '../alarm.js';

/** The engine and the operator act as these identities in the audit trail. */
export const SYSTEM_ACTOR = 'system';

/** Everything of a new alarm that its raiser decides. */
export type NewAlarm = Pick<
  Alarm,
  | 'id'
  | 'category'
  | 'ruleId'
  | 'patientId'
  | 'deviceId'
  | 'parameter'
  | 'priority'
  | 'latching'
  | 'message'
  | 'onsetAt'
  | 'raisedAt'
  | 'value'
  | 'limit'
  | 'details'
>;

/** An alarm's state change: the alarm after it and the event that records it. */
export interface Transition {
  readonly alarm: Alarm;
  readonly event: AlarmEvent;
}

export function raiseAlarm(fields: NewAlarm): Transition {
  const alarm: Alarm = {
    ...fields,
    state: 'active',
    conditionActive: true,
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedUntil: null,
    escalations: 0,
    conditionEndedAt: null,
    conditionChangedAt: fields.raisedAt,
    resolvedAt: null,
    resolvedBy: null,
    version: 0,
  };
  return transition(alarm, 'raised', fields.raisedAt, SYSTEM_ACTOR, null, {});
}

/**
 * The condition ended. A non-latching alarm resolves; a latching one stays active (its signal goes on
 * until an operator acknowledges it) unless it was already acknowledged, in which case it resolves.
 */
export function endCondition(alarm: Alarm, at: number): Transition[] {
  if (alarm.state === 'resolved' || !alarm.conditionActive) return [];
  if (alarm.latching && alarm.state === 'active') {
    return [
      transition(alarm, 'condition-ended', at, SYSTEM_ACTOR, null, {
        conditionActive: false,
        conditionEndedAt: at,
        conditionChangedAt: at,
      }),
    ];
  }
  return [
    transition(alarm, 'resolved', at, SYSTEM_ACTOR, null, {
      conditionActive: false,
      conditionEndedAt: at,
      conditionChangedAt: at,
      resolvedAt: at,
      resolvedBy: SYSTEM_ACTOR,
    }),
  ];
}

/**
 * An operator acknowledges: the alarm is known and being handled. If its condition has already ended
 * (a latched alarm), acknowledging also resolves it. CONFLICT when it is resolved or already acknowledged.
 */
export function acknowledgeAlarm(alarm: Alarm, by: string, at: number, note: string | null): Transition[] {
  if (alarm.state !== 'active') {
    throw new WardstreamError('CONFLICT', `alarm ${alarm.id} is ${alarm.state}, not active`);
  }
  const acked = transition(alarm, 'acknowledged', at, by, note, {
    acknowledgedAt: at,
    acknowledgedBy: by,
    silencedUntil: null,
  });
  if (alarm.conditionActive) return [acked];
  return [acked, transition(acked.alarm, 'resolved', at, by, null, { resolvedAt: at, resolvedBy: by })];
}

/**
 * An operator closes an alarm whose condition has ended: a latched alarm still showing after the
 * patient recovered, with a note saying why. An alarm whose condition still holds cannot be resolved
 * by hand (that would hide a live condition): acknowledge it, and it resolves when the condition ends.
 * CONFLICT when it is resolved or its condition holds.
 */
export function resolveAlarm(alarm: Alarm, by: string, at: number, note: string | null): Transition {
  if (alarm.state === 'resolved') throw new WardstreamError('CONFLICT', `alarm ${alarm.id} is resolved`);
  if (alarm.conditionActive) {
    throw new WardstreamError(
      'CONFLICT',
      `alarm ${alarm.id}: its condition still holds; acknowledge it, and it resolves when the condition ends`,
    );
  }
  return transition(alarm, 'resolved', at, by, note, { resolvedAt: at, resolvedBy: by, silencedUntil: null });
}

/** The same condition came back while the alarm is open: it carries it again (no second alarm). */
export function returnCondition(alarm: Alarm, at: number, value: number | null): Transition[] {
  if (alarm.state === 'resolved' || alarm.conditionActive) return [];
  return [
    transition(alarm, 'condition-returned', at, SYSTEM_ACTOR, null, {
      conditionActive: true,
      conditionEndedAt: null,
      conditionChangedAt: at,
      value,
    }),
  ];
}

/** An operator pauses notifications for `durationMs` (at most the policy's maximum). */
export function silenceAlarm(
  alarm: Alarm,
  by: string,
  at: number,
  durationMs: number,
  maxSilenceMs: number,
  note: string | null,
): Transition {
  if (alarm.state === 'resolved') throw new WardstreamError('CONFLICT', `alarm ${alarm.id} is resolved`);
  if (!Number.isFinite(durationMs) || durationMs <= 0 || durationMs > maxSilenceMs) {
    throw new WardstreamError(
      'INVALID_INPUT',
      `a silence lasts more than 0 and at most ${maxSilenceMs / 1000} s (got ${durationMs / 1000} s)`,
    );
  }
  return transition(alarm, 'silenced', at, by, note, { silencedUntil: at + durationMs });
}

/** The alarm is escalated: by the engine when unacknowledged too long, or by an operator. */
export function escalateAlarm(alarm: Alarm, by: string, at: number, note: string | null): Transition {
  if (alarm.state === 'resolved') throw new WardstreamError('CONFLICT', `alarm ${alarm.id} is resolved`);
  return transition(alarm, 'escalated', at, by, note, { escalations: alarm.escalations + 1, silencedUntil: null });
}

function transition(
  alarm: Alarm,
  type: AlarmEventType,
  at: number,
  by: string,
  note: string | null,
  changes: Partial<Alarm>,
): Transition {
  const seq = alarm.version + 1;
  const next: Alarm = {
    ...alarm,
    ...changes,
    state: type === 'resolved' ? 'resolved' : type === 'acknowledged' ? 'acknowledged' : (changes.state ?? alarm.state),
    version: seq,
  };
  return {
    alarm: next,
    event: { id: alarmEventId(alarm.id, seq), alarmId: alarm.id, seq, type, at, by, note, alarm: next },
  };
}
