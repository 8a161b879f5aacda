import { WardstreamError } from '@wardstream/domain';
import { checkConnectionOptions, intOption } from '@wardstream/pg';

/** How to reach PostgreSQL and where the registry's tables live. */
export interface PostgresRegistryOptions {
  /** A libpq-style URL, e.g. `postgres://wardstream@db:5432/wardstream`. */
  readonly connectionString: string;
  /** Schema holding the registry's tables (created when missing); default `wardstream`. */
  readonly schema?: string;
  /** Connections in the pool, besides the one that listens for changes; default 4. */
  readonly poolSize?: number;
}

export const DEFAULT_REGISTRY_SCHEMA = 'wardstream';
export const DEFAULT_REGISTRY_POOL_SIZE = 4;
const MAX_POOL_SIZE = 100;

export interface CompiledRegistryOptions {
  readonly connectionString: string;
  readonly schema: string;
  readonly poolSize: number;
}

/** Options `PostgresRegistry` refused, every problem listed. */
export class PostgresRegistryOptionsError extends WardstreamError {
  constructor(readonly problems: readonly string[]) {
    super('INVALID_INPUT', `invalid PostgresRegistry options: ${problems.join('; ')}`);
    this.name = 'PostgresRegistryOptionsError';
  }
}

/** Applies defaults and validates; throws `PostgresRegistryOptionsError` listing every problem at once. */
export function compileRegistryOptions(options: PostgresRegistryOptions): CompiledRegistryOptions {
  const problems: string[] = [];
  const known = new Set(['connectionString', 'schema', 'poolSize']);
  for (const key of Object.keys(options)) if (!known.has(key)) problems.push(`unknown option ${key}`);
  const { connectionString, schema } = checkConnectionOptions(options, DEFAULT_REGISTRY_SCHEMA, problems);
  const poolSize = intOption(options.poolSize, 'poolSize', DEFAULT_REGISTRY_POOL_SIZE, MAX_POOL_SIZE, problems);
  if (problems.length > 0) throw new PostgresRegistryOptionsError(problems);
  return { connectionString, schema, poolSize };
}
