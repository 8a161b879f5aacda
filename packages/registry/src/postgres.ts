// The PostgreSQL registry, for the scaled-out shape: a subpath of its own
// (`@wardstream/registry/postgres`), so the embedded platform never loads the pg driver.
export { PostgresRegistry } from './postgres/postgres-registry.js';
export {
  type PostgresRegistryOptions,
  PostgresRegistryOptionsError,
  DEFAULT_REGISTRY_SCHEMA,
  DEFAULT_REGISTRY_POOL_SIZE,
} from './postgres/options.js';
