/**
 * What the alarm console shows, kept apart from the page so Node tests can run it: the open alarms
 * by priority and age, the recently resolved ones, and which operator actions each allows. Pure:
 * the time "now" is always a parameter.
 */
import { formatAge, type AlarmPriority } from './ward.js';

/** An alarm as the API serves it (`GET /api/v1/alarms`, the live feeds' `alarm` event); fields used here. */
export interface ConsoleApiAlarm {
  readonly id: string;
  readonly category: string;
  readonly patientId: string | null;
  readonly deviceId: string | null;
  readonly priority: AlarmPriority;
  readonly state: 'active' | 'acknowledged' | 'resolved';
  readonly conditionActive: boolean;
  readonly message: string;
  readonly raisedAt: string;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly silencedUntil: string | null;
  readonly escalations: number;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  readonly version: number;
}

/** The operator actions of the API (`POST /api/v1/alarms/{id}/{action}`). */
export type AlarmAction = 'acknowledge' | 'silence' | 'escalate' | 'resolve';

/** One row of the console. */
export interface ConsoleRow {
  readonly alarm: ConsoleApiAlarm;
  readonly raisedAtMs: number;
  /** "3 min" since raised. */
  readonly age: string;
  /** "Acknowledged by nurse.kim 2 min ago", "Silenced for 1 min 30 s", "Resolved by … ", … */
  readonly handling: readonly string[];
  /** Actions the alarm's state allows now; the API decides again (409 on a race). */
  readonly actions: readonly AlarmAction[];
  /** Why resolve is not offered while the alarm is open, for the button's title. */
  readonly resolveBlocked: string | undefined;
}

export interface ConsoleView {
  /** Active and acknowledged, highest priority first, then the longest waiting first. */
  readonly open: readonly ConsoleRow[];
  /** Resolved, the most recently resolved first. */
  readonly resolved: readonly ConsoleRow[];
}

const RANK: Readonly<Record<AlarmPriority, number>> = { high: 3, medium: 2, low: 1 };

/** How many resolved alarms the console keeps on show. */
export const RESOLVED_SHOWN = 50;

function ms(iso: string | null): number | undefined {
  if (iso === null) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function actionsOf(alarm: ConsoleApiAlarm): AlarmAction[] {
  if (alarm.state === 'resolved') return [];
  const actions: AlarmAction[] = alarm.state === 'active' ? ['acknowledge', 'silence'] : ['silence'];
  actions.push('escalate');
  if (!alarm.conditionActive) actions.push('resolve');
  return actions;
}

function handlingOf(alarm: ConsoleApiAlarm, nowMs: number): string[] {
  const lines: string[] = [];
  const ackAt = ms(alarm.acknowledgedAt);
  if (ackAt !== undefined) {
    lines.push(`Acknowledged by ${alarm.acknowledgedBy ?? 'unknown'} ${formatAge(nowMs - ackAt)} ago`);
  }
  const silencedUntil = ms(alarm.silencedUntil);
  if (silencedUntil !== undefined && silencedUntil > nowMs && alarm.state !== 'resolved') {
    lines.push(`Silenced for ${formatAge(silencedUntil - nowMs)} more`);
  }
  if (alarm.escalations > 0) lines.push(`Escalated ${alarm.escalations}×`);
  if (!alarm.conditionActive && alarm.state !== 'resolved') lines.push('Condition ended');
  const resolvedAt = ms(alarm.resolvedAt);
  if (resolvedAt !== undefined) {
    lines.push(`Resolved by ${alarm.resolvedBy ?? 'unknown'} ${formatAge(nowMs - resolvedAt)} ago`);
  }
  return lines;
}

function row(alarm: ConsoleApiAlarm, nowMs: number): ConsoleRow {
  const raisedAtMs = ms(alarm.raisedAt) ?? nowMs;
  return {
    alarm,
    raisedAtMs,
    age: formatAge(Math.max(0, nowMs - raisedAtMs)),
    handling: handlingOf(alarm, nowMs),
    actions: actionsOf(alarm),
    resolveBlocked:
      alarm.state !== 'resolved' && alarm.conditionActive
        ? 'The condition still holds: acknowledge it; it resolves when the condition ends.'
        : undefined,
  };
}

/**
 * The alarms the console knows, by id. An event older than what is held (a lower `version`) never
 * replaces it, so a list read while the feed runs cannot undo a change the feed already brought.
 */
export class AlarmConsoleModel {
  private readonly alarms = new Map<string, ConsoleApiAlarm>();

  /** Adds or updates alarms from a list read (`GET /api/v1/alarms`). */
  setAll(alarms: readonly ConsoleApiAlarm[]): void {
    for (const alarm of alarms) this.apply(alarm);
  }

  /** An alarm as changed (a live event, or an action's answer). */
  apply(alarm: ConsoleApiAlarm): void {
    const held = this.alarms.get(alarm.id);
    if (held !== undefined && held.version > alarm.version) return;
    this.alarms.set(alarm.id, alarm);
  }

  get(id: string): ConsoleApiAlarm | undefined {
    return this.alarms.get(id);
  }

  /**
   * The ids held as open (active or acknowledged) that `listed` (a fresh `open=true` read) lacks:
   * they were closed, or left the user's wards, while the feed was down. Each must be read again
   * (or forgotten), never left showing as open.
   */
  openNotIn(listed: readonly ConsoleApiAlarm[]): string[] {
    const ids = new Set(listed.map((a) => a.id));
    return [...this.alarms.values()].filter((a) => a.state !== 'resolved' && !ids.has(a.id)).map((a) => a.id);
  }

  /** Drops an alarm the user may no longer read. */
  forget(id: string): void {
    this.alarms.delete(id);
  }

  view(nowMs: number): ConsoleView {
    const rows = [...this.alarms.values()].map((a) => row(a, nowMs));
    const open = rows
      .filter((r) => r.alarm.state !== 'resolved')
      .sort(
        (a, b) =>
          RANK[b.alarm.priority] - RANK[a.alarm.priority] ||
          // Active before acknowledged: an unanswered alarm needs someone first.
          Number(b.alarm.state === 'active') - Number(a.alarm.state === 'active') ||
          a.raisedAtMs - b.raisedAtMs ||
          (a.alarm.id < b.alarm.id ? -1 : 1),
      );
    const resolved = rows
      .filter((r) => r.alarm.state === 'resolved')
      .sort((a, b) => (ms(b.alarm.resolvedAt) ?? 0) - (ms(a.alarm.resolvedAt) ?? 0))
      .slice(0, RESOLVED_SHOWN);
    return { open, resolved };
  }
}
