import { nodeFileSystem, type LogFileHandle, type LogFileSystem } from './file-system.js';

function injected(code: string, operation: string, path: string): Error {
  return Object.assign(new Error(`${code}: injected fault, ${operation} '${path}'`), {
    code,
    syscall: operation,
    path,
  });
}

/**
 * A `LogFileSystem` for fault tests: while `writeFault` is set, every write stores half of its
 * bytes and then fails with that errno (a disk filling up mid-write); while `datasyncFault` is
 * set, every fdatasync fails. It also watches for fsyncgate: an fdatasync issued again on a
 * handle whose fdatasync failed is recorded in `fsyncRetries`, which must stay empty.
 */
export class FaultInjectingFileSystem implements LogFileSystem {
  writeFault: string | undefined;
  datasyncFault: string | undefined;
  readonly fsyncRetries: string[] = [];
  /** Failed operations, as "errno operation path". */
  readonly failures: string[] = [];

  constructor(private readonly inner: LogFileSystem = nodeFileSystem()) {}

  async open(path: string, flags: 'r' | 'r+' | 'w+'): Promise<LogFileHandle> {
    const handle = await this.inner.open(path, flags);
    let syncFailed = false;
    return {
      read: (buffer, position) => handle.read(buffer, position),
      write: async (data, position) => {
        const code = this.writeFault;
        if (code === undefined) return handle.write(data, position);
        await handle.write(data.subarray(0, data.length >> 1), position);
        this.failures.push(`${code} write ${path}`);
        throw injected(code, 'write', path);
      },
      datasync: async () => {
        if (syncFailed) this.fsyncRetries.push(path);
        const code = this.datasyncFault;
        if (code === undefined) return handle.datasync();
        syncFailed = true;
        this.failures.push(`${code} fdatasync ${path}`);
        throw injected(code, 'fdatasync', path);
      },
      truncate: (length) => handle.truncate(length),
      size: () => handle.size(),
      close: () => handle.close(),
    };
  }

  mkdir(path: string): Promise<void> {
    return this.inner.mkdir(path);
  }

  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.inner.readFile(path);
  }

  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return this.inner.unlink(path);
  }

  syncDirectory(path: string): Promise<void> {
    return this.inner.syncDirectory(path);
  }
}
