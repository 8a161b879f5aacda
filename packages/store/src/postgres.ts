// The PostgreSQL reading store, for the scaled-out shape: a subpath of its own
// (`@wardstream/store/postgres`), so the embedded platform never loads the pg driver.
export { PostgresReadingStore, DEFAULT_CHECKPOINT_SCOPE } from './postgres/postgres-reading-store.js';
export {
  type PostgresReadingStoreOptions,
  PostgresStoreOptionsError,
  DEFAULT_PG_SCHEMA,
  DEFAULT_PG_POOL_SIZE,
  DEFAULT_PG_MAX_PAGE_SIZE,
  DEFAULT_PG_PAGE_SIZE,
} from './postgres/options.js';
