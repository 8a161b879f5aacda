import { PostgresClinicalStore } from '@wardstream/alerts/postgres';
import type { MigrationReport } from '@wardstream/pg';
import { PostgresRegistry } from '@wardstream/registry/postgres';
import { PostgresReadingStore } from '@wardstream/store/postgres';

/**
 * Brings every table of the scaled-out shape up to this release: registry, readings, clinical.
 * Each component's steps run under the schema's advisory lock, so roles starting at the same time
 * (which migrate too) and this command apply each step once. Idempotent.
 */
export async function migrateAll(connectionString: string, schema: string): Promise<MigrationReport[]> {
  return [
    await PostgresRegistry.migrate({ connectionString, schema }),
    await PostgresReadingStore.migrate({ connectionString, schema }),
    await PostgresClinicalStore.migrate({ connectionString, schema }),
  ];
}
