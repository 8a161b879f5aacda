import { isValidId, WardstreamError, type Clock, type DeviceId } from '@wardstream/domain';
import type { Device, EnrollmentState, Registry } from '@wardstream/registry';
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isoOrNull } from '../json.js';
import { problem, type Problem } from '../problem.js';

export interface EnrollmentRouteDeps {
  readonly registry: Pick<Registry, 'getDevice' | 'setEnrollment' | 'listEnrollments'>;
  readonly clock: Clock;
  /** Hears of each approval (after it is recorded): e.g. a notification to the device's ward. */
  readonly onApproved?: (device: Device) => void;
  readonly onRejected?: (device: Device) => void;
  /** Who is deciding; default: the subject of the principal the guard set, else "unknown". */
  readonly actorOf?: (c: Context) => string;
}

const STATES: readonly EnrollmentState[] = ['pending', 'approved', 'rejected'];
const MAX_REASON_CHARS = 500;

/** A device's enrollment as the API shows it. */
export function enrollmentJson(d: Device) {
  const decision = d.enrollmentDecision;
  return {
    deviceId: d.id,
    state: d.enrollment,
    manufacturer: d.manufacturer,
    bootstrapSerial: d.bootstrapSerial,
    enrolledAt: isoOrNull(d.enrolledAt),
    decision:
      decision === null
        ? null
        : { state: decision.state, by: decision.by, at: new Date(decision.at).toISOString(), reason: decision.reason },
  };
}

function answer(c: Context, doc: Problem): Response {
  return c.json({ ...doc, instance: c.req.path }, doc.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
  });
}

function defaultActor(c: Context): string {
  const principal = c.get('principal') as { readonly subject?: unknown } | undefined;
  return typeof principal?.subject === 'string' ? principal.subject : 'unknown';
}

/** The optional `{"reason": "…"}` body of a decision: the reason, null, or the problem with the body. */
async function reasonOf(c: Context): Promise<string | null | Problem> {
  const text = await c.req.text();
  if (text.trim() === '') return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return problem('invalid-body', 400, 'the body must be a JSON object: {"reason": "…"} (optional)');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return problem('invalid-body', 400, 'the body must be a JSON object');
  const errors: { name: string; reason: string }[] = [];
  for (const key of Object.keys(body)) if (key !== 'reason') errors.push({ name: key, reason: 'unknown field' });
  const reason = (body as { reason?: unknown }).reason;
  if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > MAX_REASON_CHARS))
    errors.push({ name: 'reason', reason: `must be a string of at most ${MAX_REASON_CHARS} characters` });
  if (errors.length > 0) {
    return problem('invalid-body', 422, errors.map((e) => `${e.name}: ${e.reason}`).join('; '), errors);
  }
  return typeof reason === 'string' && reason.trim() !== '' ? reason.trim() : null;
}

/**
 * Zero-touch enrollment decisions, for admins (the guard's policy says who may call):
 * `POST /api/v1/devices/{deviceId}/approve` and `/reject` with an optional `{"reason"}` decide a
 * pending enrollment (404 unknown device, 409 not pending: never enrolled or already decided);
 * `GET /api/v1/enrollments?state=pending|approved|rejected` lists enrollments, oldest first.
 * An approval takes effect for the device's next MQTT connection (the endpoint's ApprovalIndex
 * follows the registry).
 */
export function mountEnrollmentRoutes(app: Hono, deps: EnrollmentRouteDeps): void {
  const actorOf = deps.actorOf ?? defaultActor;

  const decide = (state: 'approved' | 'rejected') => async (c: Context) => {
    const raw = c.req.param('deviceId') ?? '';
    if (!isValidId(raw)) return answer(c, problem('invalid-parameter', 400, 'deviceId: use 1-64 of A-Z a-z 0-9 . _ -'));
    const reason = await reasonOf(c);
    if (reason !== null && typeof reason === 'object') return answer(c, reason);
    let device: Device;
    try {
      device = await deps.registry.setEnrollment(raw as DeviceId, state, actorOf(c), deps.clock.now(), reason);
    } catch (err) {
      if (err instanceof WardstreamError && err.code === 'NOT_FOUND')
        return answer(c, problem('not-found', 404, err.message));
      if (err instanceof WardstreamError && err.code === 'CONFLICT')
        return answer(c, problem('conflict', 409, err.message));
      throw err;
    }
    (state === 'approved' ? deps.onApproved : deps.onRejected)?.(device);
    return c.json(enrollmentJson(device));
  };

  app.post('/api/v1/devices/:deviceId/approve', decide('approved'));
  app.post('/api/v1/devices/:deviceId/reject', decide('rejected'));

  app.get('/api/v1/enrollments', async (c) => {
    const state = c.req.query('state');
    if (state !== undefined && !STATES.includes(state as EnrollmentState)) {
      return answer(
        c,
        problem('invalid-parameter', 400, `state: must be one of ${STATES.join(', ')}`, [
          { name: 'state', reason: `must be one of ${STATES.join(', ')}` },
        ]),
      );
    }
    const devices = await deps.registry.listEnrollments(state as EnrollmentState | undefined);
    return c.json({ enrollments: devices.map(enrollmentJson) });
  });
}
