import type { AlarmCategory, AlarmPriority } from '@wardstream/clinical';
import type { ClinicalStore } from './clinical-store.js';

/** Alarm burden over a window (ALARMS.md "Why it matters": the platform measures its own). */
export interface AlarmBurden {
  readonly from: number;
  readonly to: number;
  /** Patient-hours with valid readings in the window's hours; bed-days = patient-hours / 24. */
  readonly monitoredPatientHours: number;
  readonly bedDays: number;
  readonly raised: number;
  readonly byType: readonly {
    readonly category: AlarmCategory;
    readonly priority: AlarmPriority;
    readonly count: number;
    /** null when no monitored time is on record for the window. */
    readonly perPatientHour: number | null;
    readonly perBedDay: number | null;
  }[];
  readonly acknowledged: number;
  /** Share of the alarms raised in the window that were acknowledged (by anyone, at any time so far). */
  readonly shareAcknowledged: number | null;
  /** Raised → acknowledged, over the acknowledged ones. */
  readonly timeToAcknowledgeMs: { readonly p50: number; readonly p90: number; readonly mean: number } | null;
}

const MAX_EVENTS = 1_000_000;

export function alarmBurden(store: ClinicalStore, from: number, to: number, monitoredMs: number): AlarmBurden {
  const raised = store.eventsBetween(from, to, MAX_EVENTS).filter((e) => e.type === 'raised');
  const hours = monitoredMs / 3_600_000;
  const counts = new Map<string, { category: AlarmCategory; priority: AlarmPriority; count: number }>();
  const ackTimes: number[] = [];
  for (const event of raised) {
    const key = `${event.alarm.category}/${event.alarm.priority}`;
    const entry = counts.get(key) ?? { category: event.alarm.category, priority: event.alarm.priority, count: 0 };
    entry.count++;
    counts.set(key, entry);
    const now = store.getAlarm(event.alarmId);
    if (now?.acknowledgedAt != null) ackTimes.push(Math.max(0, now.acknowledgedAt - event.alarm.raisedAt));
  }
  ackTimes.sort((a, b) => a - b);
  const rate = (n: number, per: number) => (per > 0 ? n / per : null);
  return {
    from,
    to,
    monitoredPatientHours: hours,
    bedDays: hours / 24,
    raised: raised.length,
    byType: [...counts.values()]
      .sort((a, b) => a.category.localeCompare(b.category) || a.priority.localeCompare(b.priority))
      .map((c) => ({ ...c, perPatientHour: rate(c.count, hours), perBedDay: rate(c.count, hours / 24) })),
    acknowledged: ackTimes.length,
    shareAcknowledged: raised.length === 0 ? null : ackTimes.length / raised.length,
    timeToAcknowledgeMs:
      ackTimes.length === 0
        ? null
        : {
            p50: quantile(ackTimes, 0.5),
            p90: quantile(ackTimes, 0.9),
            mean: ackTimes.reduce((a, b) => a + b, 0) / ackTimes.length,
          },
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
