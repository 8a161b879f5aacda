import { deviceId, isValidId, patientId } from '@wardstream/domain';
import type { Hono } from 'hono';
import type { Device } from '@wardstream/registry';
import type { ApiDeps } from '../deps.js';
import { isoOrNull, jsonBody } from '../json.js';
import { ParamErrors } from '../params.js';
import { problem, RequestProblem } from '../problem.js';
import { bindingJson, timeField } from './bindings.js';
import { mountReadingRoutes } from './readings.js';
import { deviceDataSince, deviceParam } from './subjects.js';

function deviceJson(d: Device) {
  return {
    id: d.id,
    model: d.model,
    createdAt: new Date(d.createdAt).toISOString(),
    lastConnectedAt: isoOrNull(d.lastConnectedAt),
  };
}

/** /api/v1/devices: list, register, unassigned, transfer, and each device's readings. */
export function mountDeviceRoutes(app: Hono, deps: ApiDeps): void {
  app.get('/api/v1/devices', async (c) => {
    const devices = await deps.registry.listDevices();
    return c.json({ devices: devices.map(deviceJson) });
  });

  app.post('/api/v1/devices', async (c) => {
    const body = await jsonBody(c);
    const { id, model } = body;
    const errors: string[] = [];
    if (typeof id !== 'string' || !isValidId(id)) errors.push('id: required, 1-64 of A-Z a-z 0-9 . _ -');
    if (model !== undefined && model !== null && (typeof model !== 'string' || model.length > 200)) {
      errors.push('model: must be a string of at most 200 characters');
    }
    if (errors.length > 0 || typeof id !== 'string')
      throw new RequestProblem(problem('invalid-body', 422, errors.join('; ')));
    const existed = (await deps.registry.getDevice(deviceId(id))) !== undefined;
    const device = await deps.registry.putDevice(
      { id: deviceId(id), ...(typeof model === 'string' ? { model } : {}) },
      deps.clock.now(),
    );
    return c.json(deviceJson(device), existed ? 200 : 201);
  });

  // Readings of a device bound to no patient are kept under the device: this lists those devices.
  app.get('/api/v1/devices/unassigned', async (c) => {
    const devices = await deps.store.unassignedDevices();
    return c.json({
      devices: devices.map((d) => ({ ...d, lastObservedAt: new Date(d.lastObservedAt).toISOString() })),
    });
  });

  app.get('/api/v1/devices/:deviceId', async (c) => {
    const id = deviceParam(c);
    const device = await deps.registry.getDevice(id);
    const bindings = await deps.registry.bindings({ deviceId: id });
    if (device === undefined && bindings.length === 0) {
      throw new RequestProblem(problem('not-found', 404, `device ${id} is not registered`));
    }
    // A caller let in for the current patient sees the open binding, not the device's earlier patients.
    const since = await deviceDataSince(c, deps, id);
    const shown = bindings.filter((b) => b.fromAt >= since);
    return c.json({ ...(device && deviceJson(device)), id, bindings: shown.map(bindingJson) });
  });

  app.post('/api/v1/devices/:deviceId/transfer', async (c) => {
    const id = deviceParam(c);
    const body = await jsonBody(c);
    const errors = new ParamErrors();
    const target = body['patientId'];
    if (typeof target !== 'string' || !isValidId(target))
      errors.add('patientId', 'required, 1-64 of A-Z a-z 0-9 . _ -');
    const at = timeField(body, 'at', errors, deps.clock.now());
    errors.throwIfAny();
    const binding = await deps.registry.transfer(id, patientId(String(target)), at);
    return c.json(bindingJson(binding), 201);
  });

  mountReadingRoutes(
    app,
    '/api/v1/devices/:deviceId',
    deps,
    (c) => Promise.resolve({ deviceId: deviceParam(c) }),
    (c) => deviceDataSince(c, deps, deviceParam(c)),
  );
}
