import type { AuditEntry } from '@wardstream/alerts';
import type { Hono } from 'hono';
import { auditJson } from '../clinical-json.js';
import type { ClinicalApiDeps } from '../deps.js';
import { intParam, ParamErrors } from '../params.js';

/** Entries looked at per request when filtering by action (the store indexes subjects, not actions). */
const MAX_SCAN = 10_000;
const SCAN_PAGE = 1_000;

/**
 * Entries after `afterSeq` whose action starts with `action`, at most `limit`, looking at no more
 * than MAX_SCAN entries; `lastSeq` is where the scan stopped (pass it as `after` to go on).
 */
function scanByAction(
  store: ClinicalApiDeps['store'],
  query: { afterSeq: number; limit: number; subjectPrefix?: string },
  action: string,
): { entries: AuditEntry[]; lastSeq: number } {
  const entries: AuditEntry[] = [];
  let lastSeq = query.afterSeq;
  for (let scanned = 0; scanned < MAX_SCAN && entries.length < query.limit;) {
    const page = store.audit({ ...query, afterSeq: lastSeq, limit: Math.min(SCAN_PAGE, MAX_SCAN - scanned) });
    for (const entry of page) {
      lastSeq = entry.seq;
      scanned += 1;
      if (entry.action.startsWith(action)) entries.push(entry);
      if (entries.length === query.limit) break;
    }
    if (page.length < SCAN_PAGE) break;
  }
  return { entries, lastSeq };
}

/**
 * /api/v1/audit: who changed what and who accessed which patient, oldest first. `subject` is a
 * prefix (`alarm:`, `patient:p1`, `ward:`, `rules:default`); `action` a prefix too (`access.` for
 * the access records, `access.deny`, `alarm.`). Page on by passing `lastSeq` as `after`.
 */
export function mountAuditRoutes(app: Hono, clinical: ClinicalApiDeps): void {
  app.get('/api/v1/audit', (c) => {
    const errors = new ParamErrors();
    const subject = c.req.query('subject');
    if (subject !== undefined && subject.length > 200) errors.add('subject', 'at most 200 characters');
    const action = c.req.query('action');
    if (action !== undefined && action.length > 100) errors.add('action', 'at most 100 characters');
    const afterSeq = intParam(errors, 'after', c.req.query('after'), 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(errors, 'limit', c.req.query('limit'), 100, 1, 1_000);
    errors.throwIfAny();
    const query = { afterSeq, limit, ...(subject === undefined || subject === '' ? {} : { subjectPrefix: subject }) };
    if (action !== undefined && action !== '') {
      const { entries, lastSeq } = scanByAction(clinical.store, query, action);
      return c.json({ entries: entries.map(auditJson), lastSeq });
    }
    const entries = clinical.store.audit(query);
    return c.json({ entries: entries.map(auditJson), lastSeq: entries.at(-1)?.seq ?? afterSeq });
  });
}
