import { WardstreamError } from '@wardstream/domain';
import type { Alarm, AlarmEvent } from '../alarm.js';
import { endCondition, raiseAlarm, returnCondition, type NewAlarm, type Transition } from '../alarms/lifecycle.js';

/**
 * The open alarms (not resolved) and the one door every state change goes through: each transition
 * updates the book, then is emitted (stored, routed) in order. Deduplication lives here: an alarm id
 * already known (open, or stored — a replay re-deriving it) is never raised twice, and a condition
 * that returns while its subject/rule already has an open alarm re-activates that alarm.
 */
export class AlarmBook {
  private readonly open = new Map<string, Alarm>();
  private readonly bySubjectRule = new Map<string, string>();

  constructor(
    private readonly findStored: (id: string) => Alarm | undefined,
    private readonly emit: (event: AlarmEvent) => void,
    openAlarms: readonly Alarm[] = [],
  ) {
    for (const alarm of openAlarms) this.remember(alarm);
  }

  get(id: string): Alarm | undefined {
    return this.open.get(id) ?? this.findStored(id);
  }

  /** The alarm with `id`, or NOT_FOUND. */
  require(id: string): Alarm {
    const alarm = this.get(id);
    if (alarm === undefined) throw new WardstreamError('NOT_FOUND', `no alarm ${id}`);
    return alarm;
  }

  list(): Alarm[] {
    return [...this.open.values()];
  }

  /**
   * Raises the alarm `fields` describes, or — when an open alarm has the same subject and rule, or the
   * id is already known — goes on with that one. Returns the id of the alarm that carries the condition.
   */
  raise(fields: NewAlarm): string {
    const known = this.open.get(fields.id) ?? this.findStored(fields.id);
    if (known !== undefined) {
      if (known.state !== 'resolved') this.remember(known);
      return known.id;
    }
    const openId = this.bySubjectRule.get(key(subjectOf(fields), fields.ruleId));
    const openAlarm = openId === undefined ? undefined : this.open.get(openId);
    if (openAlarm !== undefined) {
      // A return at or before the alarm's last condition change is a replay of one already applied.
      if (fields.raisedAt > openAlarm.conditionChangedAt) {
        this.apply(returnCondition(openAlarm, fields.raisedAt, fields.value));
      }
      return openAlarm.id;
    }
    this.apply([raiseAlarm(fields)]);
    return fields.id;
  }

  /**
   * The condition of alarm `id` ended at `at`; nothing if it is unknown, already ended, or changed at or
   * after `at` (a replayed end, derived again from data the alarm has already seen past).
   */
  end(id: string | null, at: number): void {
    if (id === null) return;
    const alarm = this.open.get(id);
    if (alarm !== undefined && at > alarm.conditionChangedAt) this.apply(endCondition(alarm, at));
  }

  /** Applies transitions in order: the book first, then the emitter. */
  apply(transitions: readonly Transition[]): AlarmEvent[] {
    for (const { alarm, event } of transitions) {
      if (alarm.state === 'resolved') this.forget(alarm);
      else this.remember(alarm);
      this.emit(event);
    }
    return transitions.map((t) => t.event);
  }

  private remember(alarm: Alarm): void {
    this.open.set(alarm.id, alarm);
    this.bySubjectRule.set(key(subjectOf(alarm), alarm.ruleId), alarm.id);
  }

  private forget(alarm: Alarm): void {
    this.open.delete(alarm.id);
    const k = key(subjectOf(alarm), alarm.ruleId);
    if (this.bySubjectRule.get(k) === alarm.id) this.bySubjectRule.delete(k);
  }
}

/** The subject an alarm is about: its patient if it has one, else its device, else its parameter. */
export function subjectOf(alarm: Pick<Alarm, 'patientId' | 'deviceId' | 'parameter' | 'category'>): string {
  if (alarm.category === 'technical' && alarm.deviceId !== null) return `device:${alarm.deviceId}`;
  if (alarm.patientId !== null) return `patient:${alarm.patientId}`;
  if (alarm.deviceId !== null) return `device:${alarm.deviceId}`;
  return `system:${alarm.parameter ?? ''}`;
}

function key(subject: string, ruleId: string): string {
  return `${subject}\u0000${ruleId}`;
}
