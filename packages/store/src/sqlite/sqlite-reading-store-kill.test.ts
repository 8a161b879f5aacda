import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkpointAt, expectedReadings, readDevice, T0, testRecord } from '../contract/records.js';
import { SqliteReadingStore } from './sqlite-reading-store.js';

const batch = (first: number) =>
  Array.from({ length: 50 }, (_, i) => testRecord({ seq: first + i, observedAt: T0 + (first + i) * 1_000 }));

/** What the child runs: flush one batch, write another, then SIGKILL itself. */
const CHILD = `
const { SqliteReadingStore } = await import(process.env.STORE_MODULE);
const { testRecord, checkpointAt, T0 } = await import(process.env.RECORDS_MODULE);
const batch = (first) => Array.from({ length: 50 }, (_, i) => testRecord({ seq: first + i, observedAt: T0 + (first + i) * 1_000 }));
const store = await SqliteReadingStore.open({ path: process.env.STORE_PATH, flushIntervalMs: 60_000, compactIntervalMs: 0 });
await store.write(batch(1), checkpointAt(1));
await store.flush();
await store.write(batch(51), checkpointAt(2));
process.kill(process.pid, 'SIGKILL');
`;

test('after a real kill -9, the store holds exactly what its checkpoint covers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ws-store-kill-'));
  const path = join(dir, 'readings.db');
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: {
      ...process.env,
      STORE_PATH: path,
      STORE_MODULE: new URL('./sqlite-reading-store.js', import.meta.url).href,
      RECORDS_MODULE: new URL('../contract/records.js', import.meta.url).href,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
  assert.equal(signal, 'SIGKILL');

  const store = await SqliteReadingStore.open({ path, compactIntervalMs: 0 });
  assert.deepEqual(await store.checkpoint(), checkpointAt(1));
  assert.deepEqual(await readDevice(store, 'dev-1'), expectedReadings(batch(1)));
  assert.deepEqual(await store.write([...batch(1), ...batch(51)], checkpointAt(2)), {
    stored: 50,
    duplicates: 50,
    readings: 50,
  });
  await store.close();
  await rm(dir, { recursive: true, force: true });
});
