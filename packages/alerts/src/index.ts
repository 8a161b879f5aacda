export type { AlarmQuery, AuditEntry, ClinicalStore, EngineCheckpoint } from './clinical-store.js';
// sqlite store (section owned by the store work)
// webhooks (section owned by the webhooks work)
// service
