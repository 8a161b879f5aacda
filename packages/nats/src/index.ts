export { JetStreamTelemetryLog } from './jetstream-log/jetstream-telemetry-log.js';
export {
  type JetStreamTelemetryLogOptions,
  JetStreamLogOptionsError,
  DEFAULT_JETSTREAM_PREFIX,
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  DEFAULT_STATUS_INTERVAL_MS,
} from './jetstream-log/options.js';
export {
  PartitionLeases,
  ownerOf,
  DEFAULT_LEASE_TTL_MS,
  type LeaseHandler,
  type LeaseReleaseReason,
  type LeaseChange,
  type PartitionLeasesOptions,
  type PartitionLeasesDeps,
} from './leases/partition-leases.js';
