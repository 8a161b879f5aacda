import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { StoreFactory } from '../contract/context.js';
import type { ReadingStore } from '../reading-store.js';
import { PostgresReadingStore } from './postgres-reading-store.js';

/** The server `.ci/run` starts: trust authentication for `postgres` on 127.0.0.1, database `test`. */
export const LOCAL_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * For tests: a fresh schema `ws_test_<random>` that stores are opened on (a reopen is a new pool
 * on the same schema); cleanup closes what is left open and drops the schema.
 */
export function testSchema(connectionString: string = LOCAL_TEST_POSTGRES_URL): StoreFactory & { schema: string } {
  const schema = `ws_test_${randomBytes(6).toString('hex')}`;
  const open: PostgresReadingStore[] = [];
  return {
    schema,
    async open(): Promise<PostgresReadingStore> {
      const store = await PostgresReadingStore.open({ connectionString, schema });
      open.push(store);
      return store;
    },
    // Each write() commits its records and checkpoint in one transaction before it resolves.
    durableOnWrite: true,
    crash(store: ReadingStore): Promise<void> {
      assert.ok(store instanceof PostgresReadingStore);
      return store.simulateCrash();
    },
    async cleanup(): Promise<void> {
      for (const store of open) await store.close().catch(() => undefined);
      const client = new pg.Client({ connectionString });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
