import type pg from 'pg';
import type { JsonRow } from '../sqlite/rows.js';
import type { Handlers } from './sync-bridge.js';
import type { AlarmFilter, ClinicalProtocol } from './protocol.js';

type AlarmRequests = Pick<
  ClinicalProtocol,
  'recordAlarmEvent' | 'getAlarm' | 'listAlarms' | 'openAlarms' | 'alarmEvents' | 'eventsBetween'
>;

/**
 * The alarm requests in SQL (`s` is the quoted schema). Fixed statements are named, so each pooled
 * connection prepares them once.
 */
export function alarmHandlers(pool: pg.Pool, s: string): Handlers<AlarmRequests> {
  const rows = async (name: string, text: string, values: readonly unknown[]): Promise<JsonRow[]> =>
    (await pool.query<JsonRow>({ name, text, values: [...values] })).rows;
  return {
    // One statement, so one transaction: the event once (ON CONFLICT DO NOTHING), and the snapshot
    // only if the event was new and no later event's snapshot is stored (a late replay).
    recordAlarmEvent: async (event, alarm) => {
      const result = await pool.query<{ stored: number }>({
        name: 'clinical.recordAlarmEvent',
        text: `WITH event AS (
                 INSERT INTO ${s}.alarm_events (event_id, alarm_id, seq, type, at, "by", body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING RETURNING 1
               ), snapshot AS (
                 INSERT INTO ${s}.alarms AS a (id, patient_id, device_id, state, raised_at, version, body)
                 SELECT $8, $9, $10, $11, $12, $13, $14 WHERE EXISTS (SELECT 1 FROM event)
                 ON CONFLICT (id) DO UPDATE SET patient_id = excluded.patient_id, device_id = excluded.device_id,
                   state = excluded.state, raised_at = excluded.raised_at, version = excluded.version,
                   body = excluded.body
                 WHERE excluded.version >= a.version
               )
               SELECT count(*)::int AS stored FROM event`,
        values: [
          event.id,
          event.alarmId,
          event.seq,
          event.type,
          event.at,
          event.by,
          event.json,
          alarm.id,
          alarm.patientId,
          alarm.deviceId,
          alarm.state,
          alarm.raisedAt,
          alarm.version,
          alarm.json,
        ],
      });
      return result.rows[0]?.stored === 1;
    },
    getAlarm: async (id) =>
      (
        await rows('clinical.getAlarm', `SELECT id AS key, body::text AS json FROM ${s}.alarms WHERE id = $1`, [id])
      )[0] ?? null,
    // Unnamed: a statement per combination of filters, planned for the values at hand.
    listAlarms: async (filter) => (await pool.query<JsonRow>(alarmQuery(s, filter))).rows,
    openAlarms: () =>
      rows(
        'clinical.openAlarms',
        `SELECT id AS key, body::text AS json FROM ${s}.alarms WHERE state <> 'resolved' ORDER BY raised_at, id`,
        [],
      ),
    alarmEvents: (alarmId) =>
      rows(
        'clinical.alarmEvents',
        `SELECT event_id AS key, body::text AS json FROM ${s}.alarm_events WHERE alarm_id = $1 ORDER BY seq`,
        [alarmId],
      ),
    eventsBetween: (from, to, limit) =>
      rows(
        'clinical.eventsBetween',
        `SELECT event_id AS key, body::text AS json FROM ${s}.alarm_events
         WHERE at >= $1 AND at < $2 ORDER BY at, alarm_id, seq LIMIT $3`,
        [from, to, limit],
      ),
  };
}

/**
 * The `listAlarms` statement for the filters the caller used: only those terms, so the planner
 * can pick the patient, device or time index (a `($1 IS NULL OR …)` term would hide them).
 */
function alarmQuery(s: string, filter: AlarmFilter): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const term = (value: unknown, condition: (param: string) => string): void => {
    values.push(value);
    where.push(condition(`$${values.length}`));
  };
  if (filter.patientId !== undefined) term(filter.patientId, (p) => `patient_id = ${p}`);
  if (filter.deviceId !== undefined) term(filter.deviceId, (p) => `device_id = ${p}`);
  if (filter.states !== undefined) term(filter.states, (p) => `state = ANY (${p}::text[])`);
  if (filter.from !== undefined) term(filter.from, (p) => `raised_at >= ${p}`);
  if (filter.to !== undefined) term(filter.to, (p) => `raised_at < ${p}`);
  values.push(filter.limit);
  const text = `SELECT id AS key, body::text AS json FROM ${s}.alarms
    ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
    ORDER BY raised_at DESC, id DESC LIMIT $${values.length}`;
  return { text, values };
}
