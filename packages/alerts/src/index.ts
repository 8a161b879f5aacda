export type { AlarmQuery, AuditEntry, ClinicalStore, EcgSubject, EngineCheckpoint } from './clinical-store.js';
// sqlite store (section owned by the store work)
export { SqliteClinicalStore, type SqliteClinicalStoreOptions } from './sqlite/sqlite-clinical-store.js';
// webhooks (section owned by the webhooks work)
export {
  DEFAULT_WEBHOOK_POLICY,
  parseWebhookTargets,
  type WebhookPolicy,
  type WebhookTarget,
} from './webhooks/webhook-target.js';
export {
  pagerDutyAction,
  pagerDutySeverity,
  routesEvent,
  webhookRequest,
  type JsonWebhookBody,
  type PagerDutyAction,
  type PagerDutyEventBody,
  type PagerDutySeverity,
  type WebhookAlarm,
  type WebhookRequest,
} from './webhooks/payloads.js';
export { SIGNATURE_HEADER, verifyWebhookSignature, webhookSignature } from './webhooks/webhook-signature.js';
export type { OutboxItem, WebhookOutbox, WebhookOutboxStats } from './webhooks/webhook-outbox.js';
export { MemoryWebhookOutbox } from './webhooks/memory-webhook-outbox.js';
export { SqliteWebhookOutbox, type SqliteWebhookOutboxOptions } from './webhooks/sqlite-webhook-outbox.js';
export {
  WebhookDispatcher,
  type WebhookDispatcherDeps,
  type WebhookTargetStatus,
} from './webhooks/webhook-dispatcher.js';
export type { WebhookSend } from './webhooks/webhook-send.js';
// service
export { AlertRouter, type AlertRouterDeps } from './alert-router.js';
export { alarmBurden, type AlarmBurden } from './alarm-burden.js';
export { ClinicalCommands, putRulesAudited, scopeSubject, type ChartRequest } from './clinical-commands.js';
export {
  ClinicalService,
  DEFAULT_CLINICAL_SERVICE_OPTIONS,
  type ClinicalServiceDeps,
  type ClinicalServiceOptions,
} from './clinical-service.js';
