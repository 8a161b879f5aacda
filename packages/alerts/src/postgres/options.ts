import { WardstreamError } from '@wardstream/domain';
import { checkConnectionOptions, intOption } from '@wardstream/pg';

/** How to reach PostgreSQL and where the clinical tables live. */
export interface PostgresClinicalStoreOptions {
  /** A libpq-style URL, e.g. `postgres://wardstream@db:5432/wardstream`. */
  readonly connectionString: string;
  /** Schema holding the tables (created when missing); default `wardstream`. */
  readonly schema?: string;
  /** Connections in the pool; default 4. */
  readonly poolSize?: number;
  /**
   * How long a call waits for PostgreSQL before throwing UNAVAILABLE; default 10,000 ms. Every call
   * blocks the calling thread until it answers or this passes (the port is synchronous).
   */
  readonly callTimeoutMs?: number;
}

export const DEFAULT_CLINICAL_SCHEMA = 'wardstream';
export const DEFAULT_CLINICAL_POOL_SIZE = 4;
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

export type CompiledClinicalOptions = Required<PostgresClinicalStoreOptions>;

const KNOWN: ReadonlySet<string> = new Set(['connectionString', 'schema', 'poolSize', 'callTimeoutMs']);

/** Applies the defaults and validates; throws `INVALID_INPUT` listing every problem at once. */
export function compileClinicalOptions(options: PostgresClinicalStoreOptions): CompiledClinicalOptions {
  const problems: string[] = [];
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) problems.push(`unknown option ${key}`);
  const int = (name: 'poolSize' | 'callTimeoutMs', fallback: number, max: number): number =>
    intOption(options[name], name, fallback, max, problems);
  const { connectionString, schema } = checkConnectionOptions(options, DEFAULT_CLINICAL_SCHEMA, problems);
  const compiled = {
    connectionString,
    schema,
    poolSize: int('poolSize', DEFAULT_CLINICAL_POOL_SIZE, 100),
    callTimeoutMs: int('callTimeoutMs', DEFAULT_CALL_TIMEOUT_MS, 600_000),
  };
  if (problems.length > 0) {
    throw new WardstreamError('INVALID_INPUT', `PostgresClinicalStore options: ${problems.join('; ')}`);
  }
  return compiled;
}
