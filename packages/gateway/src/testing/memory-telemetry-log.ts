import {
  LogUnavailableError,
  type AppendOutcome,
  type AppendRequest,
  type FetchOptions,
  type LogEntry,
  type LogStatus,
  type Offsets,
  type TelemetryLog,
} from '@wardstream/log';

interface Held {
  readonly run: () => void;
}

/**
 * A fast in-memory `TelemetryLog` test double for the gateway's tests and measurements, with fault
 * switches: `failWith` makes appends reject with `LogUnavailableError` (and `status()` report it)
 * until `recover`; `hold` parks appends until `release`, in submission or reverse order;
 * `retireKeys` makes the keys appended so far answer `retired`, as after retention.
 * Not durable and not a contract-suite adapter: `fetch` never waits.
 */
export class MemoryTelemetryLog implements TelemetryLog {
  readonly partitionCount: number;
  /** Number of `append` calls, to observe batching. */
  appendCalls = 0;
  /** The partition key of every appended (not duplicate, conflicting or retired) record, in order. */
  readonly appendedKeys: string[] = [];
  private readonly partitions: LogEntry[][];
  private readonly keys = new Map<string, { hash: number; partition: number; offset: number }>();
  private readonly retired = new Set<string>();
  private readonly consumers = new Map<string, Map<number, number>>();
  private fault: { reason: string; since: number; cause: unknown } | null = null;
  private held: Held[] | null = null;
  private bytes = 0;

  constructor(partitionCount = 4) {
    this.partitionCount = partitionCount;
    this.partitions = Array.from({ length: partitionCount }, () => []);
  }

  /** Appends reject with `LogUnavailableError(reason, {cause})` until `recover()`. */
  failWith(reason: string, cause?: unknown, since = 0): void {
    this.fault = { reason, since, cause };
  }

  recover(): void {
    this.fault = null;
  }

  /** Parks every append until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  /** Lets parked appends run, oldest first or newest first. */
  release(order: 'fifo' | 'lifo' = 'fifo'): void {
    const held = this.held ?? [];
    this.held = null;
    for (const h of order === 'fifo' ? held : [...held].reverse()) h.run();
  }

  /**
   * Acts as if retention had deleted every record appended so far: appending one of their keys
   * again, with any content, answers `retired`. (The entries stay readable: this is a test double.)
   */
  retireKeys(): void {
    for (const id of this.keys.keys()) this.retired.add(id);
    this.keys.clear();
  }

  /** Every entry of every partition. */
  entries(): LogEntry[] {
    return this.partitions.flat();
  }

  append(records: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    this.appendCalls++;
    const held = this.held;
    if (held !== null) {
      return new Promise((resolve, reject) => {
        held.push({
          run: () => {
            try {
              resolve(this.appendNow(records));
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          },
        });
      });
    }
    try {
      return Promise.resolve(this.appendNow(records));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private appendNow(records: readonly AppendRequest[]): AppendOutcome[] {
    if (this.fault !== null) {
      throw new LogUnavailableError(this.fault.reason, { cause: this.fault.cause });
    }
    return records.map((r) => {
      const id = `${r.deviceId}\u0000${r.boot}\u0000${r.seq}`;
      if (this.retired.has(id)) return { kind: 'retired' };
      const known = this.keys.get(id);
      if (known !== undefined) {
        const kind = known.hash === r.contentHash ? 'duplicate' : 'conflict';
        return { kind, partition: known.partition, offset: known.offset };
      }
      const partition = fnv1a(r.key) % this.partitionCount;
      const list = this.partitions[partition] ?? [];
      const offset = list.length;
      list.push({ partition, offset, deviceId: r.deviceId, boot: r.boot, seq: r.seq, payload: r.payload });
      this.keys.set(id, { hash: r.contentHash, partition, offset });
      this.appendedKeys.push(r.key);
      this.bytes += r.payload.byteLength;
      return { kind: 'appended', partition, offset };
    });
  }

  fetch(from: Offsets, options: FetchOptions): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    for (const [partition, offset] of from) {
      const list = this.partitions[partition] ?? [];
      for (let i = offset; i < list.length && out.length < options.maxRecords; i++) {
        const entry = list[i];
        if (entry !== undefined) out.push(entry);
      }
    }
    return Promise.resolve(out);
  }

  commit(consumer: string, offsets: Offsets): Promise<void> {
    this.consumers.set(consumer, new Map(offsets));
    return Promise.resolve();
  }

  committed(consumer: string): Promise<Map<number, number>> {
    return Promise.resolve(new Map(this.consumers.get(consumer)));
  }

  status(): LogStatus {
    const endOffsets = new Map(this.partitions.map((list, partition) => [partition, list.length]));
    const state =
      this.fault === null
        ? ({ kind: 'ok' } as const)
        : ({ kind: 'unavailable', reason: this.fault.reason, since: this.fault.since } as const);
    return { state, endOffsets, bytes: this.bytes };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function fnv1a(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
