// The PostgreSQL clinical store (the scaled-out shape), apart from the embedded build so that
// `@wardstream/alerts` alone loads no PostgreSQL client.
export { PostgresClinicalStore, type PostgresClinicalStoreOptions } from './postgres/postgres-clinical-store.js';
export { DEFAULT_CALL_TIMEOUT_MS, DEFAULT_CLINICAL_POOL_SIZE, DEFAULT_CLINICAL_SCHEMA } from './postgres/options.js';
export { CLINICAL_COMPONENT, MIGRATIONS as CLINICAL_MIGRATIONS } from './postgres/migrations.js';
