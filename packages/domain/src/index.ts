export { type DeviceId, type PatientId, type WardId, deviceId, patientId, wardId, isValidId } from './ids.js';
export { type Clock, ManualClock } from './clock.js';
export { QualityFlag, type QualityFlagName, type Quality, qualityNames, hasFlag } from './quality.js';
export { Catalogue, type CatalogueEntry } from './catalogue.js';
export { CATALOGUE } from './catalogue-table.js';
export { unitConversion, acceptedUnits, type UnitConversion } from './units.js';
export { DEFAULT_PLAUSIBILITY, isImplausible, type PlausibilityLimits, type PlausibleRange } from './plausibility.js';
export {
  type NormalizedReading,
  type NormalizedWaveform,
  type DeviceStatus,
  type DeviceMessage,
  type IngestRecord,
  type CanonicalReading,
  canonicalReadings,
} from './reading.js';
export {
  type RejectReason,
  REJECT_REASONS,
  type ItemProblem,
  type WireVerdict,
  type WireLimits,
  type WireContext,
  DEFAULT_WIRE_LIMITS,
  validateTelemetry,
  describeProblems,
} from './wire.js';
export { parseEventTime } from './wire-time.js';
export { type DeviceFleetStatus, type FleetCounters, NO_FLEET_COUNTERS } from './device-fleet-status.js';
export { type Binding, bindingAt, bindingsOverlap } from './binding.js';
export {
  type EventTimePolicy,
  DEFAULT_EVENT_TIME_POLICY,
  type WatermarkState,
  PartitionWatermarks,
} from './event-time.js';
export { encodeIngestRecord, decodeIngestRecord } from './ingest-codec.js';
export { type ErrorCode, WardstreamError } from './errors.js';
export { migrateUserVersion, type MigratableDatabase } from './schema-migration.js';
