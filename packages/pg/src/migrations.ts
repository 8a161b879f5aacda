import { WardstreamError } from '@wardstream/domain';
import type { Pool } from 'pg';

/** One numbered step of a component's schema; `sql` gets the quoted schema name. Never edit a released one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (schema: string) => string;
}

/** Lower-case identifiers only, so a schema name never needs quoting rules beyond double quotes. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes a schema name already checked against `SCHEMA_NAME`. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new WardstreamError('INVALID_INPUT', `bad schema name ${schema}`);
  return `"${schema}"`;
}

/** What a migration run did, for the `wardstream migrate` report. */
export interface MigrationReport {
  readonly component: string;
  readonly schema: string;
  /** Versions applied by this run, in order. */
  readonly applied: readonly number[];
  /** The newest version the schema is at now. */
  readonly version: number;
}

/**
 * Brings one component's tables in `schema` up to its newest migration: each step in its own
 * transaction, recorded in `schema_migrations` under (component, version), under an advisory lock
 * so that processes starting at once apply each step once. Idempotent. Throws CONFLICT when the
 * schema holds a step of the component newer than this code (an older release must not write it).
 */
export async function migrateSchema(
  pool: Pool,
  schema: string,
  component: string,
  migrations: readonly Migration[],
): Promise<MigrationReport> {
  const s = quoteSchema(schema);
  const client = await pool.connect();
  const lockKey = `wardstream:${schema}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
           component text NOT NULL, version integer NOT NULL, name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`,
      );
      const done = await client.query<{ version: number }>(
        `SELECT version FROM ${s}.schema_migrations WHERE component = $1`,
        [component],
      );
      const applied = new Set(done.rows.map((r) => r.version));
      const newest = migrations[migrations.length - 1]?.version ?? 0;
      const ahead = [...applied].filter((v) => v > newest).sort((a, b) => a - b);
      if (ahead.length > 0) {
        throw new WardstreamError(
          'CONFLICT',
          `schema ${schema} holds ${component} migrations ${ahead.join(', ')}, newer than this release (${newest}): run the newer release`,
        );
      }
      const ran: number[] = [];
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql(s));
          await client.query(`INSERT INTO ${s}.schema_migrations (component, version, name) VALUES ($1, $2, $3)`, [
            component,
            m.version,
            m.name,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new WardstreamError(
            'UNAVAILABLE',
            `${component} migration ${m.version} (${m.name}) failed in schema ${schema}: ${(err as Error).message}`,
            { cause: err },
          );
        }
        ran.push(m.version);
      }
      return { component, schema, applied: ran, version: newest };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    client.release();
  }
}

/**
 * Checks the connection options every PostgreSQL adapter takes, adding each problem to `problems`
 * (so an adapter lists them with its own): a non-empty `connectionString`, a `schema` (default
 * `defaultSchema`) that `SCHEMA_NAME` accepts.
 */
export function checkConnectionOptions(
  options: { readonly connectionString?: unknown; readonly schema?: unknown },
  defaultSchema: string,
  problems: string[],
): { connectionString: string; schema: string } {
  const connectionString = options.connectionString;
  if (typeof connectionString !== 'string' || connectionString.trim() === '') {
    problems.push('connectionString must be a non-empty string');
  }
  const schema = options.schema ?? defaultSchema;
  const schemaOk = typeof schema === 'string' && SCHEMA_NAME.test(schema);
  if (!schemaOk) problems.push('schema must match [a-z_][a-z0-9_]{0,62}');
  return {
    connectionString: typeof connectionString === 'string' ? connectionString : '',
    schema: schemaOk ? schema : defaultSchema,
  };
}

/**
 * An optional whole-number option in 1..`max`: `fallback` when absent; when not such a number, a
 * problem named after it is added to `problems` and `fallback` returned (the adapter lists them all).
 */
export function intOption(value: unknown, name: string, fallback: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    problems.push(`${name} must be an integer in 1..${max}`);
    return fallback;
  }
  return value;
}
