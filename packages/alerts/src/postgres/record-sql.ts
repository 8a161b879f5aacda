import { WardstreamError } from '@wardstream/domain';
import type pg from 'pg';
import type { JsonRow } from '../sqlite/rows.js';
import type { Handlers } from './sync-bridge.js';
import type { ClinicalProtocol, RuleSetRow } from './protocol.js';

type RecordRequests = Pick<
  ClinicalProtocol,
  | 'appendScores'
  | 'latestScores'
  | 'scoreHistory'
  | 'appendEcgMetrics'
  | 'ecgMetrics'
  | 'addChartedObservation'
  | 'chartedObservations'
  | 'getRuleSet'
  | 'putRuleSet'
  | 'saveCheckpoint'
  | 'loadCheckpoint'
>;

const SCORE_KEY = `patient_id || '/' || score || '/' || at`;
const ECG_KEY = `device_id || '/' || code || '/' || at`;

/**
 * Scores, ECG metrics, charted observations, rule sets and the engine checkpoint in SQL (`s` is the
 * quoted schema). A batch is one `INSERT … SELECT FROM unnest(…)`: one statement, so one
 * transaction and one round trip whatever its size.
 */
export function recordHandlers(pool: pg.Pool, s: string): Handlers<RecordRequests> {
  const rows = async <R extends object = JsonRow>(name: string, text: string, values: unknown[]): Promise<R[]> =>
    (await pool.query<R>({ name, text, values })).rows;
  return {
    appendScores: async (batch) => {
      const last = lastOfEachKey(batch, (r) => [r.patientId, r.score, r.at]);
      if (last.length === 0) return null;
      await pool.query({
        name: 'clinical.appendScores',
        text: `INSERT INTO ${s}.scores (patient_id, score, at, body)
               SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::json[])
               ON CONFLICT (patient_id, score, at) DO UPDATE SET body = excluded.body`,
        values: [
          last.map((r) => r.patientId),
          last.map((r) => r.score),
          last.map((r) => r.at),
          last.map((r) => r.json),
        ],
      });
      return null;
    },
    latestScores: (patientId) =>
      rows(
        'clinical.latestScores',
        `SELECT DISTINCT ON (score) ${SCORE_KEY} AS key, body::text AS json FROM ${s}.scores
         WHERE patient_id = $1 ORDER BY score, at DESC`,
        [patientId],
      ),
    scoreHistory: (patientId, score, from, to, limit) =>
      rows(
        'clinical.scoreHistory',
        `SELECT ${SCORE_KEY} AS key, body::text AS json FROM ${s}.scores
         WHERE patient_id = $1 AND score = $2 AND at >= $3 AND at < $4 ORDER BY at LIMIT $5`,
        [patientId, score, from, to, limit],
      ),
    appendEcgMetrics: async (batch) => {
      const last = lastOfEachKey(batch, (r) => [r.deviceId, r.code, r.at]);
      if (last.length === 0) return null;
      await pool.query({
        name: 'clinical.appendEcgMetrics',
        text: `INSERT INTO ${s}.ecg_metrics (device_id, code, at, patient_id, body)
               SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::json[])
               ON CONFLICT (device_id, code, at) DO UPDATE SET patient_id = excluded.patient_id, body = excluded.body`,
        values: [
          last.map((r) => r.deviceId),
          last.map((r) => r.code),
          last.map((r) => r.at),
          last.map((r) => r.patientId),
          last.map((r) => r.json),
        ],
      });
      return null;
    },
    ecgMetrics: (subject, from, to, limit) =>
      'patientId' in subject
        ? rows(
            'clinical.ecgByPatient',
            `SELECT ${ECG_KEY} AS key, body::text AS json FROM ${s}.ecg_metrics
             WHERE patient_id = $1 AND at >= $2 AND at < $3 ORDER BY at, device_id, code LIMIT $4`,
            [subject.patientId, from, to, limit],
          )
        : rows(
            'clinical.ecgByDevice',
            `SELECT ${ECG_KEY} AS key, body::text AS json FROM ${s}.ecg_metrics
             WHERE device_id = $1 AND at >= $2 AND at < $3 ORDER BY at, code LIMIT $4`,
            [subject.deviceId, from, to, limit],
          ),
    addChartedObservation: async (id, patientId, observedAt, json) => {
      const result = await pool.query({
        name: 'clinical.addCharted',
        text: `INSERT INTO ${s}.charted_observations (id, patient_id, observed_at, body) VALUES ($1, $2, $3, $4)
               ON CONFLICT (id) DO NOTHING`,
        values: [id, patientId, observedAt, json],
      });
      return result.rowCount === 1;
    },
    chartedObservations: (patientId, from, to) =>
      rows(
        'clinical.chartedBetween',
        `SELECT id AS key, body::text AS json FROM ${s}.charted_observations
         WHERE patient_id = $1 AND observed_at >= $2 AND observed_at < $3 ORDER BY observed_at, id`,
        [patientId, from, to],
      ),
    getRuleSet: async (key) => (await ruleSet(pool, s, key)) ?? null,
    putRuleSet: async (key, at, by, json, expected) => {
      const stored = await putRuleSet(pool, s, [key, at, by, json], expected);
      if (stored !== undefined) return stored;
      const current = (await ruleSet(pool, s, key))?.version ?? 0;
      throw new WardstreamError(
        'CONFLICT',
        `rule set ${key} is at version ${current}, not ${expected}: reload it and apply the change again`,
      );
    },
    saveCheckpoint: async (scope, epoch, savedAt, json) => {
      // Fenced: an engine whose grant of the scope is older than the last writer's changes nothing.
      const written = await pool.query({
        name: 'clinical.saveCheckpoint',
        text: `INSERT INTO ${s}.engine_checkpoint (scope, epoch, saved_at, body) VALUES ($1, $2, $3, $4)
               ON CONFLICT (scope) DO UPDATE SET epoch = excluded.epoch, saved_at = excluded.saved_at, body = excluded.body
               WHERE ${s}.engine_checkpoint.epoch <= excluded.epoch`,
        values: [scope, epoch, savedAt, json],
      });
      if (written.rowCount === 0) {
        throw new WardstreamError(
          'CONFLICT',
          `engine checkpoint ${scope} has a newer owner than epoch ${epoch}: this engine was fenced off`,
        );
      }
      return null;
    },
    loadCheckpoint: async (scope) =>
      (
        await rows(
          'clinical.loadCheckpoint',
          `SELECT scope AS key, body::text AS json FROM ${s}.engine_checkpoint WHERE scope = $1`,
          [scope],
        )
      )[0] ?? null,
  };
}

async function ruleSet(pool: pg.Pool, s: string, key: string): Promise<RuleSetRow | undefined> {
  const result = await pool.query<{ key: string; version: string; json: string }>({
    name: 'clinical.getRuleSet',
    text: `SELECT scope_key AS key, version, body::text AS json FROM ${s}.alarm_rule_sets WHERE scope_key = $1`,
    values: [key],
  });
  const row = result.rows[0];
  return row && { key: row.key, json: row.json, version: Number(row.version) };
}

/**
 * Writes the set in one statement that also checks and bumps the version, so two writers cannot
 * both move it from the same version; undefined when `expected` is not the stored version.
 */
async function putRuleSet(
  pool: pg.Pool,
  s: string,
  values: readonly [key: string, at: number, by: string, json: string],
  expected: number | null,
): Promise<number | undefined> {
  const columns = `INSERT INTO ${s}.alarm_rule_sets AS r (scope_key, version, updated_at, updated_by, body)
                   VALUES ($1, 1, $2, $3, $4)`;
  let query: pg.QueryConfig;
  if (expected === null) {
    query = {
      name: 'clinical.putRuleSet',
      text: `${columns} ON CONFLICT (scope_key) DO UPDATE SET version = r.version + 1,
               updated_at = excluded.updated_at, updated_by = excluded.updated_by, body = excluded.body
             RETURNING version`,
      values: [...values],
    };
  } else if (expected === 0) {
    query = {
      name: 'clinical.createRuleSet',
      text: `${columns} ON CONFLICT DO NOTHING RETURNING version`,
      values: [...values],
    };
  } else if (Number.isSafeInteger(expected)) {
    query = {
      name: 'clinical.replaceRuleSet',
      text: `UPDATE ${s}.alarm_rule_sets SET version = version + 1, updated_at = $2, updated_by = $3, body = $4
             WHERE scope_key = $1 AND version = $5 RETURNING version`,
      values: [...values, expected],
    };
  } else {
    return undefined; // no stored version is a fraction
  }
  const result = await pool.query<{ version: string }>(query);
  const row = result.rows[0];
  return row && Number(row.version);
}

/** The last row of each key, as the batch's later rows replace earlier ones (an upsert per row would). */
function lastOfEachKey<R>(batch: readonly R[], key: (row: R) => readonly (string | number)[]): R[] {
  const last = new Map<string, R>();
  for (const row of batch) last.set(JSON.stringify(key(row)), row);
  return [...last.values()];
}
