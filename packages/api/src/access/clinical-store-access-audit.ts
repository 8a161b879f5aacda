import type { ClinicalStore } from '@wardstream/alerts';
import type { AccessAudit, AccessAuditRecord } from './access-audit.js';

/**
 * The audit subject of an access record: `patient:<id>` (the first patient), `ward:<id>` for a ward
 * route, `patient:*` for a list, `route:<METHOD path>` when no patient or ward is concerned.
 */
export function accessSubject(record: AccessAuditRecord): string {
  const [patient] = record.patients;
  if (patient !== undefined) return `patient:${patient}`;
  const [ward] = record.wards;
  if (ward !== undefined && ward !== '*' && record.wards.length === 1) return `ward:${ward}`;
  return `route:${record.route}`;
}

/**
 * AccessAudit on the clinical store's audit trail, the hash chain `wardstream audit verify` checks:
 * actor = the token's subject (`anonymous` when none was verified), action = `access.<action>`,
 * subject = accessSubject, details = the rest of the record. `store` is called per record, so a
 * store swapped by the composition root (restart of the clinical service) is followed. Throws what
 * the store throws (closed, disk full): the request then fails closed.
 */
export function clinicalStoreAccessAudit(store: () => ClinicalStore): AccessAudit {
  return {
    append(record) {
      const { at, subject, action, ...details } = record;
      store().appendAudit({
        at,
        actor: subject ?? 'anonymous',
        action: `access.${action}`,
        subject: accessSubject(record),
        details: { ...details },
      });
    },
  };
}
