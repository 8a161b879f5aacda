// The worker thread of `PostgresClinicalStore`: owns the `pg` pool and answers the store's requests
// (protocol.ts) with the SQL of alarm-sql.ts, record-sql.ts and audit-sql.ts.
import { WardstreamError } from '@wardstream/domain';
import { quoteSchema } from '@wardstream/pg';
import pg from 'pg';
import { alarmHandlers } from './alarm-sql.js';
import { auditHandlers } from './audit-sql.js';
import { migrate } from './migrations.js';
import type { CompiledClinicalOptions } from './options.js';
import type { ClinicalProtocol } from './protocol.js';
import { recordHandlers } from './record-sql.js';
import { bridgeWorkerData, serveSyncBridge } from './sync-bridge.js';

/** What the store hands its worker. */
export interface ClinicalWorkerData {
  readonly options: CompiledClinicalOptions;
  readonly applicationName: string;
}

const { options, applicationName } = bridgeWorkerData() as ClinicalWorkerData;
const pool = new pg.Pool({
  connectionString: options.connectionString,
  max: options.poolSize,
  application_name: applicationName,
  // Nothing waits longer than the caller does: a call that timed out must not leave work queued.
  connectionTimeoutMillis: options.callTimeoutMs,
  query_timeout: options.callTimeoutMs,
});
// An idle connection the server dropped: the pool discards it and the next query opens another.
pool.on('error', () => undefined);

const s = quoteSchema(options.schema);
serveSyncBridge<ClinicalProtocol>(
  {
    migrate: () => migrate(pool, options.schema),
    ...alarmHandlers(pool, s),
    ...recordHandlers(pool, s),
    ...auditHandlers(pool, s),
  },
  { close: () => pool.end(), failure },
);

/**
 * A failure as the store reports it: its own errors as they are; PostgreSQL refusing a value
 * (SQLSTATE class 22, e.g. a NUL character in a text) as INVALID_INPUT; anything else (no
 * connection, a timeout, the server shutting down) as UNAVAILABLE, with PostgreSQL's message.
 */
function failure(request: string, err: unknown): WardstreamError {
  if (err instanceof WardstreamError) return err;
  const sqlState = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : '';
  const detail =
    err instanceof AggregateError && err.message === ''
      ? err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ')
      : err instanceof Error
        ? err.message
        : String(err);
  const code = sqlState.startsWith('22') ? 'INVALID_INPUT' : 'UNAVAILABLE';
  const state = sqlState === '' ? '' : ` (${sqlState})`;
  return new WardstreamError(code, `PostgreSQL clinical store ${options.schema}: ${request} failed: ${detail}${state}`);
}
