import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PkiError } from './errors.js';

/**
 * Replaces `path` so that a reader (another process, or this one after a crash) sees the old
 * content or the new, never a part: write a temporary file beside it, fsync, rename over, fsync the
 * directory so the rename itself survives a power cut.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(tmp, 'wx', mode);
  try {
    await file.writeFile(data);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await file.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDir(dirname(path));
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A lock older than this was left by a process that died: every holder is done in milliseconds. */
const STALE_LOCK_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

/**
 * Runs `fn` holding `<dir>/.lock`, so that the platform (enrollment) and `wardstream certs` (another
 * process) never both read-modify-write the inventory and lose an issue or a revocation. The lock
 * is a file created with O_EXCL; one older than 30 s is taken over.
 */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lockPath = `${dir}/.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(lockPath).catch(() => null);
      if (held !== null && Date.now() - held.mtimeMs > STALE_LOCK_MS) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new PkiError('lock-timeout', `the CA directory ${dir} is locked by another process (${lockPath})`);
      }
      await sleep(Math.min(100, 5 * 2 ** Math.min(attempt, 5)));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
