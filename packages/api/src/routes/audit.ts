import type { Hono } from 'hono';
import { auditJson } from '../clinical-json.js';
import type { ClinicalApiDeps } from '../deps.js';
import { intParam, ParamErrors } from '../params.js';

/**
 * /api/v1/audit: who changed what, oldest first. `subject` is a prefix (`alarm:`, `patient:p1`,
 * `ward:`, `rules:default`); page on by passing the last entry's `seq` as `after`.
 */
export function mountAuditRoutes(app: Hono, clinical: ClinicalApiDeps): void {
  app.get('/api/v1/audit', (c) => {
    const errors = new ParamErrors();
    const subject = c.req.query('subject');
    if (subject !== undefined && subject.length > 200) errors.add('subject', 'at most 200 characters');
    const afterSeq = intParam(errors, 'after', c.req.query('after'), 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(errors, 'limit', c.req.query('limit'), 100, 1, 1_000);
    errors.throwIfAny();
    const entries = clinical.store.audit({
      afterSeq,
      limit,
      ...(subject === undefined || subject === '' ? {} : { subjectPrefix: subject }),
    });
    return c.json({ entries: entries.map(auditJson) });
  });
}
