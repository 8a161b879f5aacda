import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server `.ci/run` starts: trust authentication for `postgres` on 127.0.0.1, database `test`. */
export const LOCAL_TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema for one test: adapters open on it; `drop()` removes it and everything in it. */
export interface TestSchema {
  readonly connectionString: string;
  readonly schema: string;
  drop(): Promise<void>;
}

/** A new, not yet created schema `ws_test_<random>` (adapters create it when they migrate). */
export function freshTestSchema(connectionString: string = LOCAL_TEST_POSTGRES_URL): TestSchema {
  const schema = `ws_test_${randomBytes(6).toString('hex')}`;
  return {
    connectionString,
    schema,
    async drop(): Promise<void> {
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
