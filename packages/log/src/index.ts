export type {
  AppendRequest,
  AppendOutcome,
  LogEntry,
  FetchOptions,
  Offsets,
  LogState,
  LogStatus,
  TelemetryLog,
} from './telemetry-log.js';
export { LogUnavailableError, LogCorruptionError, LogClosedError } from './errors.js';
export { partitionFor } from './partition.js';
export { FileTelemetryLog, type FileLogStatus } from './file/file-telemetry-log.js';
export {
  type FileTelemetryLogOptions,
  DEFAULT_PARTITION_COUNT,
  DEFAULT_SEGMENT_BYTES,
  DEFAULT_CONFLICT_WINDOW,
  DEFAULT_RECOVERY_INTERVAL_MS,
  DEFAULT_RETAIN_CONSUMED_MS,
} from './file/options.js';
export { type LogFileSystem, type LogFileHandle, nodeFileSystem } from './file/file-system.js';
export type { CorruptRange } from './file/partition-log.js';
export { FaultInjectingFileSystem } from './file/fault-injecting-file-system.js';
export { WakeSignal, type WaitOutcome } from './wake-signal.js';
