export { createApi } from './app.js';
export { startHttpServer, type HttpServer, type HttpServerOptions } from './server.js';
export {
  LiveHub,
  type LiveEvent,
  type LiveTopic,
  type LiveListener,
  type LiveOptions,
  type LiveWaveform,
} from './live-hub.js';
export type {
  ApiDeps,
  ApiSecurity,
  ClinicalApiDeps,
  ClinicalCommandsPort,
  FleetApiDeps,
  HealthReport,
  ComponentStatus,
  RouteMounter,
} from './deps.js';
export {
  attentionReasons,
  DEFAULT_CERTIFICATE_EXPIRY_WARNING_MS,
  fleetAttentionPolicy,
  type AttentionReason,
  type FleetAttentionPolicy,
} from './fleet-attention.js';
export {
  AuditUnavailableError,
  MemoryAccessAudit,
  type AccessAudit,
  type AccessAuditRecord,
} from './access/access-audit.js';
export { accessSubject, clinicalStoreAccessAudit } from './access/clinical-store-access-audit.js';
export {
  BreakGlassGrants,
  DEFAULT_BREAK_GLASS_LIMITS,
  type BreakGlassGrant,
  type BreakGlassLimits,
} from './access/break-glass.js';
export type { DenyReason, ListScope } from './access/decide.js';
export { accessOf, type Access } from './access/context.js';
export { ROUTE_POLICIES, policyOf, type RouteId, type RoutePolicy } from './access/route-policies.js';
export { ROLES, type Role } from './access/roles.js';
export { OPENAPI_DOCUMENT } from './openapi.js';
export { problem, problemForCode, type Problem } from './problem.js';
export { readingJson } from './json.js';
export { mountOAuthRoutes } from './routes/oauth.js';
export { IDENTITY_PATHS } from './routes/identity-openapi.js';
export { mountUserRoutes } from './routes/users.js';
export { mountEnrollmentRoutes, type EnrollmentRouteDeps } from './routes/enrollment.js';
