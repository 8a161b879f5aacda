export { type IngestAnswer, type IngestRejectReason, type IngestSink } from './ingest-answer.js';
export { type BindingResolver, StaticBindingResolver } from './binding-resolver.js';
export { type GatewayMetrics, type MqttProtocolLevel, type RefusalReason } from './gateway-metrics.js';
export { CountingGatewayMetrics } from './counting-gateway-metrics.js';
export { describeLogFailure } from './log-failure.js';
export {
  DEFAULT_MAX_BATCH_RECORDS,
  IngestPipeline,
  type IngestPipelineOptions,
  type IngestRefusal,
} from './ingest-pipeline.js';
export { MqttEndpoint, type MqttEndpointDeps, type MqttEndpointStats } from './mqtt/mqtt-endpoint.js';
export {
  type CompiledMqttEndpointOptions,
  compileMqttEndpointOptions,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_KEEP_ALIVE_SEC,
  DEFAULT_MAX_PACKET_BYTES,
  DEFAULT_MQTT_HOST,
  DEFAULT_REAUTHORIZE_INTERVAL_MS,
  DEFAULT_RECEIVE_MAXIMUM,
  DEFAULT_SWEEP_INTERVAL_MS,
  type IdentityMode,
  MqttEndpointOptionsError,
  type MqttEndpointOptions,
  type MqttTlsOptions,
} from './mqtt/endpoint-options.js';
export {
  type DeviceAuthDecision,
  type DeviceAuthRequest,
  type PeerCertificateInfo,
  type SecurityEvent,
} from './mqtt/device-trust.js';
export { type ErrorReport, type ErrorReportReason } from './mqtt/publish-outcome.js';
export { ConnectReturnCode, ReasonCode } from './mqtt/reason-codes.js';
export { errorsTopic, telemetryTopic } from './mqtt/topics.js';
