import type {
  Alarm,
  AlarmEvent,
  AlarmState,
  ChartedObservation,
  EcgMetrics,
  RuleScope,
  ScoreName,
  ScoreRecord,
  StoredRuleSet,
  AlarmRule,
} from '@wardstream/clinical';

/** A change a user made through the API, kept for audit: who did what to which subject, when. */
export interface AuditEntry {
  /** Assigned by the store (1, 2, …) when appended. */
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  /** e.g. `alarm.acknowledge`, `rules.put`, `charted.record`. */
  readonly action: string;
  /** e.g. `alarm:<id>`, `patient:<id>`, `ward:<id>`. */
  readonly subject: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AlarmQuery {
  readonly patientId?: string;
  readonly deviceId?: string;
  readonly states?: readonly AlarmState[];
  /** Only alarms raised in [from, to) (event time, epoch ms). */
  readonly from?: number;
  readonly to?: number;
  /** Newest first; at most this many. */
  readonly limit: number;
}

/** What the engine saved with its position: opaque JSON state and per-partition next offsets. */
export interface EngineCheckpoint {
  readonly offsets: Readonly<Record<number, number>>;
  readonly state: unknown;
  readonly savedAt: number;
  /**
   * Per partition, where a restart starts reading to warm the ECG analysers up (a few seconds of
   * signal before `offsets`, fed to them with their output dropped). Absent in older checkpoints.
   */
  readonly warmUpOffsets?: Readonly<Record<number, number>>;
}

/**
 * The clinical store port: alarms with their event history, scores as a time series, charted
 * observations, alarm rule sets, the audit trail and the engine's checkpoint. Synchronous: the
 * embedded adapter is SQLite in process (ADR 0004). Every adapter passes
 * `describeClinicalStoreContract` (`@wardstream/alerts/contract`).
 *
 * Idempotency: `recordAlarmEvent` of an event id already stored changes nothing and returns false;
 * `appendScore` of the same (patient, score, at) replaces it; `addChartedObservation` of an id
 * already stored changes nothing and returns false. A replay therefore never stores anything twice.
 */
/** Whose ECG metrics: a patient's (every device bound to them) or one device's. */
export type EcgSubject = { readonly patientId: string } | { readonly deviceId: string };

export interface ClinicalStore {
  /**
   * Stores the event and the alarm as it stands after it, in one transaction. False if the event id was already
   * stored. The stored snapshot is replaced only by an event with `seq` ≥ its `version`: a late event is kept in the
   * history but leaves the newer snapshot. `event.alarm` must be alarm `event.alarmId` at version `event.seq`, else
   * INVALID_INPUT.
   */
  recordAlarmEvent(event: AlarmEvent): boolean;
  getAlarm(id: string): Alarm | undefined;
  listAlarms(query: AlarmQuery): Alarm[];
  /** Every alarm not resolved, oldest first (the engine reloads them at start). */
  openAlarms(): Alarm[];
  /** The events of one alarm in seq order. */
  alarmEvents(alarmId: string): AlarmEvent[];
  /** Events with `at` in [from, to), oldest first; for burden metrics and replays of the alerts topic. */
  eventsBetween(from: number, to: number, limit: number): AlarmEvent[];

  appendScore(score: ScoreRecord): void;
  /** `appendScore` of each, in one transaction (one sync to disk for a batch of evaluations). */
  appendScores(scores: readonly ScoreRecord[]): void;
  /** The newest score of each name for the patient. */
  latestScores(patientId: string): ScoreRecord[];
  /** Scores with `at` in [from, to), oldest first, at most `limit`. */
  scoreHistory(patientId: string, score: ScoreName, from: number, to: number, limit: number): ScoreRecord[];

  /** ECG metrics, in one transaction; the same (device, code, at) replaces the stored one. */
  appendEcgMetrics(metrics: readonly EcgMetrics[]): void;
  /** Metrics of a patient's or a device's ECG with `at` in [from, to), oldest first, at most `limit`. */
  ecgMetrics(subject: EcgSubject, from: number, to: number, limit: number): EcgMetrics[];

  addChartedObservation(observation: ChartedObservation): boolean;
  /** Observations with observedAt in [from, to), oldest first. */
  chartedObservations(patientId: string, from: number, to: number): ChartedObservation[];

  getRuleSet(scope: RuleScope): StoredRuleSet | undefined;
  /**
   * Replaces the scope's rules; the version goes up by one. `expectedVersion` (if given) must match, else CONFLICT;
   * 0 expects that the scope has no rule set yet.
   */
  putRuleSet(
    scope: RuleScope,
    rules: readonly AlarmRule[],
    by: string,
    at: number,
    expectedVersion?: number,
  ): StoredRuleSet;

  /** Appends an entry and returns it with its seq. */
  appendAudit(entry: Omit<AuditEntry, 'seq'>): AuditEntry;
  /** Entries with seq > afterSeq whose subject starts with `subjectPrefix` (if given), oldest first. */
  audit(query: { readonly subjectPrefix?: string; readonly afterSeq?: number; readonly limit: number }): AuditEntry[];

  /** `state` (like `details` elsewhere) is stored as JSON: it must be a JSON value and is read back as one. */
  saveCheckpoint(checkpoint: EngineCheckpoint): void;
  loadCheckpoint(): EngineCheckpoint | undefined;

  close(): void;
}
