export { Random } from './random.js';
export {
  type VitalSigns,
  type Variability,
  type Baseline,
  DEFAULT_VARIABILITY,
  drawBaseline,
  meanArterialMmHg,
} from './vitals.js';
export { type NumericsRecord, parseNumericsCsv, baselineFromNumerics } from './bidmc.js';
export { defaultDataDir, loadNumericsRecords } from './bidmc-files.js';
export { ouStep } from './ornstein-uhlenbeck.js';
export { type Deterioration, SEPSIS_SHIFT, deteriorationProgress } from './deterioration.js';
export { PatientModel } from './patient-model.js';
export { type WireWaveform, WAVEFORM_FS_HZ, WaveformSynth } from './waveform.js';
export {
  type CodeStyle,
  type UnitVariant,
  type VitalCode,
  CONTINUOUS_CODES,
  TEMPERATURE_CODE,
  NIBP_CODES,
  ALL_VITAL_CODES,
} from './vital-codes.js';
export {
  type WireReading,
  type WireStatus,
  type TelemetryPayload,
  telemetryTopic,
  errorsTopic,
  wireReading,
  encodeJson,
} from './payload.js';
export {
  type MalformedKind,
  type MalformedMessage,
  MALFORMED_KINDS,
  UNKNOWN_CODE,
  UNKNOWN_UNIT,
  malformedPayload,
} from './malformed.js';
export {
  type ScenarioName,
  type ClockSkewKind,
  type ScenarioSettings,
  type DeviceScenario,
  SCENARIO_NAMES,
  CLOCK_SKEW_KINDS,
  DEFAULT_SCENARIO_SETTINGS,
  resolveScenario,
} from './scenario.js';
export { type ScenarioEntry, ScenarioSpecError, parseScenarioSpec, assignScenarios } from './scenario-spec.js';
export { reportedTime, DeviceStatusModel, SIMULATED_FIRMWARE } from './device-status.js';
export { type DeviceConfig, type OutgoingMessage, type DeviceTick, SimulatedDevice } from './device.js';
export { type FleetPlan, buildDevices } from './fleet-builder.js';
export {
  type HistoryEventKind,
  type HistoryEvent,
  type HistorySink,
  MemoryHistory,
  HistoryFormatError,
  parseHistoryLine,
  formatHistoryLine,
} from './history.js';
export { JsonlHistoryFile, readHistory } from './history-file.js';
export {
  type MessageKey,
  type StoredReadingKey,
  type LossPosition,
  type LostMessage,
  type DeviceLoss,
  type DeliveryResult,
  checkDelivery,
} from './checker.js';
export { formatDeliveryReport } from './delivery-report.js';
export {
  type PublishAnswer,
  type ErrorReport,
  type TransportListener,
  type DeviceTransport,
  type TransportOpenOptions,
  type TransportFactory,
} from './transport.js';
export { parseErrorReport } from './error-report.js';
export { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelayMs } from './backoff.js';
export {
  type TlsMaterial,
  type TlsSource,
  type MqttConnectionOptions,
  publishAnswer,
  mqttTransportFactory,
  tlsFor,
} from './mqtt-transport.js';
export { type FleetOptions, type FleetStats, Fleet } from './fleet.js';
export { type SimulationOptions, DEFAULT_SIMULATION_OPTIONS, simulationProblems } from './simulation-options.js';
export {
  type SimulationProgress,
  type SimulationSummary,
  type SimulationHooks,
  type FleetIds,
  SimulationError,
  runSimulation,
} from './run-simulation.js';
export {
  type AdmitTarget,
  type AdmitOptions,
  type AdmitCounts,
  DEFAULT_ADMIT_WARD,
  SIMULATED_DEVICE_MODEL,
  admitProblems,
  admitFleet,
  describeAdmission,
  type AdmitDeviceOptions,
  type AdmitDeviceResult,
  admitDevice,
} from './admit-fleet.js';
export {
  type CommandIo,
  type FlagSpecs,
  type Flags,
  type InterruptSignals,
  UsageError,
  interruptOnSignals,
  parseFlags,
  stringFlag,
  numberFlag,
} from './args.js';
export { sleep, waitUntil } from './wait.js';
export {
  simulateCommand,
  simulateOptions,
  admitTarget,
  formatSimulationSummary,
  readTlsFlags,
} from './simulate-command.js';
export { checkCommand, historyTimeRange } from './check-command.js';
export { type ReadingsQuery, type StoredReadings, ReadingsApiError, fetchStoredReadings } from './readings-client.js';
