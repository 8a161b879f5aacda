import { QualityFlag, WardstreamError, type CanonicalReading, type PatientId } from '@wardstream/domain';
import type { Pool } from 'pg';
import {
  AGGREGATE_EXCLUDED_FLAGS,
  type AggregateQuery,
  type Bucket,
  type RangePage,
  type RangeQuery,
  type Subject,
} from '../reading-store.js';
import { decodeCursor, encodeCursor } from '../sqlite/cursor.js';
import { checkWindow } from '../sqlite/store-checks.js';
import { quoteSchema } from './migrations.js';
import { RANGE_ORDER, READING_COLUMNS, subjectFilter, toReading, type ReadingRow } from './reading-rows.js';

const BUCKET_SIZES: ReadonlySet<number> = new Set([1_000, 60_000, 3_600_000]);

/**
 * The latest rule of the port, as one ORDER BY for DISTINCT ON: readings not flagged clockSkew
 * first, by observedAt; else by receivedAt; ties by range order, last wins.
 */
const LATEST_ORDER = `(quality & ${QualityFlag.clockSkew} = 0) DESC,
  CASE WHEN quality & ${QualityFlag.clockSkew} = 0 THEN observed_at ELSE received_at END DESC,
  observed_at DESC, device_id DESC, boot DESC, seq DESC`;

/** Range, latest and aggregate queries over the readings table. */
export class ReadingQueries {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly pageSizes: { readonly maxPageSize: number; readonly defaultPageSize: number },
  ) {
    this.s = quoteSchema(schema);
  }

  async range(query: RangeQuery): Promise<RangePage> {
    checkWindow(query.subject, query.fromAt, query.toAt);
    const limit = this.pageLimit(query.limit);
    const subject = subjectFilter(query.subject, 1);
    const params: unknown[] = [subject.id, query.fromAt, query.toAt, limit + 1];
    let where = `${subject.sql} AND observed_at >= $2::float8 AND observed_at < $3::float8`;
    if (query.code !== undefined) {
      params.push(query.code);
      where += ` AND code = $${params.length}`;
    }
    if (query.cursor !== undefined) {
      const key = decodeCursor(query.cursor);
      params.push(key.observedAt, key.deviceId, key.code, key.boot, key.seq);
      const n = params.length;
      where += ` AND (${RANGE_ORDER}) > ($${n - 4}::float8, $${n - 3}::text, $${n - 2}::text, $${n - 1}::text, $${n}::int8)`;
    }
    const result = await this.pool.query<ReadingRow>(
      `SELECT ${READING_COLUMNS} FROM ${this.s}.readings WHERE ${where} ORDER BY ${RANGE_ORDER} LIMIT $4`,
      params,
    );
    const readings = result.rows.slice(0, limit).map(toReading);
    const last = readings[readings.length - 1];
    return result.rows.length > limit && last !== undefined ? { readings, next: encodeCursor(last) } : { readings };
  }

  async latest(subject: Subject): Promise<CanonicalReading[]> {
    checkWindow(subject, 0, 0);
    const filter = subjectFilter(subject, 1);
    const result = await this.pool.query<ReadingRow>(
      `SELECT DISTINCT ON (code) ${READING_COLUMNS} FROM ${this.s}.readings WHERE ${filter.sql}
       ORDER BY code, ${LATEST_ORDER}`,
      [filter.id],
    );
    return result.rows.map(toReading);
  }

  async latestForPatients(patientIds: readonly PatientId[]): Promise<Map<PatientId, CanonicalReading[]>> {
    const out = new Map<PatientId, CanonicalReading[]>(patientIds.map((id) => [id, []]));
    if (patientIds.length === 0) return out;
    const result = await this.pool.query<ReadingRow>(
      `SELECT DISTINCT ON (patient_id, code) ${READING_COLUMNS} FROM ${this.s}.readings
       WHERE patient_id = ANY($1::text[])
       ORDER BY patient_id, code, ${LATEST_ORDER}`,
      [patientIds],
    );
    for (const row of result.rows) out.get(row.patient_id as PatientId)?.push(toReading(row));
    return out;
  }

  /**
   * Buckets in SQL. The mean is of the exact decimal sum (each value's shortest round-trip text),
   * divided at 400 decimal places and converted to double once.
   */
  async aggregate(query: AggregateQuery): Promise<Bucket[]> {
    checkWindow(query.subject, query.fromAt, query.toAt);
    if (!BUCKET_SIZES.has(query.bucketMs)) {
      throw new WardstreamError('INVALID_INPUT', `bucketMs must be 1000, 60000 or 3600000, got ${query.bucketMs}`);
    }
    const filter = subjectFilter(query.subject, 1);
    const kept = `quality & ${AGGREGATE_EXCLUDED_FLAGS} = 0`;
    const result = await this.pool.query<{
      start_at: number;
      count: string;
      excluded: string;
      min: number | null;
      max: number | null;
      mean: number | null;
    }>(
      `SELECT floor(observed_at / $5::float8) * $5::float8 AS start_at,
              count(*) FILTER (WHERE ${kept}) AS count,
              count(*) FILTER (WHERE NOT (${kept})) AS excluded,
              min(value) FILTER (WHERE ${kept}) AS min,
              max(value) FILTER (WHERE ${kept}) AS max,
              (round(sum(value::text::numeric) FILTER (WHERE ${kept}), 400)
                 / nullif(count(*) FILTER (WHERE ${kept}), 0))::float8 AS mean
       FROM ${this.s}.readings
       WHERE ${filter.sql} AND code = $2 AND observed_at >= $3::float8 AND observed_at < $4::float8
       GROUP BY 1 ORDER BY 1`,
      [filter.id, query.code, query.fromAt, query.toAt, query.bucketMs],
    );
    return result.rows.map((row) => ({
      startAt: row.start_at,
      count: Number(row.count),
      excluded: Number(row.excluded),
      min: row.min,
      max: row.max,
      mean: row.mean,
    }));
  }

  private pageLimit(limit: number | undefined): number {
    if (limit === undefined) return this.pageSizes.defaultPageSize;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new WardstreamError('INVALID_INPUT', `limit must be a positive integer, got ${limit}`);
    }
    return Math.min(limit, this.pageSizes.maxPageSize);
  }
}
