export type {
  AggregateQuery,
  Bucket,
  BucketSize,
  Checkpoint,
  RangePage,
  RangeQuery,
  ReadingStore,
  StoreStats,
  StoredWaveform,
  Subject,
  UnassignedDevice,
  WaveformQuery,
  WriteResult,
} from './reading-store.js';
export { AGGREGATE_EXCLUDED_FLAGS } from './reading-store.js';
export { SqliteReadingStore } from './sqlite/sqlite-reading-store.js';
export {
  type SqliteReadingStoreOptions,
  type FlushReport,
  StoreOptionsError,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_PENDING_READINGS,
  DEFAULT_CHUNK_SAMPLES,
  DEFAULT_COMPACT_AFTER_MS,
  DEFAULT_COMPACT_INTERVAL_MS,
  DEFAULT_SLICE_BUDGET_MS,
  DEFAULT_MAX_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
} from './sqlite/options.js';

export type { CompactionReport } from './sqlite/compactor.js';
