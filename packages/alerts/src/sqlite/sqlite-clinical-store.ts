import type { Database, Transaction } from 'better-sqlite3';
import { canonicalJson, chainHash, GENESIS_HASH, type ChainedRecord, type SignedCheckpoint } from '@wardstream/auth';
import { WardstreamError } from '@wardstream/domain';
import type {
  Alarm,
  AlarmEvent,
  AlarmRule,
  ChartedObservation,
  EcgMetrics,
  RuleScope,
  ScoreName,
  ScoreRecord,
  StoredRuleSet,
} from '@wardstream/clinical';
import type { AlarmQuery, AuditEntry, ClinicalStore, EcgSubject, EngineCheckpoint } from '../clinical-store.js';
import { AlarmQueries } from './alarm-query.js';
import { checkOptions, openDatabase, type SqliteClinicalStoreOptions } from './open-database.js';
import { checkEvent, checkInstant, checkLimit, copyScope, decodeRow, encodeRow, scopeKey } from './rows.js';
import { migrate } from './schema.js';
import { prepareStatements, type Statements } from './statements.js';

export type { SqliteClinicalStoreOptions } from './open-database.js';

/**
 * The clinical store in one SQLite file (schema.ts): WAL, a sync at every commit (open-database.ts),
 * statements prepared once. Records are kept as JSON, so every field round-trips as JSON does:
 * `details`, checkpoint `state` and the like must be JSON values (an `undefined` property is
 * dropped). Inputs it cannot store faithfully (an instant that is not an integer, an event whose
 * alarm is another alarm or another version) throw `INVALID_INPUT`; a row that does not parse
 * throws `CORRUPT`; any method after `close()` throws `CLOSED`.
 */
export class SqliteClinicalStore implements ClinicalStore {
  private readonly statements: Statements;
  private readonly alarmQueries: AlarmQueries;
  private readonly recordEvent: Transaction<(event: AlarmEvent) => boolean>;
  private readonly replaceRuleSet: Transaction<
    (next: Omit<StoredRuleSet, 'version'>, expected?: number) => StoredRuleSet
  >;

  private readonly writeScores: (scores: readonly ScoreRecord[]) => void;
  private readonly writeEcg: (metrics: readonly EcgMetrics[]) => void;
  /** Appends an audit entry and chains it to the one before, in one transaction. */
  private readonly appendAuditNow: (entry: Omit<AuditEntry, 'seq'>) => AuditEntry;

  private constructor(
    private readonly db: Database,
    private readonly name: string,
  ) {
    this.statements = prepareStatements(db);
    this.alarmQueries = new AlarmQueries(db);
    this.recordEvent = db.transaction((event: AlarmEvent) => this.recordEventNow(event));
    this.writeScores = db.transaction((scores: readonly ScoreRecord[]) => {
      for (const score of scores) this.appendScore(score);
    });
    this.writeEcg = db.transaction((metrics: readonly EcgMetrics[]) => {
      const q = this.live();
      for (const m of metrics) {
        checkInstant('ECG metrics at', m.at);
        q.upsertEcg.run(m.deviceId, m.code, m.at, m.patientId, encodeRow('ECG metrics', m));
      }
    });
    this.appendAuditNow = db.transaction((entry: Omit<AuditEntry, 'seq'>): AuditEntry => {
      const q = this.statements;
      const { at, actor, action, subject, details } = entry;
      const record = { at, actor, action, subject, details };
      const json = encodeRow('audit entry', record);
      const seq = Number(q.insertAudit.run(at, actor, action, subject, json).lastInsertRowid);
      const previous = q.auditHashBefore.get(seq)?.hash ?? GENESIS_HASH;
      q.setAuditHash.run(chainHash(previous, seq, canonicalJson(JSON.parse(json))), seq);
      return { seq, ...record };
    });
    this.replaceRuleSet = db.transaction((next: Omit<StoredRuleSet, 'version'>, expected?: number) =>
      this.replaceRuleSetNow(next, expected),
    );
  }

  /**
   * Opens (creating or upgrading) the store at `options.path`. Throws `INVALID_INPUT` for bad
   * options (a directory path included), `UNAVAILABLE` when SQLite cannot open the file, `CORRUPT`
   * for a file that is not a database or is of a newer schema version.
   */
  static open(options: SqliteClinicalStoreOptions): SqliteClinicalStore {
    checkOptions(options);
    const db = openDatabase(options.path);
    try {
      migrate(db, options.path);
      return new SqliteClinicalStore(db, options.path);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  recordAlarmEvent(event: AlarmEvent): boolean {
    this.checkOpen();
    checkEvent(event);
    return this.recordEvent(event);
  }

  getAlarm(id: string): Alarm | undefined {
    const row = this.live().getAlarm.get(id);
    return row && decodeRow('alarms', row);
  }

  listAlarms(query: AlarmQuery): Alarm[] {
    this.checkOpen();
    checkLimit(query.limit);
    return this.alarmQueries.run(query).map((row) => decodeRow('alarms', row));
  }

  openAlarms(): Alarm[] {
    return this.live()
      .openAlarms.all()
      .map((row) => decodeRow('alarms', row));
  }

  alarmEvents(alarmId: string): AlarmEvent[] {
    return this.live()
      .alarmEvents.all(alarmId)
      .map((row) => decodeRow('alarm_events', row));
  }

  eventsBetween(from: number, to: number, limit: number): AlarmEvent[] {
    const q = this.live();
    checkLimit(limit);
    return q.eventsBetween.all(from, to, limit).map((row) => decodeRow('alarm_events', row));
  }

  appendScore(score: ScoreRecord): void {
    const q = this.live();
    checkInstant('score at', score.at);
    q.upsertScore.run(score.patientId, score.score, score.at, encodeRow('score', score));
  }

  appendScores(scores: readonly ScoreRecord[]): void {
    if (scores.length > 0) this.writeScores(scores);
  }

  latestScores(patientId: string): ScoreRecord[] {
    return this.live()
      .latestScores.all(patientId)
      .map((row) => decodeRow('scores', row));
  }

  scoreHistory(patientId: string, score: ScoreName, from: number, to: number, limit: number): ScoreRecord[] {
    const q = this.live();
    checkLimit(limit);
    return q.scoreHistory.all(patientId, score, from, to, limit).map((row) => decodeRow('scores', row));
  }

  appendEcgMetrics(metrics: readonly EcgMetrics[]): void {
    if (metrics.length > 0) this.writeEcg(metrics);
  }

  ecgMetrics(subject: EcgSubject, from: number, to: number, limit: number): EcgMetrics[] {
    const q = this.live();
    checkLimit(limit);
    const rows =
      'patientId' in subject
        ? q.ecgByPatient.all(subject.patientId, from, to, limit)
        : q.ecgByDevice.all(subject.deviceId, from, to, limit);
    return rows.map((row) => decodeRow('ecg_metrics', row));
  }

  addChartedObservation(observation: ChartedObservation): boolean {
    const q = this.live();
    checkInstant('charted observedAt', observation.observedAt);
    const json = encodeRow('charted observation', observation);
    return q.insertCharted.run(observation.id, observation.patientId, observation.observedAt, json).changes > 0;
  }

  chartedObservations(patientId: string, from: number, to: number): ChartedObservation[] {
    return this.live()
      .chartedBetween.all(patientId, from, to)
      .map((row) => decodeRow('charted', row));
  }

  getRuleSet(scope: RuleScope): StoredRuleSet | undefined {
    const row = this.live().getRuleSet.get(scopeKey(scope));
    return row && decodeRow('rule_sets', row);
  }

  putRuleSet(
    scope: RuleScope,
    rules: readonly AlarmRule[],
    by: string,
    at: number,
    expectedVersion?: number,
  ): StoredRuleSet {
    this.checkOpen();
    checkInstant('rule set updatedAt', at);
    return this.replaceRuleSet(
      { scope: copyScope(scope), rules: [...rules], updatedAt: at, updatedBy: by },
      expectedVersion,
    );
  }

  appendAudit(entry: Omit<AuditEntry, 'seq'>): AuditEntry {
    this.live();
    checkInstant('audit at', entry.at);
    return this.appendAuditNow(entry);
  }

  /** The newest audit entry's seq and hash (what a checkpoint signs), or null for an empty trail. */
  auditHead(): { readonly seq: number; readonly hash: string } | null {
    const row = this.live().auditHead.get();
    return row === undefined || row.hash === null ? null : { seq: row.seq, hash: row.hash };
  }

  addAuditCheckpoint(checkpoint: SignedCheckpoint): void {
    this.live().insertAuditCheckpoint.run(checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.signature);
  }

  auditCheckpoints(): SignedCheckpoint[] {
    return this.live().auditCheckpoints.all();
  }

  /** The audit trail as stored, for `verifyChain` (`wardstream audit verify`). */
  auditChain(): ChainedRecord[] {
    return this.live()
      .auditChain.all()
      .map((row) => ({ seq: row.seq, body: canonicalJson(JSON.parse(row.json)), hash: row.hash ?? '' }));
  }

  audit(query: { readonly subjectPrefix?: string; readonly afterSeq?: number; readonly limit: number }): AuditEntry[] {
    const q = this.live();
    checkLimit(query.limit);
    const params = { afterSeq: query.afterSeq ?? 0, prefix: query.subjectPrefix ?? null, limit: query.limit };
    return q.audit.all(params).map((row) => ({ ...decodeRow('audit', row), seq: row.seq }));
  }

  saveCheckpoint(checkpoint: EngineCheckpoint): void {
    const q = this.live();
    checkInstant('checkpoint savedAt', checkpoint.savedAt);
    q.saveCheckpoint.run(checkpoint.savedAt, encodeRow('engine checkpoint', checkpoint));
  }

  loadCheckpoint(): EngineCheckpoint | undefined {
    const row = this.live().loadCheckpoint.get();
    return row && decodeRow('checkpoint', row);
  }

  /** Closes the file; a second call does nothing. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** In the transaction: the event once, the snapshot unless a later event's is stored (late replay). */
  private recordEventNow(event: AlarmEvent): boolean {
    const q = this.statements;
    const stored = q.insertEvent.run({
      id: event.id,
      alarmId: event.alarmId,
      seq: event.seq,
      type: event.type,
      at: event.at,
      by: event.by,
      json: encodeRow('alarm event', event),
    });
    if (stored.changes === 0) return false;
    const alarm = event.alarm;
    q.upsertAlarm.run({
      id: alarm.id,
      patientId: alarm.patientId,
      deviceId: alarm.deviceId,
      state: alarm.state,
      raisedAt: alarm.raisedAt,
      version: alarm.version,
      json: encodeRow('alarm', alarm),
    });
    return true;
  }

  private replaceRuleSetNow(next: Omit<StoredRuleSet, 'version'>, expected?: number): StoredRuleSet {
    const key = scopeKey(next.scope);
    const current = this.statements.getRuleSet.get(key)?.version ?? 0;
    if (expected !== undefined && expected !== current) {
      throw new WardstreamError(
        'CONFLICT',
        `rule set ${key} is at version ${current}, not ${expected}: reload it and apply the change again`,
      );
    }
    const stored: StoredRuleSet = { ...next, version: current + 1 };
    this.statements.putRuleSet.run(
      key,
      stored.version,
      stored.updatedAt,
      stored.updatedBy,
      encodeRow('rule set', stored),
    );
    return stored;
  }

  private live(): Statements {
    this.checkOpen();
    return this.statements;
  }

  private checkOpen(): void {
    if (!this.db.open) throw new WardstreamError('CLOSED', `clinical store ${this.name} is closed`);
  }
}
