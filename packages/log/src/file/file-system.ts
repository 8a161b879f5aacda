import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * The file operations the log needs, and nothing more: a port so that tests can make writes fail
 * with ENOSPC or fsyncs with EIO. Every call is asynchronous (the log never blocks the event
 * loop on a file) and fails with the node error (`code` set to the errno name).
 */
export interface LogFileSystem {
  /** 'r' reads; 'r+' reads and writes an existing file; 'w+' creates or empties a file. */
  open(path: string, flags: 'r' | 'r+' | 'w+'): Promise<LogFileHandle>;
  /** Creates the directory and its parents; succeeds when it exists. */
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  /** The whole file; fails with code ENOENT when it does not exist. */
  readFile(path: string): Promise<Uint8Array>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsyncs a directory, making the creation, renaming or removal of its entries durable. */
  syncDirectory(path: string): Promise<void>;
}

/** An open file. Positions and lengths are in bytes. */
export interface LogFileHandle {
  /** Fills `buffer` from `position` as far as the file goes; resolves the bytes read (0 at the end). */
  read(buffer: Uint8Array, position: number): Promise<number>;
  /** Writes all of `data` at `position`. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** fdatasync: the data written so far is on stable storage when this resolves. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

class NodeFileHandle implements LogFileHandle {
  constructor(private readonly handle: FileHandle) {}

  async read(buffer: Uint8Array, position: number): Promise<number> {
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await this.handle.read(buffer, filled, buffer.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled;
  }

  async write(data: Uint8Array, position: number): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.handle.write(data, written, data.length - written, position + written);
      written += bytesWritten;
    }
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The real file system (node:fs/promises). */
export function nodeFileSystem(): LogFileSystem {
  return {
    open: async (path, flags) => new NodeFileHandle(await open(path, flags)),
    mkdir: async (path) => {
      await mkdir(path, { recursive: true });
    },
    readdir: (path) => readdir(path),
    readFile: (path) => readFile(path),
    rename: (from, to) => rename(from, to),
    unlink: (path) => unlink(path),
    syncDirectory: async (path) => {
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}

/** The errno name of a node file-system error (`ENOSPC`, `EIO`…), or undefined. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
