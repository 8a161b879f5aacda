import { GENESIS_HASH } from '@wardstream/auth';
import { migrateSchema, type Migration, type MigrationReport } from '@wardstream/pg';
import type { Pool } from 'pg';

/**
 * The tables of `PostgresClinicalStore`, the same as `SqliteClinicalStore`'s (sqlite/schema.ts):
 * instants are bigint epoch ms; each row keeps its record as `body`, of type json (the text as
 * written: jsonb would reorder object keys, and records must read back as written), and the other
 * columns are what the queries filter and sort on. Text keys use the "C" collation so that ties
 * sort by code point, as in SQLite.
 *
 * The schema is shared with the other components (default `wardstream`), so the names say whose
 * they are:
 *
 * alarms, alarm_events, scores, ecg_metrics   as in SQLite.
 * charted_observations, engine_checkpoint     SQLite's `charted` and `checkpoint`.
 * alarm_rule_sets    SQLite's `rule_sets`, but `body` holds the set without its version: the
 *                    `version` column is the truth, so an update can bump it in one statement.
 * audit_entries      the trail with its hash chain (`@wardstream/auth` audit-chain). `audit_head`
 *                    is the one row holding the last seq and hash: an append updates it in its
 *                    transaction, so concurrent appenders (several API processes) queue on its
 *                    row lock and seqs are gap-free and strictly increasing.
 * audit_checkpoints  signed (seq, hash) of the chain (SQLite's `audit_checkpoint`).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'alarms, events, scores, ECG metrics, charted, rule sets, audit chain, checkpoint',
    sql: (s) => `
      CREATE TABLE ${s}.alarms (
        id text COLLATE "C" PRIMARY KEY,
        patient_id text COLLATE "C",
        device_id text COLLATE "C",
        state text COLLATE "C" NOT NULL,
        raised_at bigint NOT NULL,
        version bigint NOT NULL,
        body json NOT NULL
      );
      CREATE INDEX alarms_by_raised ON ${s}.alarms (raised_at, id);
      CREATE INDEX alarms_by_patient ON ${s}.alarms (patient_id, raised_at, id) WHERE patient_id IS NOT NULL;
      CREATE INDEX alarms_by_device ON ${s}.alarms (device_id, raised_at, id) WHERE device_id IS NOT NULL;
      CREATE INDEX alarms_open ON ${s}.alarms (raised_at, id) WHERE state <> 'resolved';
      CREATE TABLE ${s}.alarm_events (
        event_id text COLLATE "C" PRIMARY KEY,
        alarm_id text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        type text NOT NULL,
        at bigint NOT NULL,
        "by" text NOT NULL,
        body json NOT NULL
      );
      CREATE INDEX alarm_events_by_alarm ON ${s}.alarm_events (alarm_id, seq);
      CREATE INDEX alarm_events_by_at ON ${s}.alarm_events (at, alarm_id, seq);
      CREATE TABLE ${s}.scores (
        patient_id text COLLATE "C" NOT NULL,
        score text COLLATE "C" NOT NULL,
        at bigint NOT NULL,
        body json NOT NULL,
        PRIMARY KEY (patient_id, score, at)
      );
      CREATE TABLE ${s}.ecg_metrics (
        device_id text COLLATE "C" NOT NULL,
        code text COLLATE "C" NOT NULL,
        at bigint NOT NULL,
        patient_id text COLLATE "C",
        body json NOT NULL,
        PRIMARY KEY (device_id, code, at)
      );
      CREATE INDEX ecg_metrics_by_device ON ${s}.ecg_metrics (device_id, at, code);
      CREATE INDEX ecg_metrics_by_patient ON ${s}.ecg_metrics (patient_id, at, device_id, code)
        WHERE patient_id IS NOT NULL;
      CREATE TABLE ${s}.charted_observations (
        id text COLLATE "C" PRIMARY KEY,
        patient_id text COLLATE "C" NOT NULL,
        observed_at bigint NOT NULL,
        body json NOT NULL
      );
      CREATE INDEX charted_observations_by_patient ON ${s}.charted_observations (patient_id, observed_at, id);
      CREATE TABLE ${s}.alarm_rule_sets (
        scope_key text COLLATE "C" PRIMARY KEY,
        version bigint NOT NULL CHECK (version >= 1),
        updated_at bigint NOT NULL,
        updated_by text NOT NULL,
        body json NOT NULL
      );
      CREATE TABLE ${s}.audit_entries (
        seq bigint PRIMARY KEY,
        at bigint NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        subject text COLLATE "C" NOT NULL,
        body json NOT NULL,
        hash text NOT NULL
      );
      CREATE TABLE ${s}.audit_head (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        seq bigint NOT NULL,
        hash text NOT NULL
      );
      INSERT INTO ${s}.audit_head (seq, hash) VALUES (0, '${GENESIS_HASH}');
      CREATE TABLE ${s}.audit_checkpoints (
        seq bigint PRIMARY KEY,
        hash text NOT NULL,
        at bigint NOT NULL,
        signature text NOT NULL
      );
      CREATE TABLE ${s}.engine_checkpoint (
        scope text COLLATE "C" PRIMARY KEY,
        epoch bigint NOT NULL DEFAULT 0,
        saved_at bigint NOT NULL,
        body json NOT NULL
      );`,
  },
];

/** The component under which the clinical store's steps are recorded in `schema_migrations`. */
export const CLINICAL_COMPONENT = 'clinical';

/** Brings `schema` up to the clinical store's newest migration (see `migrateSchema`). */
export function migrate(pool: Pool, schema: string): Promise<MigrationReport> {
  return migrateSchema(pool, schema, CLINICAL_COMPONENT, MIGRATIONS);
}
