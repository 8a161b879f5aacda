import type { JetStreamClient } from '@nats-io/jetstream';
import { LogUnavailableError, type FetchOptions, type LogEntry, type Offsets } from '@wardstream/log';
import { streamName } from './names.js';
import { PartitionReader } from './partition-reader.js';
import { WakeSignal } from '@wardstream/log';

/** A fetch's place in one partition: the reader serving it and the offset it expects next. */
interface Cursor {
  readonly reader: PartitionReader;
  offset: number;
}

/**
 * The share of `maxRecords` each of `count` partitions gets first: as even as possible, the
 * remainder going to the partitions from `start` on (rotated per fetch so none is favoured).
 */
export function fairShares(maxRecords: number, count: number, start: number): number[] {
  const base = Math.floor(maxRecords / count);
  const extra = maxRecords % count;
  return Array.from({ length: count }, (_, i) => base + ((i - start + count) % count < extra ? 1 : 0));
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * One `PartitionReader` per partition fetched, kept between fetches: a drain loop that fetches
 * from where its last fetch ended is served from the reader's buffer with no round trip. A fetch
 * from another offset replaces that partition's reader (a new consumer from there).
 *
 * Waiting: entries this process knows exist (below the end offsets of its acknowledged publishes
 * and of the last stream info) are in transit, not absent: a fetch waits for them, up to
 * `maxRecords`, even past `maxWaitMs` (so a `maxWaitMs: 0` read right after an append returns it),
 * and fails with `LogUnavailableError` if none arrives for `catchUpMs`. Beyond those it returns
 * what it has, or with nothing waits up to `maxWaitMs` for the first entry.
 */
export class ReaderPool {
  private readonly readers = new Map<number, PartitionReader>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly signal = new WakeSignal();
  private round = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly prefix: string,
    private readonly catchUpMs: number,
  ) {}

  async fetch(from: Offsets, options: FetchOptions, endOffset: (partition: number) => number): Promise<LogEntry[]> {
    const cursors = [...from].map(([partition, offset]) => ({ reader: this.readerAt(partition, offset), offset }));
    if (cursors.length === 0) return [];
    const deadline = performance.now() + options.maxWaitMs;
    const collected: LogEntry[] = [];
    let catchUpDeadline: number | undefined;
    for (;;) {
      const version = this.signal.version;
      let taken: LogEntry[];
      try {
        taken = this.take(cursors, options.maxRecords - collected.length);
      } catch (error) {
        // Serve what was taken before the damage; the next fetch, starting there, throws.
        if (collected.length > 0) return collected;
        throw error;
      }
      const now = performance.now();
      if (taken.length > 0) {
        collected.push(...taken);
        catchUpDeadline = undefined;
      }
      if (collected.length >= options.maxRecords) return collected;
      const behind = cursors.some(
        (c) => c.reader.nextOffset === c.offset && c.reader.buffered === 0 && c.offset < endOffset(c.reader.partition),
      );
      let waitMs: number;
      if (behind) {
        catchUpDeadline ??= now + this.catchUpMs;
        waitMs = catchUpDeadline - now;
        if (waitMs <= 0) {
          if (collected.length > 0) return collected;
          throw new LogUnavailableError(
            `telemetry log entries known to exist did not arrive within ${this.catchUpMs} ms`,
          );
        }
      } else if (collected.length > 0) {
        return collected;
      } else {
        waitMs = deadline - now;
        if (waitMs <= 0) return [];
      }
      const outcome = await this.signal.wait(version, waitMs, options.signal);
      if (outcome === 'aborted' || outcome === 'closed') return collected;
    }
  }

  /** Stops every reader and ends waiting fetches with []. */
  async close(): Promise<void> {
    this.signal.close();
    const readers = [...this.readers.values()];
    this.readers.clear();
    await Promise.allSettled([...readers.map((reader) => reader.stop()), ...this.stopping]);
  }

  /** Stops the partition's reader, if any (its consumer and buffer): this process no longer reads it. */
  release(partition: number): void {
    const reader = this.readers.get(partition);
    if (reader !== undefined) this.retire(reader);
  }

  private readerAt(partition: number, offset: number): PartitionReader {
    const current = this.readers.get(partition);
    if (current !== undefined && current.failure === undefined && current.reposition(offset)) return current;
    if (current !== undefined) this.retire(current);
    const reader = new PartitionReader(this.js, streamName(this.prefix, partition), partition, offset, () => {
      this.signal.notify();
    });
    this.readers.set(partition, reader);
    return reader;
  }

  private retire(reader: PartitionReader): void {
    if (this.readers.get(reader.partition) === reader) this.readers.delete(reader.partition);
    const stopping = reader.stop().finally(() => this.stopping.delete(stopping));
    this.stopping.add(stopping);
  }

  /**
   * Takes up to `maxRecords` buffered entries: a fair share from each partition, then what is left
   * from those with more. A partition whose reader another fetch has moved on is skipped. A failed
   * reader with nothing left to give is dropped (the next fetch starts a new one) and its failure
   * thrown; an unreadable message first due throws its `LogCorruptionError`, every time.
   */
  private take(cursors: Cursor[], maxRecords: number): LogEntry[] {
    const ready = cursors.filter((c) => c.reader.nextOffset === c.offset && c.reader.buffered > 0);
    const failed = cursors.find((c) => c.reader.failure !== undefined && c.reader.buffered === 0);
    if (ready.length === 0 && failed !== undefined) {
      this.retire(failed.reader);
      throw new LogUnavailableError(
        `reading telemetry log partition ${failed.reader.partition} failed: ${describe(failed.reader.failure)}`,
        { cause: failed.reader.failure },
      );
    }
    if (ready.length === 0) return [];
    // Taking is destructive: throw before taking anything, so no entry is lost with the error.
    const corrupt = ready.find((c) => c.reader.headError !== undefined)?.reader.headError;
    if (corrupt !== undefined) throw corrupt;
    const shares = fairShares(maxRecords, ready.length, this.round++ % ready.length);
    const batches = ready.map((c, i) => c.reader.take(shares[i] ?? 0));
    let total = batches.reduce((sum, batch) => sum + batch.length, 0);
    for (const [i, c] of ready.entries()) {
      if (total >= maxRecords) break;
      const more = c.reader.take(maxRecords - total);
      batches[i]?.push(...more);
      total += more.length;
    }
    for (const [i, c] of ready.entries()) {
      const last = batches[i]?.at(-1);
      if (last !== undefined) c.offset = last.offset + 1;
    }
    return batches.flat();
  }
}
