import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRegistryContract } from '../contract.js';
import { SqliteRegistry } from './sqlite-registry.js';

describeRegistryContract('SqliteRegistry', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ws-registry-'));
  return {
    open: () => SqliteRegistry.open({ path: join(dir, 'registry.db') }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
