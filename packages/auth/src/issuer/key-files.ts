import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `text` to a fresh temporary file beside `path` (created with `mode`) and fsyncs it, so a
 * reader never sees half a file: the caller then renames or links it into place.
 */
function writeTemp(path: string, text: string, mode: number): string {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** The rename of a file is durable only once its directory is synced (not possible on Windows). */
function syncDir(path: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` atomically: readers see the old content or the new, never a mix. */
export function replaceFile(path: string, text: string, mode: number): void {
  const temp = writeTemp(path, text, mode);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
  syncDir(path);
}

/**
 * Creates `path` with `text` unless it exists, atomically (a hard link fails on an existing name):
 * when two processes start at once, one key set wins and both use it. False when it existed.
 */
export function createFileOnce(path: string, text: string, mode: number): boolean {
  const temp = writeTemp(path, text, mode);
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
  syncDir(path);
  return true;
}
