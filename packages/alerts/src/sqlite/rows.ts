import { WardstreamError } from '@wardstream/domain';
import type {
  Alarm,
  AlarmEvent,
  ChartedObservation,
  EcgMetrics,
  RuleScope,
  ScoreRecord,
  StoredRuleSet,
} from '@wardstream/clinical';
import type { AuditEntry, EngineCheckpoint } from '../clinical-store.js';

/** A row as read: the key that names it in an error, and its JSON. */
export interface JsonRow {
  readonly key: string | number;
  readonly json: string;
}

/** The record each table's `json` column holds. */
interface TableRecords {
  readonly alarms: Alarm;
  readonly alarm_events: AlarmEvent;
  readonly scores: ScoreRecord;
  readonly charted: ChartedObservation;
  readonly rule_sets: StoredRuleSet;
  readonly audit: Omit<AuditEntry, 'seq'>;
  readonly checkpoint: EngineCheckpoint;
  readonly ecg_metrics: EcgMetrics;
}

/**
 * Parses a row's JSON into the record it was written from. The store writes every row itself, so
 * JSON that does not parse to an object means the file was damaged or edited: `CORRUPT`, naming the
 * table and the row's key.
 */
export function decodeRow<K extends keyof TableRecords>(table: K, row: JsonRow): TableRecords[K] {
  let value: unknown;
  try {
    value = JSON.parse(row.json);
  } catch (cause) {
    throw new WardstreamError('CORRUPT', `clinical store: ${table} row ${row.key} holds JSON that does not parse`, {
      cause,
    });
  }
  if (typeof value !== 'object' || value === null) {
    throw new WardstreamError('CORRUPT', `clinical store: ${table} row ${row.key} holds ${typeof value}, not a record`);
  }
  return value as TableRecords[K];
}

/** The `rule_sets` key of a scope: `default`, `ward:<id>` or `patient:<id>` (kinds never collide). */
export function scopeKey(scope: RuleScope): string {
  switch (scope.kind) {
    case 'default':
      return 'default';
    case 'ward':
      return `ward:${scope.wardId}`;
    case 'patient':
      return `patient:${scope.patientId}`;
  }
}

/** Throws `INVALID_INPUT` unless `value` is an instant in epoch ms (a safe integer). */
export function checkInstant(what: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new WardstreamError('INVALID_INPUT', `${what} must be epoch milliseconds (an integer), got ${value}`);
  }
}

/** Throws `INVALID_INPUT` unless `limit` is a count (a non-negative safe integer). */
export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new WardstreamError('INVALID_INPUT', `limit must be a non-negative integer, got ${limit}`);
  }
}

/** JSON text of a record; `INVALID_INPUT` for what JSON cannot hold (a cycle, a bigint). */
export function encodeRow(what: string, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (cause) {
    throw new WardstreamError('INVALID_INPUT', `${what} cannot be stored as JSON`, { cause });
  }
}

/** What `recordAlarmEvent` needs to hold for the alarm table to stay consistent with its events. */
export function checkEvent(event: AlarmEvent): void {
  const problems: string[] = [];
  if (event.alarm.id !== event.alarmId) problems.push(`its alarm is ${event.alarm.id}, not ${event.alarmId}`);
  if (!Number.isSafeInteger(event.seq) || event.seq < 1) problems.push(`seq ${event.seq} is not a positive integer`);
  if (event.alarm.version !== event.seq)
    problems.push(`its alarm is at version ${event.alarm.version}, not ${event.seq}`);
  for (const [what, value] of [
    ['at', event.at],
    ['alarm raisedAt', event.alarm.raisedAt],
  ] as const) {
    if (!Number.isSafeInteger(value)) problems.push(`${what} ${value} is not epoch milliseconds`);
  }
  if (problems.length > 0) {
    throw new WardstreamError('INVALID_INPUT', `alarm event ${event.id}: ${problems.join('; ')}`);
  }
}

/** The scope as stored: only its own fields, whatever else the caller's object carried. */
export function copyScope(scope: RuleScope): RuleScope {
  switch (scope.kind) {
    case 'default':
      return { kind: 'default' };
    case 'ward':
      return { kind: 'ward', wardId: scope.wardId };
    case 'patient':
      return { kind: 'patient', patientId: scope.patientId };
  }
}
