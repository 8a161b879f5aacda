import type { DeviceId, PatientId } from '@wardstream/domain';

/**
 * Alarm priority after IEC 60601-1-8 (as monitor manuals citing it state, ../shared/clinical/ALARMS.md):
 * high = immediate response, medium = prompt response, low = awareness.
 */
export type AlarmPriority = 'high' | 'medium' | 'low';

export const PRIORITY_RANK: Readonly<Record<AlarmPriority, number>> = { low: 1, medium: 2, high: 3 };

/**
 * What raised the alarm. `physiological`: a patient variable crossed a limit. `technical`: the
 * equipment or the data path (stale data, battery, clock skew, implausible or artifact data, a
 * failing webhook). `score`: a NEWS2 risk band calling for a response. `anomaly`: a deviation from
 * the patient's own baseline.
 */
export type AlarmCategory = 'physiological' | 'technical' | 'score' | 'anomaly';

/** active → acknowledged → resolved; `active` may also go straight to `resolved`. */
export type AlarmState = 'active' | 'acknowledged' | 'resolved';

/** An alarm as stored and served. Instants are epoch ms. */
export interface Alarm {
  /** Deterministic: a hash of subject, rule and condition onset; a replay derives the same id. */
  readonly id: string;
  readonly category: AlarmCategory;
  /** The rule (or technical check) that raised it, e.g. `news2.pulse.high`, `technical.stale`. */
  readonly ruleId: string;
  readonly patientId: PatientId | null;
  readonly deviceId: DeviceId | null;
  /** The parameter concerned: an MDC code, a score name (`news2`), or null. */
  readonly parameter: string | null;
  readonly priority: AlarmPriority;
  readonly latching: boolean;
  readonly state: AlarmState;
  /** Whether the alarm condition still holds (a latched alarm stays active after it ends). */
  readonly conditionActive: boolean;
  /** One line for a nurse, e.g. "Pulse 142 /min ≥ 131 for 10 s". */
  readonly message: string;
  /** Event time the condition began (first reading past the limit). */
  readonly onsetAt: number;
  /** Event time the alarm was raised (onset + condition delay). */
  readonly raisedAt: number;
  /** The value that raised it and the limit it crossed, where there are such. */
  readonly value: number | null;
  readonly limit: number | null;
  /** The explanation: rule source, sub-scores, anomaly baseline, … */
  readonly details: Readonly<Record<string, unknown>>;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  /** Notifications are paused until then (IEC "audio paused"): time-limited. */
  readonly silencedUntil: number | null;
  /** How many times it was escalated for being unacknowledged; 0 = never. */
  readonly escalations: number;
  readonly conditionEndedAt: number | null;
  /**
   * Event time of the last data-driven change of the condition (raised, ended, returned). A change the
   * engine derives again at or before it — replaying data after a restart — was already applied.
   */
  readonly conditionChangedAt: number;
  readonly resolvedAt: number | null;
  readonly resolvedBy: string | null;
  /** Number of the last event of this alarm (1 = raised). */
  readonly version: number;
}

/**
 * `condition-ended`: a latched alarm's condition ended (the alarm stays active until acknowledged).
 * `condition-returned`: the same condition came back while its alarm was still open; the open alarm
 * carries it (deduplication) instead of a second alarm being raised.
 */
export type AlarmEventType =
  'raised' | 'acknowledged' | 'silenced' | 'escalated' | 'condition-ended' | 'condition-returned' | 'resolved';

/**
 * One state change of an alarm, with who and when: the audit trail and what is routed (alerts
 * topic, live feed, webhooks). Its id `${alarmId}:${seq}` is stable, so consumers deduplicate on it.
 */
export interface AlarmEvent {
  readonly id: string;
  readonly alarmId: string;
  /** 1 for `raised`, then 2, 3, … per alarm. */
  readonly seq: number;
  readonly type: AlarmEventType;
  /** When it happened (event time for data-driven changes, wall-clock for operator/timer ones). */
  readonly at: number;
  /** `system` for the engine's own changes, else the operator's identity. */
  readonly by: string;
  readonly note: string | null;
  /** The alarm after this change. */
  readonly alarm: Alarm;
}

export function alarmEventId(alarmId: string, seq: number): string {
  return `${alarmId}:${seq}`;
}
