import type { Pool } from 'pg';
import { quoteSchema } from './migrations.js';

const DAY_MS = 86_400_000;

/**
 * Creates the daily partitions of `readings` that `observedAts` fall in, before an insert.
 * Remembers what it made so a steady stream costs no DDL; an empty partition left by a write that
 * rolled back is harmless. Runs under a transaction-scoped advisory lock so two writers cannot
 * race on one partition.
 */
export class DailyPartitions {
  private readonly known = new Set<number>();

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  async ensure(observedAts: Iterable<number>): Promise<void> {
    const missing = new Set<number>();
    for (const at of observedAts) {
      const day = Math.floor(at / DAY_MS);
      if (!this.known.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    const s = quoteSchema(this.schema);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wardstream-store:${this.schema}:partitions`]);
      for (const day of missing) {
        const name = `readings_d${day < 0 ? `m${-day}` : day}`;
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${s}.${name} PARTITION OF ${s}.readings
             FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`,
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    for (const day of missing) this.known.add(day);
  }
}
