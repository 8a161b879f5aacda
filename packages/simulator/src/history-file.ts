import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { formatHistoryLine, parseHistoryLine, type HistoryEvent, type HistorySink } from './history.js';

/**
 * An append-only JSON-lines history file. `record` buffers in memory; `flush` appends the buffer (the
 * caller flushes regularly, e.g. every 200 ms); `close` flushes, fsyncs and closes. A failed write
 * rejects the `flush` or `close` that made it, and every later one.
 */
export class JsonlHistoryFile implements HistorySink {
  private buffer: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens `path` for appending (created if absent; an existing history is extended, never truncated). */
  static async open(path: string): Promise<JsonlHistoryFile> {
    return new JsonlHistoryFile(path, await open(path, 'a'));
  }

  record(event: HistoryEvent): void {
    if (this.closed) throw new Error(`history ${this.path} is closed`);
    this.buffer.push(formatHistoryLine(event));
  }

  /** Appends everything recorded so far. */
  flush(): Promise<void> {
    if (this.buffer.length > 0) {
      const text = this.buffer.join('\n') + '\n';
      this.buffer = [];
      this.writing = this.writing.then(async () => {
        if (this.failure !== undefined) return;
        try {
          await this.handle.appendFile(text, 'utf8');
        } catch (err) {
          this.failure = new Error(`cannot write the history ${this.path}: ${(err as Error).message}`, { cause: err });
        }
      });
    }
    return this.writing.then(() => {
      if (this.failure !== undefined) throw this.failure;
    });
  }

  /** Flushes, makes the file durable (fsync) and closes it. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
      await this.handle.sync();
    } finally {
      this.closed = true;
      await this.handle.close();
    }
  }
}

/**
 * Reads a history file. A final line without its newline that does not parse is ignored: it is an
 * append cut short by a crash. Any other bad line throws HistoryFormatError with its line number.
 */
export async function readHistory(path: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let pending: { text: string; line: number } | undefined;
  let line = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    if (pending !== undefined) events.push(parseHistoryLine(pending.text, pending.line));
    pending = text.trim() === '' ? undefined : { text, line };
  }
  if (pending !== undefined) {
    try {
      events.push(parseHistoryLine(pending.text, pending.line));
    } catch (err) {
      if (!(await endsWithNewline(path))) return events;
      throw err;
    }
  }
  return events;
}

async function endsWithNewline(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}
