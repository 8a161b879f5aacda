import { isValidId, patientId, wardId, type WardId } from '@wardstream/domain';
import type { Hono } from 'hono';
import type { Patient } from '@wardstream/registry';
import { accessOf } from '../access/context.js';
import type { ApiDeps } from '../deps.js';
import { jsonBody } from '../json.js';
import { problem, RequestProblem } from '../problem.js';
import { mountReadingRoutes } from './readings.js';
import { knownPatient } from './subjects.js';
import { wardVisible } from './visible.js';

export function patientJson(p: Patient) {
  return {
    id: p.id,
    displayName: p.displayName,
    wardId: p.wardId,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
}

function optionalString(
  body: Record<string, unknown>,
  name: string,
  errors: string[],
  id = false,
): string | null | undefined {
  const value = body[name];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string' || value.length > 200 || (id && !isValidId(value))) {
    errors.push(id ? `${name}: use 1-64 of A-Z a-z 0-9 . _ -` : `${name}: must be a string of at most 200 characters`);
    return undefined;
  }
  return value;
}

/** /api/v1/patients: list (of the caller's wards), create/update, one patient, and its readings. */
export function mountPatientRoutes(app: Hono, deps: ApiDeps): void {
  app.get('/api/v1/patients', async (c) => {
    const ward = c.req.query('ward');
    if (ward !== undefined && !isValidId(ward)) {
      throw new RequestProblem(problem('invalid-parameter', 400, 'ward: use 1-64 of A-Z a-z 0-9 . _ -'));
    }
    const patients = await deps.registry.listPatients(ward === undefined ? {} : { wardId: wardId(ward) });
    const { scope } = accessOf(c);
    return c.json({ patients: patients.filter((p) => wardVisible(scope, p.wardId)).map(patientJson) });
  });

  app.post('/api/v1/patients', async (c) => {
    const body = await jsonBody(c);
    const errors: string[] = [];
    const id = body['id'];
    if (typeof id !== 'string' || !isValidId(id)) errors.push('id: required, 1-64 of A-Z a-z 0-9 . _ -');
    const displayName = optionalString(body, 'displayName', errors);
    const ward = optionalString(body, 'wardId', errors, true);
    if (errors.length > 0 || typeof id !== 'string') {
      throw new RequestProblem(problem('invalid-body', 422, errors.join('; ')));
    }
    const existed = (await deps.registry.getPatient(patientId(id))) !== undefined;
    const patient = await deps.registry.putPatient(
      {
        id: patientId(id),
        ...(displayName === undefined ? {} : { displayName }),
        ...(ward === undefined ? {} : { wardId: ward as WardId | null }),
      },
      deps.clock.now(),
    );
    return c.json(patientJson(patient), existed ? 200 : 201);
  });

  app.get('/api/v1/patients/:patientId', async (c) => {
    const id = await knownPatient(c, deps);
    const patient = await deps.registry.getPatient(id);
    const bindings = await deps.registry.bindings({ patientId: id, openOnly: true });
    return c.json({ ...(patient && patientJson(patient)), devices: bindings.map((b) => b.deviceId) });
  });

  mountReadingRoutes(app, '/api/v1/patients/:patientId', deps, async (c) => ({
    patientId: await knownPatient(c, deps),
  }));
}
