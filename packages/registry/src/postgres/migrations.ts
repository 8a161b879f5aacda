import { createHash } from 'node:crypto';
import { migrateSchema, type Migration, type MigrationReport } from '@wardstream/pg';
import type { Pool } from 'pg';

/**
 * The registry's tables, the same columns as the SQLite adapter's (`../sqlite/schema.ts`), so the
 * same row mappers serve both. Instants are bigint epoch ms; ids sort in byte order (COLLATE "C"),
 * as SQLite's do.
 *
 * No two bindings of a device may overlap. Every write of a binding first locks its device's row
 * (`SELECT … FOR UPDATE`), so writers of one device take turns and each checks against what the
 * previous one committed; the partial unique index `bindings_one_open` is the backstop the
 * database itself enforces (one open binding per device), whatever the code does. An exclusion
 * constraint over time ranges would say the whole rule, but needs the btree_gist extension, which
 * a managed or locked-down server may not offer.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'patients, devices with zero-touch enrollment, bindings',
    sql: (s) => `
      CREATE TABLE ${s}.patients (
        id text COLLATE "C" PRIMARY KEY,
        display_name text,
        ward_id text COLLATE "C",
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE INDEX patients_ward ON ${s}.patients (ward_id, id);
      CREATE TABLE ${s}.devices (
        id text COLLATE "C" PRIMARY KEY,
        model text,
        created_at bigint NOT NULL,
        last_connected_at bigint,
        enrollment text CHECK (enrollment IN ('pending', 'approved', 'rejected')),
        enrolled_at bigint,
        manufacturer text,
        bootstrap_serial text,
        decided_by text,
        decided_at bigint,
        decision_reason text,
        CHECK (enrollment IS NULL OR (enrolled_at IS NOT NULL AND manufacturer IS NOT NULL
          AND bootstrap_serial IS NOT NULL)),
        CHECK ((decided_by IS NULL) = (decided_at IS NULL))
      );
      CREATE INDEX devices_enrollment ON ${s}.devices (enrollment, enrolled_at, id) WHERE enrollment IS NOT NULL;
      CREATE TABLE ${s}.bindings (
        id text COLLATE "C" PRIMARY KEY,
        device_id text COLLATE "C" NOT NULL REFERENCES ${s}.devices (id),
        patient_id text COLLATE "C" NOT NULL REFERENCES ${s}.patients (id),
        from_at bigint NOT NULL,
        to_at bigint,
        CHECK (to_at IS NULL OR to_at >= from_at)
      );
      CREATE UNIQUE INDEX bindings_one_open ON ${s}.bindings (device_id) WHERE to_at IS NULL;
      CREATE INDEX bindings_device ON ${s}.bindings (device_id, from_at);
      CREATE INDEX bindings_patient ON ${s}.bindings (patient_id, from_at);`,
  },
];

/** The component under which the registry's steps are recorded in `schema_migrations`. */
export const REGISTRY_COMPONENT = 'registry';

/** Brings `schema` up to the registry's newest migration (see `migrateSchema`). */
export function migrate(pool: Pool, schema: string): Promise<MigrationReport> {
  return migrateSchema(pool, schema, REGISTRY_COMPONENT, MIGRATIONS);
}

/** Longest channel name PostgreSQL accepts (NAMEDATALEN − 1 bytes). */
const MAX_CHANNEL_BYTES = 63;

/**
 * The NOTIFY channel of a schema's registry changes: `<schema>.registry`, or a digest of the
 * schema when that would be too long for a channel name.
 */
export function changeChannel(schema: string): string {
  const plain = `${schema}.registry`;
  if (plain.length <= MAX_CHANNEL_BYTES) return plain;
  return `registry.${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}
