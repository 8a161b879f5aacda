import type { Clock } from '@wardstream/domain';
import { nodeFileSystem, type LogFileSystem } from './file-system.js';

/** Default number of partitions of a new log. */
export const DEFAULT_PARTITION_COUNT = 8;
/** Default size at which a partition rolls to a new segment file: 64 MiB. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Default number of recent messages per device whose content hash and position are kept. */
export const DEFAULT_CONFLICT_WINDOW = 1024;
/** Default pause between two recovery attempts after a write or fsync error. */
export const DEFAULT_RECOVERY_INTERVAL_MS = 1_000;
/** Default time a fully consumed segment is kept before it is deleted: one hour. */
export const DEFAULT_RETAIN_CONSUMED_MS = 3_600_000;

const MAX_PARTITION_COUNT = 1024;
const MIN_SEGMENT_BYTES = 4 * 1024;
const MAX_SEGMENT_BYTES = 1024 * 1024 * 1024;

/** What `FileTelemetryLog.open` accepts; every field but `dir` has a default. */
export interface FileTelemetryLogOptions {
  /** The log's directory; created when missing. One process may open it at a time. */
  readonly dir: string;
  /**
   * Partitions of a new log (default 8, at most 1024). An existing log keeps the count it was
   * created with: giving another count is an error, leaving it out adopts the stored one.
   */
  readonly partitionCount?: number;
  /** A partition rolls to a new segment once its segment holds this many bytes (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Recent messages per device kept with content hash and position (default 1024). */
  readonly conflictWindow?: number;
  /** Pause between recovery attempts while the log is unavailable (default 1000 ms). */
  readonly recoveryIntervalMs?: number;
  /** How long a segment is kept once every consumer has committed past it (default 1 h). */
  readonly retainConsumedMs?: number;
  /** File operations; defaults to node:fs. Tests inject faults through it. */
  readonly fileSystem?: LogFileSystem;
  /** Source of instants for status and retention; defaults to the system clock. */
  readonly clock?: Clock;
}

/** Options after defaults and validation. */
export interface FileLogConfig {
  readonly dir: string;
  /** Undefined when the caller left the count to the stored log (or the default for a new one). */
  readonly partitionCount: number | undefined;
  readonly segmentBytes: number;
  readonly conflictWindow: number;
  readonly recoveryIntervalMs: number;
  readonly retainConsumedMs: number;
  readonly fileSystem: LogFileSystem;
  readonly clock: Clock;
}

function checkInteger(problems: string[], name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
}

/** Applies defaults and checks every option; throws one RangeError listing every problem. */
export function parseFileLogOptions(options: FileTelemetryLogOptions): FileLogConfig {
  const problems: string[] = [];
  if (typeof options.dir !== 'string' || options.dir.length === 0) problems.push('dir must be a non-empty path');
  checkInteger(problems, 'partitionCount', options.partitionCount, 1, MAX_PARTITION_COUNT);
  checkInteger(problems, 'segmentBytes', options.segmentBytes, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
  checkInteger(problems, 'conflictWindow', options.conflictWindow, 1, 1_000_000);
  checkInteger(problems, 'recoveryIntervalMs', options.recoveryIntervalMs, 1, 3_600_000);
  checkInteger(problems, 'retainConsumedMs', options.retainConsumedMs, 0, Number.MAX_SAFE_INTEGER);
  if (problems.length > 0) throw new RangeError(`FileTelemetryLog options: ${problems.join('; ')}`);
  return {
    dir: options.dir,
    partitionCount: options.partitionCount,
    segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
    conflictWindow: options.conflictWindow ?? DEFAULT_CONFLICT_WINDOW,
    recoveryIntervalMs: options.recoveryIntervalMs ?? DEFAULT_RECOVERY_INTERVAL_MS,
    retainConsumedMs: options.retainConsumedMs ?? DEFAULT_RETAIN_CONSUMED_MS,
    fileSystem: options.fileSystem ?? nodeFileSystem(),
    clock: options.clock ?? { now: () => Date.now() },
  };
}
