import type { Database, Statement } from 'better-sqlite3';
import type { JsonRow } from './rows.js';

export interface AlarmRowParams {
  readonly id: string;
  readonly patientId: string | null;
  readonly deviceId: string | null;
  readonly state: string;
  readonly raisedAt: number;
  readonly version: number;
  readonly json: string;
}

export interface EventRowParams {
  readonly id: string;
  readonly alarmId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: number;
  readonly by: string;
  readonly json: string;
}

export interface RuleSetRow extends JsonRow {
  readonly version: number;
}

export interface AuditRow extends JsonRow {
  readonly seq: number;
}

/** Every fixed statement of the store, prepared once at open. */
export interface Statements {
  readonly insertEvent: Statement<[EventRowParams]>;
  /** Writes the snapshot unless the stored one comes from a later event (a late replay). */
  readonly upsertAlarm: Statement<[AlarmRowParams]>;
  readonly getAlarm: Statement<[string], JsonRow>;
  readonly openAlarms: Statement<[], JsonRow>;
  readonly alarmEvents: Statement<[string], JsonRow>;
  readonly eventsBetween: Statement<[number, number, number], JsonRow>;
  readonly upsertScore: Statement<[string, string, number, string]>;
  readonly latestScores: Statement<[string], JsonRow>;
  readonly scoreHistory: Statement<[string, string, number, number, number], JsonRow>;
  readonly insertCharted: Statement<[string, string, number, string]>;
  readonly chartedBetween: Statement<[string, number, number], JsonRow>;
  readonly getRuleSet: Statement<[string], RuleSetRow>;
  readonly putRuleSet: Statement<[string, number, number, string, string]>;
  readonly insertAudit: Statement<[number, string, string, string, string]>;
  readonly auditHashBefore: Statement<[number], { hash: string | null }>;
  readonly setAuditHash: Statement<[string, number]>;
  readonly auditChain: Statement<[], { seq: number; json: string; hash: string | null }>;
  readonly auditHead: Statement<[], { seq: number; hash: string | null }>;
  readonly insertAuditCheckpoint: Statement<[number, string, number, string]>;
  readonly auditCheckpoints: Statement<[], { seq: number; hash: string; at: number; signature: string }>;
  readonly audit: Statement<
    [{ readonly afterSeq: number; readonly prefix: string | null; readonly limit: number }],
    AuditRow
  >;
  readonly upsertEcg: Statement<[string, string, number, string | null, string]>;
  readonly ecgByPatient: Statement<[string, number, number, number], JsonRow>;
  readonly ecgByDevice: Statement<[string, number, number, number], JsonRow>;
  readonly saveCheckpoint: Statement<[number, string]>;
  readonly loadCheckpoint: Statement<[], JsonRow>;
}

const SCORE_KEY = `patient_id || '/' || score || '/' || at`;
const ECG_KEY = `device_id || '/' || code || '/' || at`;

export function prepareStatements(db: Database): Statements {
  return {
    insertEvent: db.prepare<[EventRowParams]>(
      `INSERT OR IGNORE INTO alarm_events (event_id, alarm_id, seq, type, at, "by", json)
       VALUES (@id, @alarmId, @seq, @type, @at, @by, @json)`,
    ),
    upsertAlarm: db.prepare<[AlarmRowParams]>(
      `INSERT INTO alarms (id, patient_id, device_id, state, raised_at, version, json)
       VALUES (@id, @patientId, @deviceId, @state, @raisedAt, @version, @json)
       ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, device_id = excluded.device_id,
         state = excluded.state, raised_at = excluded.raised_at, version = excluded.version, json = excluded.json
       WHERE excluded.version >= alarms.version`,
    ),
    getAlarm: db.prepare<[string], JsonRow>('SELECT id AS key, json FROM alarms WHERE id = ?'),
    openAlarms: db.prepare<[], JsonRow>(
      `SELECT id AS key, json FROM alarms WHERE state <> 'resolved' ORDER BY raised_at, id`,
    ),
    alarmEvents: db.prepare<[string], JsonRow>(
      'SELECT event_id AS key, json FROM alarm_events WHERE alarm_id = ? ORDER BY seq',
    ),
    eventsBetween: db.prepare<[number, number, number], JsonRow>(
      `SELECT event_id AS key, json FROM alarm_events WHERE at >= ? AND at < ? ORDER BY at, alarm_id, seq LIMIT ?`,
    ),
    upsertScore: db.prepare<[string, string, number, string]>(
      `INSERT INTO scores (patient_id, score, at, json) VALUES (?, ?, ?, ?)
       ON CONFLICT (patient_id, score, at) DO UPDATE SET json = excluded.json`,
    ),
    // SQLite takes the bare columns of an aggregate query with max() from the row holding the max.
    latestScores: db.prepare<[string], JsonRow>(
      `SELECT ${SCORE_KEY} AS key, json, max(at) FROM scores WHERE patient_id = ? GROUP BY score ORDER BY score`,
    ),
    scoreHistory: db.prepare<[string, string, number, number, number], JsonRow>(
      `SELECT ${SCORE_KEY} AS key, json FROM scores
       WHERE patient_id = ? AND score = ? AND at >= ? AND at < ? ORDER BY at LIMIT ?`,
    ),
    insertCharted: db.prepare<[string, string, number, string]>(
      'INSERT OR IGNORE INTO charted (id, patient_id, observed_at, json) VALUES (?, ?, ?, ?)',
    ),
    chartedBetween: db.prepare<[string, number, number], JsonRow>(
      `SELECT id AS key, json FROM charted
       WHERE patient_id = ? AND observed_at >= ? AND observed_at < ? ORDER BY observed_at, id`,
    ),
    getRuleSet: db.prepare<[string], RuleSetRow>(
      'SELECT scope_key AS key, version, json FROM rule_sets WHERE scope_key = ?',
    ),
    putRuleSet: db.prepare<[string, number, number, string, string]>(
      `INSERT INTO rule_sets (scope_key, version, updated_at, updated_by, json) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (scope_key) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by, json = excluded.json`,
    ),
    insertAudit: db.prepare<[number, string, string, string, string]>(
      'INSERT INTO audit (at, actor, action, subject, json) VALUES (?, ?, ?, ?, ?)',
    ),
    auditHashBefore: db.prepare<[number], { hash: string | null }>(
      'SELECT hash FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT 1',
    ),
    setAuditHash: db.prepare<[string, number]>('UPDATE audit SET hash = ? WHERE seq = ?'),
    // In storage order: the verifier looks for rows out of order.
    auditChain: db.prepare<[], { seq: number; json: string; hash: string | null }>(
      'SELECT seq, json, hash FROM audit ORDER BY rowid',
    ),
    auditHead: db.prepare<[], { seq: number; hash: string | null }>(
      'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1',
    ),
    insertAuditCheckpoint: db.prepare<[number, string, number, string]>(
      'INSERT OR REPLACE INTO audit_checkpoint (seq, hash, at, signature) VALUES (?, ?, ?, ?)',
    ),
    auditCheckpoints: db.prepare<[], { seq: number; hash: string; at: number; signature: string }>(
      'SELECT seq, hash, at, signature FROM audit_checkpoint ORDER BY seq',
    ),
    // substr, not LIKE: LIKE folds ASCII case and treats % and _ in a subject as wildcards.
    audit: db.prepare<[{ afterSeq: number; prefix: string | null; limit: number }], AuditRow>(
      `SELECT seq, seq AS key, json FROM audit
       WHERE seq > @afterSeq AND (@prefix IS NULL OR substr(subject, 1, length(@prefix)) = @prefix)
       ORDER BY seq LIMIT @limit`,
    ),
    upsertEcg: db.prepare<[string, string, number, string | null, string]>(
      `INSERT INTO ecg_metrics (device_id, code, at, patient_id, json) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id, code, at) DO UPDATE SET patient_id = excluded.patient_id, json = excluded.json`,
    ),
    ecgByPatient: db.prepare<[string, number, number, number], JsonRow>(
      `SELECT ${ECG_KEY} AS key, json FROM ecg_metrics
       WHERE patient_id = ? AND at >= ? AND at < ? ORDER BY at, device_id, code LIMIT ?`,
    ),
    ecgByDevice: db.prepare<[string, number, number, number], JsonRow>(
      `SELECT ${ECG_KEY} AS key, json FROM ecg_metrics
       WHERE device_id = ? AND at >= ? AND at < ? ORDER BY at, code LIMIT ?`,
    ),
    saveCheckpoint: db.prepare<[number, string]>(
      `INSERT INTO checkpoint (id, saved_at, json) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at, json = excluded.json`,
    ),
    loadCheckpoint: db.prepare<[], JsonRow>(`SELECT 'the only row' AS key, json FROM checkpoint WHERE id = 1`),
  };
}
