export {
  parseConfig,
  CONFIG_HELP,
  DEFAULT_HTTP_PORT,
  DEFAULT_MQTT_PORT,
  type Config,
  type EmbeddedConfig,
  type EnrollmentConfig,
  type MqttTlsConfig,
  type ParsedConfig,
  type TokenIssuerConfig,
} from './config.js';
export { BREAK_GLASS_RULE, startEmbedded, type EmbeddedPlatform, type EmbeddedDeps } from './embedded.js';
export { openDeviceTrust, serverHostnames, type DeviceTrust, type DeviceApprovals } from './device-trust.js';
export { streamLogger, SILENT_LOGGER, type Logger } from './logger.js';
export { PlatformMetrics } from './metrics.js';
export { lockDataDir } from './data-dir-lock.js';
export { freePort } from './free-port.js';
export { startDemo, DEMO_WARD, type Demo, type DemoOptions } from './demo.js';
export { ProcessingSupervisor, type ProcessingStatus } from './processing-supervisor.js';
export { ForwardingReadingStore } from './forwarding-store.js';
export { AUDIT_PUBLIC_KEY, AuditSigner, loadOrCreateAuditKeys } from './audit-signer.js';
export {
  EnrollmentServer,
  loadEnrollmentPolicy,
  parseEnrollmentPolicy,
  pkiCsrSigner,
  prometheusEnrollmentMetrics,
  DEFAULT_DEVICE_BUNDLE,
  DEFAULT_REPORTING_INTERVALS,
  type CsrSigner,
  type EnrollmentPolicy,
  type EnrollmentSecurityEvent,
} from './enrollment/index.js';
