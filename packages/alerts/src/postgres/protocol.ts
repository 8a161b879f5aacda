import type { SignedCheckpoint } from '@wardstream/auth';
import type { MigrationReport } from '@wardstream/pg';
import type { AlarmRowParams, EventRowParams } from '../sqlite/statements.js';
import type { JsonRow } from '../sqlite/rows.js';

/**
 * What `PostgresClinicalStore` asks its worker (worker.ts). The store checks and encodes on the
 * calling thread, exactly as `SqliteClinicalStore` does (records as JSON text, same errors), so
 * requests carry rows of primitives and replies carry JSON text the store decodes.
 *
 * A `Bound` is an instant bound already rounded to the integer it is equivalent to against bigint
 * columns, as a decimal string (it may be beyond 2^53), or null for NaN, which matches nothing
 * (as SQLite's NULL does).
 */
export type Bound = string | null;

/** One score, ECG metrics or charted row: its key columns and its record as JSON. */
export interface ScoreRow {
  readonly patientId: string;
  readonly score: string;
  readonly at: number;
  readonly json: string;
}

export interface EcgRow {
  readonly deviceId: string;
  readonly code: string;
  readonly at: number;
  readonly patientId: string | null;
  readonly json: string;
}

export interface AlarmFilter {
  readonly patientId?: string;
  readonly deviceId?: string;
  readonly states?: readonly string[];
  readonly from?: Bound;
  readonly to?: Bound;
  readonly limit: number;
}

export interface AuditRow extends JsonRow {
  readonly seq: number;
}

export interface RuleSetRow extends JsonRow {
  readonly version: number;
}

export interface AuditChainRow {
  readonly seq: number;
  readonly json: string;
  readonly hash: string;
}

export type ClinicalProtocol = {
  migrate(): MigrationReport;
  /** True if the event was new; its alarm snapshot is written unless a later one is stored. */
  recordAlarmEvent(event: EventRowParams, alarm: AlarmRowParams): boolean;
  getAlarm(id: string): JsonRow | null;
  listAlarms(filter: AlarmFilter): JsonRow[];
  openAlarms(): JsonRow[];
  alarmEvents(alarmId: string): JsonRow[];
  eventsBetween(from: Bound, to: Bound, limit: number): JsonRow[];
  appendScores(rows: readonly ScoreRow[]): null;
  latestScores(patientId: string): JsonRow[];
  scoreHistory(patientId: string, score: string, from: Bound, to: Bound, limit: number): JsonRow[];
  appendEcgMetrics(rows: readonly EcgRow[]): null;
  ecgMetrics(
    subject: { readonly patientId: string } | { readonly deviceId: string },
    from: Bound,
    to: Bound,
    limit: number,
  ): JsonRow[];
  addChartedObservation(id: string, patientId: string, observedAt: number, json: string): boolean;
  chartedObservations(patientId: string, from: Bound, to: Bound): JsonRow[];
  getRuleSet(key: string): RuleSetRow | null;
  /** Stores the set (JSON without its version) and returns its new version; CONFLICT as the port says. */
  putRuleSet(key: string, at: number, by: string, json: string, expectedVersion: number | null): number;
  /** Appends and chains the entry (its JSON without seq); returns its seq. */
  appendAudit(at: number, actor: string, action: string, subject: string, json: string): number;
  audit(after: Bound, subjectPrefix: string | null, limit: number): AuditRow[];
  auditHead(): { readonly seq: number; readonly hash: string } | null;
  addAuditCheckpoint(checkpoint: SignedCheckpoint): null;
  auditCheckpoints(): SignedCheckpoint[];
  auditChain(): AuditChainRow[];
  saveCheckpoint(scope: string, epoch: number, savedAt: number, json: string): null;
  loadCheckpoint(scope: string): JsonRow | null;
};
