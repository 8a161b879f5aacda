import { join } from 'node:path';
import type { Clock } from '@wardstream/domain';
import { LogUnavailableError } from '../errors.js';
import type { LogState } from '../telemetry-log.js';
import { errnoCode, type LogFileSystem } from './file-system.js';
import type { Segment } from './segment.js';

/** A failed write, fsync or file creation: the error, and a reason naming errno and file. */
export interface WriteFault {
  readonly error: unknown;
  readonly reason: string;
}

const PROBE_FILE = 'probe.tmp';
const PROBE_BYTES = 4096;

/**
 * The unavailable state after a write fault, and the way back. A failed fdatasync is never
 * retried on the same data: after one, the kernel may have dropped the dirty pages and a second
 * fsync would report success for data that is not on disk ("fsyncgate", PostgreSQL 2018). So
 * every segment the failed group touched is reopened and truncated to its last durable size,
 * and that truncation fsynced; segments rolled by failed groups are removed; then a probe file
 * is written and fsynced. Only when all of this succeeds does the log accept appends again.
 * Attempts repeat every `intervalMs` until they succeed or the log closes.
 */
export class WriteRepair {
  private fault: (WriteFault & { readonly since: number }) | undefined;
  private readonly truncations = new Set<Segment>();
  private readonly removals = new Set<Segment>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly fs: LogFileSystem,
    private readonly dir: string,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  get state(): LogState {
    const fault = this.fault;
    return fault === undefined ? { kind: 'ok' } : { kind: 'unavailable', reason: fault.reason, since: fault.since };
  }

  assertWritable(): void {
    const fault = this.fault;
    if (fault !== undefined) {
      throw new LogUnavailableError(`telemetry log unavailable: ${fault.reason}`, { cause: fault.error });
    }
  }

  /** Enters the unavailable state for `fault`: `touched` are truncated, `dropped` removed. */
  begin(fault: WriteFault, touched: readonly Segment[], dropped: readonly Segment[]): void {
    this.fault = { ...fault, since: this.fault?.since ?? this.clock.now() };
    for (const segment of touched) if (segment.created || segment.writer !== null) this.truncations.add(segment);
    for (const segment of dropped) {
      this.truncations.delete(segment);
      if (segment.created || segment.writer !== null) this.removals.add(segment);
    }
    this.schedule();
  }

  /** Stops further attempts and waits for one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.attempt();
    }, this.intervalMs);
  }

  private async attempt(): Promise<void> {
    let step = '';
    try {
      for (const segment of this.truncations) {
        step = `truncate of ${segment.path}`;
        await this.truncate(segment);
        this.truncations.delete(segment);
      }
      for (const segment of this.removals) {
        step = `removal of ${segment.path}`;
        await this.remove(segment);
        this.removals.delete(segment);
      }
      step = `probe of ${join(this.dir, PROBE_FILE)}`;
      await this.probe();
      if (!this.stopped) this.fault = undefined;
    } catch (error) {
      const since = this.fault?.since ?? this.clock.now();
      this.fault = { error, reason: `${errnoCode(error) ?? 'error'} on ${step} (recovering)`, since };
      this.schedule();
    }
  }

  /** Reopens the file (never fsyncing the failed handle again) and cuts it to its durable size. */
  private async truncate(segment: Segment): Promise<void> {
    const failed = segment.writer;
    segment.writer = null;
    await failed?.close().catch(() => undefined);
    const handle = await this.fs.open(segment.path, segment.created ? 'r+' : 'w+');
    try {
      await handle.truncate(segment.durableSize);
      await handle.datasync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    if (this.stopped) await handle.close();
    else segment.writer = handle;
  }

  private async remove(segment: Segment): Promise<void> {
    const writer = segment.writer;
    segment.writer = null;
    await writer?.close().catch(() => undefined);
    try {
      await this.fs.unlink(segment.path);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    await this.fs.syncDirectory(segment.dir);
  }

  private async probe(): Promise<void> {
    const path = join(this.dir, PROBE_FILE);
    const handle = await this.fs.open(path, 'w+');
    try {
      await handle.write(Buffer.alloc(PROBE_BYTES), 0);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await this.fs.unlink(path);
  }
}
