// The scaled-out shape's roles (DESIGN 2): a subpath of its own, so `wardstream up` never loads
// the NATS and PostgreSQL drivers.
export {
  parseRoleConfig,
  roleHelp,
  type Role,
  type RoleConfig,
  type ClusterConfig,
  type GatewayConfig,
  type ProcessorConfig,
  type ApiConfig,
  type ParsedRoleConfig,
} from './scaled/role-config.js';
export { startGatewayRole, type RunningGateway } from './scaled/gateway-role.js';
export { startProcessorRole, type RunningProcessor, type RunningRole } from './scaled/processor-role.js';
export { liveSubject } from './scaled/cluster.js';
export { migrateAll } from './scaled/migrate.js';
export { startApiRole, type RunningApi } from './scaled/api-role.js';
