import { migrateSchema, type Migration, type MigrationReport } from '@wardstream/pg';
import type { Pool } from 'pg';

/**
 * The store's schema (DESIGN 3.4). Messages hold the idempotency key (deviceId, boot, seq): a
 * message is stored or skipped as a unit, whatever its observedAt, which the partitioned readings
 * table cannot enforce (a unique key there must include the partition key). Readings are
 * partitioned by day of observedAt (epoch ms, double precision: fractional ms are kept exactly);
 * partitions are created on demand before an insert (partitions.ts).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, readings by day, waveforms, checkpoint',
    sql: (s) => `
      CREATE TABLE ${s}.messages (
        device_id text COLLATE "C" NOT NULL,
        boot text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        patient_id text COLLATE "C",
        observed_at double precision NOT NULL,
        received_at double precision NOT NULL,
        PRIMARY KEY (device_id, boot, seq)
      );
      CREATE TABLE ${s}.readings (
        observed_at double precision NOT NULL,
        device_id text COLLATE "C" NOT NULL,
        code text COLLATE "C" NOT NULL,
        boot text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        patient_id text COLLATE "C",
        value double precision NOT NULL,
        unit text NOT NULL,
        received_at double precision NOT NULL,
        quality integer NOT NULL,
        UNIQUE (device_id, boot, seq, code, observed_at)
      ) PARTITION BY RANGE (observed_at);
      CREATE INDEX readings_patient_code_time ON ${s}.readings (patient_id, code, observed_at)
        WHERE patient_id IS NOT NULL;
      CREATE INDEX readings_patient_time ON ${s}.readings (patient_id, observed_at) WHERE patient_id IS NOT NULL;
      CREATE INDEX readings_device_code_time ON ${s}.readings (device_id, code, observed_at);
      CREATE INDEX readings_device_time ON ${s}.readings (device_id, observed_at);
      CREATE INDEX readings_unassigned ON ${s}.readings (device_id) WHERE patient_id IS NULL;
      CREATE TABLE ${s}.waveforms (
        device_id text COLLATE "C" NOT NULL,
        boot text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        code text COLLATE "C" NOT NULL,
        start_at double precision NOT NULL,
        end_at double precision NOT NULL,
        patient_id text COLLATE "C",
        unit text NOT NULL,
        fs_hz double precision NOT NULL,
        samples double precision[] NOT NULL,
        quality integer NOT NULL,
        PRIMARY KEY (device_id, boot, seq, code, start_at)
      );
      CREATE INDEX waveforms_patient_time ON ${s}.waveforms (patient_id, start_at) WHERE patient_id IS NOT NULL;
      CREATE INDEX waveforms_device_time ON ${s}.waveforms (device_id, start_at);
      CREATE TABLE ${s}.checkpoint (
        scope text COLLATE "C" PRIMARY KEY,
        epoch bigint NOT NULL DEFAULT 0,
        value json NOT NULL
      );`,
  },
];

export { quoteSchema } from '@wardstream/pg';

/** The component under which the reading store's steps are recorded in `schema_migrations`. */
export const READINGS_COMPONENT = 'readings';

/** Brings `schema` up to the reading store's newest migration (see `migrateSchema`). */
export function migrate(pool: Pool, schema: string): Promise<MigrationReport> {
  return migrateSchema(pool, schema, READINGS_COMPONENT, MIGRATIONS);
}
