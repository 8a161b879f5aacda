export {
  Processor,
  DEFAULT_PROCESSOR_OPTIONS,
  UndecodableRecordError,
  type ProcessorOptions,
  type ProcessorDeps,
  type SkippedEntry,
} from './processor.js';
export type { ProcessorStage, BatchContext } from './stage.js';
export { NO_PROCESSOR_METRICS, type ProcessorMetrics } from './metrics.js';
export { flagLate } from './flag-late.js';
export { CLOCK_SKEW_WINDOW, FleetStatusTracker } from './fleet-status.js';
