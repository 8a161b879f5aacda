export {
  parseConfig,
  CONFIG_HELP,
  DEFAULT_HTTP_PORT,
  DEFAULT_MQTT_PORT,
  type Config,
  type EmbeddedConfig,
  type MqttTlsConfig,
  type ParsedConfig,
} from './config.js';
export { startEmbedded, type EmbeddedPlatform, type EmbeddedDeps } from './embedded.js';
export { streamLogger, SILENT_LOGGER, type Logger } from './logger.js';
export { PlatformMetrics } from './metrics.js';
export { lockDataDir } from './data-dir-lock.js';
export { startDemo, DEMO_WARD, type Demo, type DemoOptions } from './demo.js';
export { ProcessingSupervisor, type ProcessingStatus } from './processing-supervisor.js';
export { ForwardingReadingStore } from './forwarding-store.js';
export { AUDIT_PUBLIC_KEY, AuditSigner, loadOrCreateAuditKeys } from './audit-signer.js';
