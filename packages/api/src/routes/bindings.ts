import { deviceId, isValidId, patientId, type Binding } from '@wardstream/domain';
import type { Hono } from 'hono';
import { accessOf } from '../access/context.js';
import type { ApiDeps } from '../deps.js';
import { isoOrNull, jsonBody } from '../json.js';
import { instantParam, ParamErrors } from '../params.js';
import { problem, RequestProblem } from '../problem.js';
import { visiblePatients } from './visible.js';

export function bindingJson(b: Binding) {
  return {
    id: b.id,
    deviceId: b.deviceId,
    patientId: b.patientId,
    from: new Date(b.fromAt).toISOString(),
    to: isoOrNull(b.toAt),
  };
}

/** An instant in a JSON body: epoch milliseconds (number or digits) or ISO-8601; `fallback` when absent. */
export function timeField(body: Record<string, unknown>, name: string, errors: ParamErrors, fallback: number): number {
  const raw = body[name];
  if (raw !== undefined && typeof raw !== 'string' && typeof raw !== 'number') {
    errors.add(name, 'must be epoch milliseconds or ISO-8601');
    return fallback;
  }
  return instantParam(errors, name, raw === undefined ? undefined : String(raw), fallback);
}

/**
 * /api/v1/bindings: admit (POST), list (bindings of the caller's wards' patients), discharge.
 * Transfer is POST /api/v1/devices/{id}/transfer.
 */
export function mountBindingRoutes(app: Hono, deps: ApiDeps): void {
  app.get('/api/v1/bindings', async (c) => {
    const errors = new ParamErrors();
    const device = c.req.query('deviceId');
    const patient = c.req.query('patientId');
    if (device !== undefined && !isValidId(device)) errors.add('deviceId', 'invalid id');
    if (patient !== undefined && !isValidId(patient)) errors.add('patientId', 'invalid id');
    errors.throwIfAny();
    const bindings = await deps.registry.bindings({
      ...(device === undefined ? {} : { deviceId: deviceId(device) }),
      ...(patient === undefined ? {} : { patientId: patientId(patient) }),
      ...(c.req.query('open') === 'true' ? { openOnly: true } : {}),
    });
    const visible = await visiblePatients(deps, accessOf(c).scope);
    const shown = visible === 'all' ? bindings : bindings.filter((b) => visible.has(b.patientId));
    return c.json({ bindings: shown.map(bindingJson) });
  });

  app.post('/api/v1/bindings', async (c) => {
    const body = await jsonBody(c);
    const errors = new ParamErrors();
    const device = body['deviceId'];
    const patient = body['patientId'];
    if (typeof device !== 'string' || !isValidId(device)) errors.add('deviceId', 'required, a valid id');
    if (typeof patient !== 'string' || !isValidId(patient)) errors.add('patientId', 'required, a valid id');
    const fromAt = timeField(body, 'from', errors, deps.clock.now());
    errors.throwIfAny();
    const binding = await deps.registry.admit(deviceId(String(device)), patientId(String(patient)), fromAt);
    return c.json(bindingJson(binding), 201);
  });

  app.get('/api/v1/bindings/:bindingId', async (c) => {
    const binding = await deps.registry.getBinding(c.req.param('bindingId'));
    if (binding === undefined) throw new RequestProblem(problem('not-found', 404, 'no such binding'));
    return c.json(bindingJson(binding));
  });

  app.post('/api/v1/bindings/:bindingId/discharge', async (c) => {
    const body = await jsonBody(c).catch(() => ({}));
    const errors = new ParamErrors();
    const toAt = timeField(body, 'at', errors, deps.clock.now());
    errors.throwIfAny();
    const binding = await deps.registry.discharge(c.req.param('bindingId'), toAt);
    return c.json(bindingJson(binding));
  });
}
