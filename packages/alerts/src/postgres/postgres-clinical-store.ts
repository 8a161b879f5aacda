import { randomBytes } from 'node:crypto';
import { canonicalJson, type ChainedRecord, type SignedCheckpoint } from '@wardstream/auth';
import { WardstreamError } from '@wardstream/domain';
import type { MigrationReport } from '@wardstream/pg';
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
import pg from 'pg';
import type { AlarmQuery, AuditEntry, ClinicalStore, EcgSubject, EngineCheckpoint } from '../clinical-store.js';
import {
  checkEvent,
  checkInstant,
  checkLimit,
  copyScope,
  decodeRow,
  encodeRow,
  scopeKey,
  type JsonRow,
} from '../sqlite/rows.js';
import { migrate } from './migrations.js';
import { compileClinicalOptions, type PostgresClinicalStoreOptions } from './options.js';
import type { Bound, ClinicalProtocol } from './protocol.js';
import { SyncBridge } from './sync-bridge.js';
import type { ClinicalWorkerData } from './worker.js';

export type { PostgresClinicalStoreOptions } from './options.js';

/**
 * The clinical store on PostgreSQL (the scaled-out adapter; tables in migrations.ts), behind the
 * same synchronous port as `SqliteClinicalStore`, with the same semantics: records are checked and
 * encoded as JSON on the calling thread exactly as there, and the same inputs throw the same
 * errors. The SQL runs in a worker thread that owns the `pg` pool (worker.ts); each call blocks
 * the calling thread until PostgreSQL has answered (sync-bridge.ts), at most `callTimeoutMs`.
 *
 * Failures: `INVALID_INPUT` for what cannot be stored faithfully, `CONFLICT` for a stale rule set
 * version, `CORRUPT` for a row that does not parse, `UNAVAILABLE` when PostgreSQL cannot be reached
 * or does not answer in time (a write that timed out may still commit: every write is idempotent or
 * versioned, so a retry is safe except for `appendAudit`, which would append twice) or the worker
 * crashed, `CLOSED` after `close()`.
 */
/** The checkpoint scope of `saveCheckpoint`/`loadCheckpoint` without one. */
export const DEFAULT_ENGINE_SCOPE = '';

export class PostgresClinicalStore implements ClinicalStore {
  private constructor(private readonly bridge: SyncBridge<ClinicalProtocol>) {}

  /**
   * Validates the options (INVALID_INPUT listing every problem), starts the worker and runs the
   * schema's pending migrations, blocking until done; UNAVAILABLE when PostgreSQL cannot be reached.
   */
  static open(options: PostgresClinicalStoreOptions): PostgresClinicalStore {
    const compiled = compileClinicalOptions(options);
    const workerData: ClinicalWorkerData = {
      options: compiled,
      applicationName: `wardstream-clinical-${randomBytes(4).toString('hex')}`,
    };
    const bridge = new SyncBridge<ClinicalProtocol>(new URL('./worker.js', import.meta.url), {
      name: `PostgreSQL clinical store ${compiled.schema}`,
      callTimeoutMs: compiled.callTimeoutMs,
      workerData,
    });
    try {
      bridge.call('migrate');
    } catch (err) {
      bridge.close();
      throw err;
    }
    return new PostgresClinicalStore(bridge);
  }

  /** Runs the pending migrations of a schema and reports what it applied (for `wardstream migrate`). */
  static async migrate(options: PostgresClinicalStoreOptions): Promise<MigrationReport> {
    const compiled = compileClinicalOptions(options);
    const pool = new pg.Pool({ connectionString: compiled.connectionString, max: 1 });
    pool.on('error', () => undefined);
    try {
      return await migrate(pool, compiled.schema);
    } catch (err) {
      if (err instanceof WardstreamError) throw err;
      const detail = err instanceof Error ? err.message : String(err);
      throw new WardstreamError('UNAVAILABLE', `PostgreSQL clinical store: migrating failed: ${detail}`, {
        cause: err,
      });
    } finally {
      await pool.end();
    }
  }

  recordAlarmEvent(event: AlarmEvent): boolean {
    const bridge = this.live();
    checkEvent(event);
    const { alarm } = event;
    return bridge.call(
      'recordAlarmEvent',
      { ...pick(event, 'id', 'alarmId', 'seq', 'type', 'at', 'by'), json: encodeRow('alarm event', event) },
      {
        ...pick(alarm, 'id', 'patientId', 'deviceId', 'state', 'raisedAt', 'version'),
        json: encodeRow('alarm', alarm),
      },
    );
  }

  getAlarm(id: string): Alarm | undefined {
    const row = this.live().call('getAlarm', id);
    return row === null ? undefined : decodeRow('alarms', row);
  }

  listAlarms(query: AlarmQuery): Alarm[] {
    const bridge = this.live();
    checkLimit(query.limit);
    const { patientId, deviceId, states, from, to, limit } = query;
    const filter = {
      limit,
      ...(patientId !== undefined && { patientId }),
      ...(deviceId !== undefined && { deviceId }),
      ...(states !== undefined && { states }),
      ...(from !== undefined && { from: atLeast(from) }),
      ...(to !== undefined && { to: atLeast(to) }),
    };
    return decodeAll('alarms', bridge.call('listAlarms', filter));
  }

  openAlarms(): Alarm[] {
    return decodeAll('alarms', this.live().call('openAlarms'));
  }

  alarmEvents(alarmId: string): AlarmEvent[] {
    return decodeAll('alarm_events', this.live().call('alarmEvents', alarmId));
  }

  eventsBetween(from: number, to: number, limit: number): AlarmEvent[] {
    const bridge = this.live();
    checkLimit(limit);
    return decodeAll('alarm_events', bridge.call('eventsBetween', atLeast(from), atLeast(to), limit));
  }

  appendScore(score: ScoreRecord): void {
    this.appendScores([score]);
  }

  appendScores(scores: readonly ScoreRecord[]): void {
    const bridge = this.live();
    if (scores.length === 0) return;
    const rows = scores.map((score) => {
      checkInstant('score at', score.at);
      return { patientId: score.patientId, score: score.score, at: score.at, json: encodeRow('score', score) };
    });
    bridge.call('appendScores', rows);
  }

  latestScores(patientId: string): ScoreRecord[] {
    return decodeAll('scores', this.live().call('latestScores', patientId));
  }

  scoreHistory(patientId: string, score: ScoreName, from: number, to: number, limit: number): ScoreRecord[] {
    const bridge = this.live();
    checkLimit(limit);
    return decodeAll('scores', bridge.call('scoreHistory', patientId, score, atLeast(from), atLeast(to), limit));
  }

  appendEcgMetrics(metrics: readonly EcgMetrics[]): void {
    const bridge = this.live();
    if (metrics.length === 0) return;
    const rows = metrics.map((m) => {
      checkInstant('ECG metrics at', m.at);
      return {
        deviceId: m.deviceId,
        code: m.code,
        at: m.at,
        patientId: m.patientId,
        json: encodeRow('ECG metrics', m),
      };
    });
    bridge.call('appendEcgMetrics', rows);
  }

  ecgMetrics(subject: EcgSubject, from: number, to: number, limit: number): EcgMetrics[] {
    const bridge = this.live();
    checkLimit(limit);
    const only = 'patientId' in subject ? { patientId: subject.patientId } : { deviceId: subject.deviceId };
    return decodeAll('ecg_metrics', bridge.call('ecgMetrics', only, atLeast(from), atLeast(to), limit));
  }

  addChartedObservation(observation: ChartedObservation): boolean {
    const bridge = this.live();
    checkInstant('charted observedAt', observation.observedAt);
    const json = encodeRow('charted observation', observation);
    return bridge.call('addChartedObservation', observation.id, observation.patientId, observation.observedAt, json);
  }

  chartedObservations(patientId: string, from: number, to: number): ChartedObservation[] {
    return decodeAll('charted', this.live().call('chartedObservations', patientId, atLeast(from), atLeast(to)));
  }

  getRuleSet(scope: RuleScope): StoredRuleSet | undefined {
    const row = this.live().call('getRuleSet', scopeKey(scope));
    return row === null ? undefined : { ...decodeRow('rule_sets', row), version: row.version };
  }

  putRuleSet(
    scope: RuleScope,
    rules: readonly AlarmRule[],
    by: string,
    at: number,
    expectedVersion?: number,
  ): StoredRuleSet {
    const bridge = this.live();
    checkInstant('rule set updatedAt', at);
    const next = { scope: copyScope(scope), rules: [...rules], updatedAt: at, updatedBy: by };
    const json = encodeRow('rule set', next);
    const version = bridge.call('putRuleSet', scopeKey(scope), at, by, json, expectedVersion ?? null);
    return { ...next, version };
  }

  appendAudit(entry: Omit<AuditEntry, 'seq'>): AuditEntry {
    const bridge = this.live();
    checkInstant('audit at', entry.at);
    const { at, actor, action, subject, details } = entry;
    const record = { at, actor, action, subject, details };
    const seq = bridge.call('appendAudit', at, actor, action, subject, encodeRow('audit entry', record));
    return { seq, ...record };
  }

  audit(query: { readonly subjectPrefix?: string; readonly afterSeq?: number; readonly limit: number }): AuditEntry[] {
    const bridge = this.live();
    checkLimit(query.limit);
    const rows = bridge.call('audit', above(query.afterSeq ?? 0), query.subjectPrefix ?? null, query.limit);
    return rows.map((row) => ({ ...decodeRow('audit', row), seq: row.seq }));
  }

  /** The newest audit entry's seq and hash (what a checkpoint signs), or null for an empty trail. */
  auditHead(): { readonly seq: number; readonly hash: string } | null {
    return this.live().call('auditHead');
  }

  addAuditCheckpoint(checkpoint: SignedCheckpoint): void {
    const { seq, hash, at, signature } = checkpoint;
    this.live().call('addAuditCheckpoint', { seq, hash, at, signature });
  }

  auditCheckpoints(): SignedCheckpoint[] {
    return this.live().call('auditCheckpoints');
  }

  /** The audit trail in seq order, for `verifyChain` (`wardstream audit verify`). */
  auditChain(): ChainedRecord[] {
    return this.live()
      .call('auditChain')
      .map((row) => ({ seq: row.seq, body: canonicalJson(JSON.parse(row.json)), hash: row.hash }));
  }

  /** Saves the engine checkpoint of `scope` (default: the one engine of a single-process deployment). */
  saveCheckpoint(checkpoint: EngineCheckpoint, scope: string = DEFAULT_ENGINE_SCOPE, epoch = 0): void {
    const bridge = this.live();
    checkInstant('checkpoint savedAt', checkpoint.savedAt);
    bridge.call('saveCheckpoint', scope, epoch, checkpoint.savedAt, encodeRow('engine checkpoint', checkpoint));
  }

  loadCheckpoint(scope: string = DEFAULT_ENGINE_SCOPE): EngineCheckpoint | undefined {
    const row = this.live().call('loadCheckpoint', scope);
    return row === null ? undefined : decodeRow('checkpoint', row);
  }

  /**
   * The store as an engine of one partition sees it: everything shared, but its own checkpoint
   * (`scope`), so engines of different partitions, in one process or several, keep their positions
   * and states apart. Closing the view does not close the store. `epoch` fences as in the reading
   * store: after a higher epoch saved the scope's checkpoint, a save through a lower one is CONFLICT.
   */
  withCheckpointScope(scope: string, epoch = 0): ClinicalStore {
    const view = Object.create(this) as PostgresClinicalStore;
    return Object.assign(view, {
      saveCheckpoint: (checkpoint: EngineCheckpoint) => {
        this.saveCheckpoint(checkpoint, scope, epoch);
      },
      loadCheckpoint: () => this.loadCheckpoint(scope),
      close: () => undefined,
    });
  }

  /** Ends the pool and the worker (waiting at most `callTimeoutMs`); a second call does nothing. */
  close(): void {
    this.bridge.close();
  }

  private live(): SyncBridge<ClinicalProtocol> {
    this.bridge.checkOpen();
    return this.bridge;
  }
}

type Tables = Parameters<typeof decodeRow>[0];

function decodeAll<K extends Tables>(table: K, rows: readonly JsonRow[]): ReturnType<typeof decodeRow<K>>[] {
  return rows.map((row) => decodeRow(table, row));
}

function pick<T, K extends keyof T>(value: T, ...keys: K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) picked[key] = value[key];
  return picked;
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/**
 * The bigint bound equivalent to `column >= value` (and `column < value`): its ceiling, within
 * bigint's range; null for NaN, which matches nothing as in SQLite.
 */
function atLeast(value: number): Bound {
  return bound(Math.ceil(value));
}

/** The bigint bound equivalent to `column > value`: its floor. */
function above(value: number): Bound {
  return bound(Math.floor(value));
}

function bound(integer: number): Bound {
  if (Number.isNaN(integer)) return null;
  if (integer === Infinity) return INT8_MAX.toString();
  if (integer === -Infinity) return INT8_MIN.toString();
  const big = BigInt(integer);
  return (big > INT8_MAX ? INT8_MAX : big < INT8_MIN ? INT8_MIN : big).toString();
}
