import { WardstreamError } from '@wardstream/domain';
import pg from 'pg';

/** bigint columns hold epoch ms, always safe integers: read them as numbers, as SQLite hands them. */
const INT8_AS_NUMBER = new pg.TypeOverrides();
/** [PostgreSQL pg_type: int8 is OID 20] */
const INT8_OID = 20;
INT8_AS_NUMBER.setTypeParser(INT8_OID, (value: string) => Number(value));

/** The settings every connection of the registry uses, the pool's and the listener's alike. */
export function clientConfig(connectionString: string, applicationName: string): pg.ClientConfig {
  return { connectionString, application_name: applicationName, types: INT8_AS_NUMBER };
}

export function newPool(connectionString: string, applicationName: string, max: number): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(connectionString, applicationName), max });
  // An idle connection the server dropped: the pool discards it and the next query opens another.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATEs of a transaction the server gave up on, which succeeds when run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 3;

/**
 * Runs `body` in one READ COMMITTED transaction on a pooled connection, again (up to three times in
 * all) when the server aborts it for a deadlock or serialization failure; failures as `asError`.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  what: string,
  body: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(pool, body);
    } catch (err) {
      if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(err) ?? '')) continue;
      throw asError(what, err);
    }
  }
}

async function once<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Runs one statement outside a transaction; failures as `asError`. */
export async function query<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asError(what, err);
  }
}

/**
 * A WardstreamError as it is; a constraint the database enforced as the code the port promises
 * for it (a race the adapter's own checks lost); anything else — the server unreachable, a
 * connection lost — as UNAVAILABLE, the driver's error as `cause`.
 */
export function asError(what: string, err: unknown): WardstreamError {
  if (err instanceof WardstreamError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const message = `PostgreSQL registry: ${what} failed: ${detail}`;
  switch (sqlState(err)) {
    case '23505':
      return new WardstreamError('CONFLICT', message, { cause: err });
    case '23503':
      return new WardstreamError('NOT_FOUND', message, { cause: err });
    case '23514':
    case '22003':
      return new WardstreamError('INVALID_INPUT', message, { cause: err });
    case undefined:
    default:
      return new WardstreamError('UNAVAILABLE', message, { cause: err });
  }
}

function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
