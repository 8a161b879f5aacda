export { Processor, DEFAULT_PROCESSOR_OPTIONS, UndecodableRecordError, } from './processor.js';
export { NO_PROCESSOR_METRICS } from './metrics.js';
export { flagLate } from './flag-late.js';
//# sourceMappingURL=index.js.map