import { WardstreamError } from '@wardstream/domain';
import type { Pool } from 'pg';

/** One numbered step of the schema; `sql` gets the quoted schema name. Never edit a released one. */
interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (s: string) => string;
}

/**
 * The store's schema (DESIGN 3.4). Messages hold the idempotency key (deviceId, boot, seq): a
 * message is stored or skipped as a unit, whatever its observedAt, which the partitioned readings
 * table cannot enforce (a unique key there must include the partition key). Readings are
 * partitioned by day of observedAt (epoch ms, double precision: fractional ms are kept exactly);
 * partitions are created on demand before an insert (partitions.ts).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, readings by day, waveforms, checkpoint',
    sql: (s) => `
      CREATE TABLE ${s}.messages (
        device_id text COLLATE "C" NOT NULL,
        boot text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        patient_id text COLLATE "C",
        observed_at double precision NOT NULL,
        received_at double precision NOT NULL,
        PRIMARY KEY (device_id, boot, seq)
      );
      CREATE TABLE ${s}.readings (
        observed_at double precision NOT NULL,
        device_id text COLLATE "C" NOT NULL,
        code text COLLATE "C" NOT NULL,
        boot text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        patient_id text COLLATE "C",
        value double precision NOT NULL,
        unit text NOT NULL,
        received_at double precision NOT NULL,
        quality integer NOT NULL,
        UNIQUE (device_id, boot, seq, code, observed_at)
      ) PARTITION BY RANGE (observed_at);
      CREATE INDEX readings_patient_code_time ON ${s}.readings (patient_id, code, observed_at)
        WHERE patient_id IS NOT NULL;
      CREATE INDEX readings_patient_time ON ${s}.readings (patient_id, observed_at) WHERE patient_id IS NOT NULL;
      CREATE INDEX readings_device_code_time ON ${s}.readings (device_id, code, observed_at);
      CREATE INDEX readings_device_time ON ${s}.readings (device_id, observed_at);
      CREATE INDEX readings_unassigned ON ${s}.readings (device_id) WHERE patient_id IS NULL;
      CREATE TABLE ${s}.waveforms (
        device_id text COLLATE "C" NOT NULL,
        boot text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        code text COLLATE "C" NOT NULL,
        start_at double precision NOT NULL,
        end_at double precision NOT NULL,
        patient_id text COLLATE "C",
        unit text NOT NULL,
        fs_hz double precision NOT NULL,
        samples double precision[] NOT NULL,
        quality integer NOT NULL,
        PRIMARY KEY (device_id, boot, seq, code, start_at)
      );
      CREATE INDEX waveforms_patient_time ON ${s}.waveforms (patient_id, start_at) WHERE patient_id IS NOT NULL;
      CREATE INDEX waveforms_device_time ON ${s}.waveforms (device_id, start_at);
      CREATE TABLE ${s}.checkpoint (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        value json NOT NULL
      );`,
  },
];

/** Quotes a schema name already checked by `compilePostgresOptions`. */
export function quoteSchema(schema: string): string {
  return `"${schema}"`;
}

/**
 * Brings `schema` up to the newest migration: each in its own transaction, under an advisory lock
 * so two processes opening at once apply each step once. Idempotent. Returns the versions applied.
 * Throws CONFLICT when the schema is newer than this code.
 */
export async function migrate(pool: Pool, schema: string): Promise<number[]> {
  const s = quoteSchema(schema);
  const client = await pool.connect();
  const lockKey = `wardstream-store:${schema}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
      const applied = new Set(done.rows.map((r) => r.version));
      const newest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
      const ahead = [...applied].filter((v) => v > newest);
      if (ahead.length > 0) {
        throw new WardstreamError(
          'CONFLICT',
          `schema ${schema} has migrations ${ahead.join(', ')}, newer than this code`,
        );
      }
      const ran: number[] = [];
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql(s));
          await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        ran.push(m.version);
      }
      return ran;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    client.release();
  }
}
