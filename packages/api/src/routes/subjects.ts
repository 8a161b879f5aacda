import {
  deviceId as toDeviceId,
  isValidId,
  patientId as toPatientId,
  WardstreamError,
  type DeviceId,
  type PatientId,
} from '@wardstream/domain';
import type { Context } from 'hono';
import { accessOf } from '../access/context.js';
import type { ApiDeps } from '../deps.js';
import { problem, RequestProblem } from '../problem.js';

function idParam(c: Context, name: string): string {
  const raw = c.req.param(name) ?? '';
  if (!isValidId(raw)) {
    throw new RequestProblem(problem('invalid-parameter', 400, `${name}: use 1-64 of A-Z a-z 0-9 . _ -`));
  }
  return raw;
}

/** The `:patientId` path parameter of a registered patient, or a 400/404 problem. */
export async function knownPatient(c: Context, deps: ApiDeps): Promise<PatientId> {
  const id = toPatientId(idParam(c, 'patientId'));
  if ((await deps.registry.getPatient(id)) === undefined) {
    throw new WardstreamError('NOT_FOUND', `patient ${id} is not registered`);
  }
  return id;
}

/**
 * From when (epoch ms) a device route may show the device's data: for a caller let in for the
 * device's current patient only (`Access.bound`), the start of its open binding (+Infinity without
 * one), so that what the device measured for an earlier patient, maybe of another ward, stays
 * hidden; for everyone else -Infinity.
 */
export async function deviceDataSince(c: Context, deps: ApiDeps, id: DeviceId): Promise<number> {
  if (!accessOf(c).bound) return -Infinity;
  const [open] = await deps.registry.bindings({ deviceId: id, openOnly: true });
  return open === undefined ? Infinity : open.fromAt;
}

/**
 * The `:deviceId` path parameter. A device need not be registered to have readings (an unknown
 * device's data is kept as unassigned), so only the id's syntax is checked.
 */
export function deviceParam(c: Context): DeviceId {
  return toDeviceId(idParam(c, 'deviceId'));
}
