import { WardstreamError } from '@wardstream/domain';
import { checkConnectionOptions, intOption } from '@wardstream/pg';

/** How to reach PostgreSQL and where the store's tables live. */
export interface PostgresReadingStoreOptions {
  /** A libpq-style URL, e.g. `postgres://wardstream@db:5432/wardstream`. */
  readonly connectionString: string;
  /** Schema holding every table of the store (created when missing); default `wardstream`. */
  readonly schema?: string;
  /** Connections in the pool; default 4. */
  readonly poolSize?: number;
  /** Largest page `range` returns; default 10,000. */
  readonly maxPageSize?: number;
  /** Page size when a query names none; default 1,000. */
  readonly defaultPageSize?: number;
}

export const DEFAULT_PG_SCHEMA = 'wardstream';
export const DEFAULT_PG_POOL_SIZE = 4;
export const DEFAULT_PG_MAX_PAGE_SIZE = 10_000;
export const DEFAULT_PG_PAGE_SIZE = 1_000;

export interface CompiledPostgresOptions {
  readonly connectionString: string;
  readonly schema: string;
  readonly poolSize: number;
  readonly maxPageSize: number;
  readonly defaultPageSize: number;
}

export class PostgresStoreOptionsError extends WardstreamError {
  constructor(readonly problems: readonly string[]) {
    super('INVALID_INPUT', `invalid PostgresReadingStore options: ${problems.join('; ')}`);
    this.name = 'PostgresStoreOptionsError';
  }
}

/** Applies defaults and validates; throws `PostgresStoreOptionsError` listing every problem at once. */
export function compilePostgresOptions(options: PostgresReadingStoreOptions): CompiledPostgresOptions {
  const problems: string[] = [];
  const known = new Set(['connectionString', 'schema', 'poolSize', 'maxPageSize', 'defaultPageSize']);
  for (const key of Object.keys(options)) if (!known.has(key)) problems.push(`unknown option ${key}`);
  const int = (name: 'poolSize' | 'maxPageSize' | 'defaultPageSize', fallback: number, max: number): number =>
    intOption(options[name], name, fallback, max, problems);
  const { connectionString, schema } = checkConnectionOptions(options, DEFAULT_PG_SCHEMA, problems);
  const compiled = {
    connectionString,
    schema,
    poolSize: int('poolSize', DEFAULT_PG_POOL_SIZE, 100),
    maxPageSize: int('maxPageSize', DEFAULT_PG_MAX_PAGE_SIZE, 100_000),
    defaultPageSize: int('defaultPageSize', DEFAULT_PG_PAGE_SIZE, 100_000),
  };
  if (problems.length > 0) throw new PostgresStoreOptionsError(problems);
  return compiled;
}
