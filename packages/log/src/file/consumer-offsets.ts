import { join } from 'node:path';
import { LogUnavailableError } from '../errors.js';
import type { Offsets } from '../telemetry-log.js';
import type { LogFileSystem } from './file-system.js';
import { readJsonFile, writeFileAtomic } from './log-directory.js';

const CONSUMERS_FILE = 'consumers.json';
const FORMAT = 1;

type OffsetTable = Map<string, Map<number, number>>;

function copy(table: OffsetTable): OffsetTable {
  return new Map([...table].map(([consumer, offsets]) => [consumer, new Map(offsets)]));
}

function parse(json: unknown, path: string): OffsetTable {
  const table: OffsetTable = new Map();
  if (json === undefined) return table;
  const consumers: unknown =
    typeof json === 'object' && json !== null && 'format' in json && json.format === FORMAT && 'consumers' in json
      ? json.consumers
      : undefined;
  if (typeof consumers !== 'object' || consumers === null) throw new RangeError(`${path}: not a consumer offsets file`);
  for (const [consumer, offsets] of Object.entries(consumers as Record<string, unknown>)) {
    if (typeof offsets !== 'object' || offsets === null) throw new RangeError(`${path}: bad entry for ${consumer}`);
    const parsed = new Map<number, number>();
    for (const [partition, offset] of Object.entries(offsets as Record<string, unknown>)) {
      if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) throw new RangeError(`${path}: bad offset`);
      parsed.set(Number(partition), offset);
    }
    table.set(consumer, parsed);
  }
  return table;
}

/**
 * The offsets each consumer has committed, kept in `consumers.json` and replaced atomically
 * (temporary file, fsync, rename, directory fsync). Commits that arrive while one is being
 * written are coalesced into the next write. Retention reads only what is durable.
 */
export class ConsumerOffsets {
  private latest: OffsetTable;
  private durable: OffsetTable;
  private running: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  private constructor(
    private readonly fs: LogFileSystem,
    private readonly dir: string,
    stored: OffsetTable,
  ) {
    this.latest = stored;
    this.durable = copy(stored);
  }

  /** Reads the stored offsets; throws a RangeError when the file is not one this log wrote. */
  static async load(fs: LogFileSystem, dir: string): Promise<ConsumerOffsets> {
    const path = join(dir, CONSUMERS_FILE);
    return new ConsumerOffsets(fs, dir, parse(await readJsonFile(fs, path), path));
  }

  /** A copy of the offsets last committed by `consumer` (empty when it never committed). */
  get(consumer: string): Map<number, number> {
    return new Map(this.latest.get(consumer));
  }

  /**
   * The lowest durable committed offset of `partition` over every consumer that ever committed
   * (a consumer that never committed this partition counts as 0), or undefined when none has.
   */
  durableFloor(partition: number): number | undefined {
    let floor: number | undefined;
    for (const offsets of this.durable.values()) floor = Math.min(floor ?? Infinity, offsets.get(partition) ?? 0);
    return floor;
  }

  /** Merges `offsets` into the consumer's and resolves once they are durable. */
  async commit(consumer: string, offsets: Offsets): Promise<void> {
    const current = this.latest.get(consumer) ?? new Map<number, number>();
    for (const [partition, offset] of offsets) current.set(partition, offset);
    this.latest.set(consumer, current);
    await this.persist();
  }

  /** Waits for the writes in progress. */
  async drain(): Promise<void> {
    await this.queued?.catch(() => undefined);
    await this.running.catch(() => undefined);
  }

  private persist(): Promise<void> {
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        const snapshot = copy(this.latest);
        this.running = this.write(snapshot).then(() => {
          this.durable = snapshot;
        });
        return this.running;
      });
    return this.queued;
  }

  private async write(table: OffsetTable): Promise<void> {
    const consumers = Object.fromEntries(
      [...table].map(([consumer, offsets]) => [consumer, Object.fromEntries(offsets)]),
    );
    const text = JSON.stringify({ format: FORMAT, consumers });
    try {
      await writeFileAtomic(this.fs, this.dir, CONSUMERS_FILE, Buffer.from(text, 'utf8'));
    } catch (error) {
      throw new LogUnavailableError(`could not store consumer offsets in ${join(this.dir, CONSUMERS_FILE)}`, {
        cause: error,
      });
    }
  }
}
