// What every PostgreSQL adapter of the scaled-out shape shares (DESIGN 3.4).
export {
  checkConnectionOptions,
  intOption,
  migrateSchema,
  quoteSchema,
  SCHEMA_NAME,
  type Migration,
  type MigrationReport,
} from './migrations.js';
