import { WardstreamError, type Clock } from '@wardstream/domain';

/** What one flush did, for metrics. Durations in ms. */
export interface FlushReport {
  readonly readings: number;
  readonly chunks: number;
  readonly waveforms: number;
  /** From taking the snapshot to the main thread hearing of the commit. */
  readonly totalMs: number;
  /** The flush's only synchronous step on the main thread: taking and packing the snapshot. */
  readonly mainThreadMs: number;
  /** The transaction on the writer thread, of which the COMMIT with its fsync took `commitMs`. */
  readonly transactionMs: number;
  readonly commitMs: number;
  /** The WAL checkpoint after the commit, on the writer thread. */
  readonly walCheckpointMs: number;
  /** Bytes the WAL held at that checkpoint: what this flush (and compaction since the last) wrote. */
  readonly walBytes: number;
}

/** Options of `SqliteReadingStore.open`. Durations in ms. */
export interface SqliteReadingStoreOptions {
  /** The database file; its directory is created when missing. `-wal` and `-shm` files sit beside it. */
  readonly path: string;
  /** How often written records are made durable, at most. Default 1000; 10..60000. */
  readonly flushIntervalMs?: number;
  /** A flush also starts once this many readings wait for one; writes then wait for it. Default 500000. */
  readonly maxPendingReadings?: number;
  /** Target samples per compacted chunk. Default 1024; 16..65536. */
  readonly chunkSamples?: number;
  /** How long a flushed chunk waits before compaction merges it. Default 60000; 0..86400000. */
  readonly compactAfterMs?: number;
  /** How often background compaction looks for work; 0 turns it off (see `compact()`). Default 30000. */
  readonly compactIntervalMs?: number;
  /** Longest intended compaction transaction (on the writer thread). Default 8; 1..1000. */
  readonly sliceBudgetMs?: number;
  /** Largest page `range` returns. Default 10000; 1..100000. */
  readonly maxPageSize?: number;
  /** Page size when a range query gives no limit. Default 1000. */
  readonly defaultPageSize?: number;
  /** Source of `written_at` times for compaction ages. Default: the system clock. */
  readonly clock?: Clock;
  /** Called after every flush with what it did (for metrics). */
  readonly onFlush?: (report: FlushReport) => void;
}

export const DEFAULT_FLUSH_INTERVAL_MS = 1_000;
export const DEFAULT_MAX_PENDING_READINGS = 500_000;
export const DEFAULT_CHUNK_SAMPLES = 1_024;
export const DEFAULT_COMPACT_AFTER_MS = 60_000;
export const DEFAULT_COMPACT_INTERVAL_MS = 30_000;
export const DEFAULT_SLICE_BUDGET_MS = 8;
export const DEFAULT_MAX_PAGE_SIZE = 10_000;
export const DEFAULT_PAGE_SIZE = 1_000;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'path',
  'flushIntervalMs',
  'maxPendingReadings',
  'chunkSamples',
  'compactAfterMs',
  'compactIntervalMs',
  'sliceBudgetMs',
  'maxPageSize',
  'defaultPageSize',
  'clock',
  'onFlush',
]);

/** The options with defaults applied, validated. */
export interface CompiledStoreOptions {
  readonly path: string;
  readonly flushIntervalMs: number;
  readonly maxPendingReadings: number;
  readonly chunkSamples: number;
  readonly compactAfterMs: number;
  readonly compactIntervalMs: number;
  readonly sliceBudgetMs: number;
  readonly maxPageSize: number;
  readonly defaultPageSize: number;
  readonly clock: Clock;
  readonly onFlush: ((report: FlushReport) => void) | undefined;
}

/** Store options that failed validation; `problems` lists every one of them. */
export class StoreOptionsError extends WardstreamError {
  constructor(readonly problems: readonly string[]) {
    super('INVALID_INPUT', `invalid SqliteReadingStore options: ${problems.join('; ')}`);
    this.name = 'StoreOptionsError';
  }
}

/** Applies defaults and validates; throws `StoreOptionsError` listing every problem at once. */
export function compileOptions(options: SqliteReadingStoreOptions): CompiledStoreOptions {
  const problems: string[] = [];
  const int = (name: keyof SqliteReadingStoreOptions, fallback: number, min: number, max: number): number => {
    const value: unknown = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(
        `${name} must be an integer in ${min}..${max}, got ${typeof value === 'number' ? value : typeof value}`,
      );
      return fallback;
    }
    return value;
  };
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) problems.push(`unknown option ${key}`);
  }
  const path: unknown = options.path;
  if (typeof path !== 'string' || path === '' || path === ':memory:') {
    problems.push('path must name a database file (an in-memory database cannot be shared with the reader)');
  }
  const compiled: CompiledStoreOptions = {
    path: typeof path === 'string' ? path : '',
    flushIntervalMs: int('flushIntervalMs', DEFAULT_FLUSH_INTERVAL_MS, 10, 60_000),
    maxPendingReadings: int('maxPendingReadings', DEFAULT_MAX_PENDING_READINGS, 1, 100_000_000),
    chunkSamples: int('chunkSamples', DEFAULT_CHUNK_SAMPLES, 16, 65_536),
    compactAfterMs: int('compactAfterMs', DEFAULT_COMPACT_AFTER_MS, 0, 86_400_000),
    compactIntervalMs: int('compactIntervalMs', DEFAULT_COMPACT_INTERVAL_MS, 0, 86_400_000),
    sliceBudgetMs: int('sliceBudgetMs', DEFAULT_SLICE_BUDGET_MS, 1, 1_000),
    maxPageSize: int('maxPageSize', DEFAULT_MAX_PAGE_SIZE, 1, 100_000),
    defaultPageSize: int('defaultPageSize', DEFAULT_PAGE_SIZE, 1, 100_000),
    clock: options.clock ?? { now: () => Date.now() },
    onFlush: options.onFlush,
  };
  if (compiled.defaultPageSize > compiled.maxPageSize) {
    problems.push(`defaultPageSize (${compiled.defaultPageSize}) exceeds maxPageSize (${compiled.maxPageSize})`);
  }
  if (options.clock !== undefined && typeof (options.clock as Partial<Clock>).now !== 'function') {
    problems.push('clock must have a now() method');
  }
  if (options.onFlush !== undefined && typeof options.onFlush !== 'function')
    problems.push('onFlush must be a function');
  if (problems.length > 0) throw new StoreOptionsError(problems);
  return compiled;
}
