import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadingStore } from '../reading-store.js';
import type { SqliteReadingStoreOptions } from './options.js';
import { SqliteReadingStore } from './sqlite-reading-store.js';

/** For tests: a temporary directory with stores opened on one file; cleanup closes what is left open. */
export async function tempStore(options: Partial<SqliteReadingStoreOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ws-store-'));
  const path = join(dir, 'readings.db');
  const open: SqliteReadingStore[] = [];
  return {
    path,
    async open(): Promise<SqliteReadingStore> {
      const store = await SqliteReadingStore.open({ path, flushIntervalMs: 60_000, compactIntervalMs: 0, ...options });
      open.push(store);
      return store;
    },
    crash(store: ReadingStore): Promise<void> {
      assert.ok(store instanceof SqliteReadingStore);
      return store.simulateCrash();
    },
    async cleanup(): Promise<void> {
      for (const store of open) await store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
