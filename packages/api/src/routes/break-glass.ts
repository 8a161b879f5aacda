import { isValidId, patientId as toPatientId } from '@wardstream/domain';
import type { Hono } from 'hono';
import { accessOf } from '../access/context.js';
import { BreakGlassLimitError, type BreakGlassGrant } from '../access/break-glass.js';
import type { AccessGuard } from '../access/guard.js';
import type { ApiDeps } from '../deps.js';
import { jsonBody } from '../json.js';
import { ParamErrors } from '../params.js';
import { problem, RequestProblem } from '../problem.js';

const REASON_CHARS = { min: 10, max: 500 } as const;
const MINUTES = { min: 1, max: 60, fallback: 30 } as const;

const ROUTE = 'POST /api/v1/break-glass';

export function grantJson(g: BreakGlassGrant) {
  return {
    id: g.id,
    patientId: g.patientId,
    subject: g.subject,
    roles: g.roles,
    reason: g.reason,
    createdAt: new Date(g.createdAt).toISOString(),
    expiresAt: new Date(g.expiresAt).toISOString(),
  };
}

function bodyFields(body: Record<string, unknown>) {
  const errors = new ParamErrors('body');
  const { patientId, reason, minutes } = body;
  if (typeof patientId !== 'string' || !isValidId(patientId))
    errors.add('patientId', 'required, 1-64 of A-Z a-z 0-9 . _ -');
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length < REASON_CHARS.min || text.length > REASON_CHARS.max) {
    errors.add('reason', `required, ${REASON_CHARS.min}-${REASON_CHARS.max} characters saying why`);
  }
  const length = minutes ?? MINUTES.fallback;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < MINUTES.min || length > MINUTES.max) {
    errors.add('minutes', `an integer from ${MINUTES.min} to ${MINUTES.max} (default ${MINUTES.fallback})`);
  }
  errors.throwIfAny();
  return { patientId: String(patientId), reason: text, minutes: Number(length) };
}

/**
 * Break-glass: `POST /api/v1/break-glass` `{patientId, reason, minutes?}` opens one patient's data to
 * the caller for `minutes` (reads; for nurses and physicians also alarm commands and charting). The
 * audit record (severity high) is written before the grant exists: if it cannot be, there is no
 * grant (503). Then `onBreakGlass` notifies. `GET /api/v1/break-glass` lists the active grants.
 */
export function mountBreakGlassRoutes(app: Hono, deps: ApiDeps, guard: AccessGuard): void {
  app.post('/api/v1/break-glass', async (c) => {
    const { principal } = accessOf(c);
    const request = bodyFields(await jsonBody(c));
    const patient = await deps.registry.getPatient(toPatientId(request.patientId));
    if (patient === undefined) {
      throw new RequestProblem(problem('not-found', 404, `patient ${request.patientId} is not registered`));
    }
    const now = deps.clock.now();
    let grant: BreakGlassGrant;
    try {
      grant = guard.grants.prepare({ ...request, subject: principal.subject, roles: principal.roles }, now);
    } catch (err) {
      if (err instanceof BreakGlassLimitError) throw new RequestProblem(problem('limit-reached', 429, err.message));
      throw err;
    }
    // Audited before it is in force: a grant whose record could not be written never exists (503).
    guard.record(c, {
      route: ROUTE,
      principal,
      target: { kind: 'patients', patients: [{ patientId: patient.id, wardId: patient.wardId }], complete: true },
      action: 'break-glass',
      outcome: 'allowed',
      reason: 'break-glass',
      grant,
      extra: { justification: request.reason, expiresAt: grant.expiresAt },
    });
    guard.grants.add(grant);
    deps.security.onBreakGlass(grant);
    return c.json(grantJson(grant), 201);
  });

  app.get('/api/v1/break-glass', (c) => c.json({ grants: guard.grants.list(deps.clock.now()).map(grantJson) }));
}
