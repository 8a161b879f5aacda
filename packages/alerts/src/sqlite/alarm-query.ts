import type { Database, Statement } from 'better-sqlite3';
import type { AlarmQuery } from '../clinical-store.js';
import type { JsonRow } from './rows.js';

type AlarmQueryParams = Record<string, string | number>;

/**
 * `listAlarms` statements, one per combination of filters a caller used (at most 32), each
 * prepared on first use: a statement per shape lets SQLite pick the patient, device or time index,
 * which a single statement with `(? IS NULL OR …)` terms would not.
 */
export class AlarmQueries {
  private readonly byShape = new Map<string, Statement<[AlarmQueryParams], JsonRow>>();

  constructor(private readonly db: Database) {}

  /** Alarms matching the query, newest raisedAt first (ties by id, descending). */
  run(query: AlarmQuery): JsonRow[] {
    const where: string[] = [];
    const params: AlarmQueryParams = { limit: query.limit };
    if (query.patientId !== undefined) {
      where.push('patient_id = @patientId');
      params['patientId'] = query.patientId;
    }
    if (query.deviceId !== undefined) {
      where.push('device_id = @deviceId');
      params['deviceId'] = query.deviceId;
    }
    if (query.states !== undefined) {
      where.push('state IN (SELECT value FROM json_each(@states))');
      params['states'] = JSON.stringify(query.states);
    }
    if (query.from !== undefined) {
      where.push('raised_at >= @from');
      params['from'] = query.from;
    }
    if (query.to !== undefined) {
      where.push('raised_at < @to');
      params['to'] = query.to;
    }
    const shape = where.join(' AND ');
    let statement = this.byShape.get(shape);
    if (statement === undefined) {
      statement = this.db.prepare<[AlarmQueryParams], JsonRow>(
        `SELECT id AS key, json FROM alarms ${shape === '' ? '' : `WHERE ${shape}`}
         ORDER BY raised_at DESC, id DESC LIMIT @limit`,
      );
      this.byShape.set(shape, statement);
    }
    return statement.all(params);
  }
}
