import { deviceId, isValidId, patientId } from '@wardstream/domain';
import type { Context } from 'hono';
import type { ApiDeps } from '../deps.js';
import { jsonBody } from '../json.js';
import type { PatientWard, Target } from './decide.js';
import type { TargetKind } from './route-policies.js';

/** A path parameter or body field that is a valid id, else undefined (the handler reports it). */
function validId(raw: unknown): string | undefined {
  return typeof raw === 'string' && isValidId(raw) ? raw : undefined;
}

async function patientWard(deps: ApiDeps, id: string): Promise<PatientWard | undefined> {
  const patient = await deps.registry.getPatient(patientId(id));
  return patient === undefined ? undefined : { patientId: id, wardId: patient.wardId };
}

/** The patient of the device's open binding, if it has one. */
async function devicePatient(deps: ApiDeps, raw: string | undefined): Promise<PatientWard | undefined> {
  const id = validId(raw);
  if (id === undefined) return undefined;
  const [open] = await deps.registry.bindings({ deviceId: deviceId(id), openOnly: true });
  return open === undefined ? undefined : patientWard(deps, open.patientId);
}

/** A set of patients, complete only when every part was found. */
function patients(found: readonly (PatientWard | undefined)[]): Target {
  const known = found.filter((p): p is PatientWard => p !== undefined);
  return { kind: 'patients', patients: known, complete: known.length === found.length && known.length > 0 };
}

const MISSING: Target = { kind: 'patients', patients: [], complete: false, missing: true };

/**
 * A patient by id; an unknown (but well-formed) id is kept, wardless, so the audit record names it.
 * `named`: the route names this patient itself, so an unknown one is `missing` (the handler's 404);
 * otherwise (an alarm's patient) it is only incomplete.
 */
async function patientById(deps: ApiDeps, raw: unknown, named: boolean): Promise<Target> {
  const id = validId(raw);
  if (id === undefined) return named ? MISSING : patients([undefined]);
  const found = await patientWard(deps, id);
  if (found !== undefined) return patients([found]);
  return {
    kind: 'patients',
    patients: [{ patientId: id, wardId: null }],
    complete: false,
    ...(named ? { missing: true } : {}),
  };
}

/**
 * What the request is about (see TargetKind), looked up in the registry and the clinical store.
 * A body is read as JSON here (Hono keeps it for the handler); one that is not JSON is the 400 the
 * handler would give.
 */
export async function resolveTarget(kind: TargetKind, c: Context, deps: ApiDeps): Promise<Target> {
  switch (kind) {
    case 'none':
      return { kind: 'none' };
    case 'list':
      return { kind: 'list' };
    case 'ward':
      return { kind: 'ward', wardId: wardParam(c) };
    case 'patient':
      return patientById(deps, c.req.param('patientId'), true);
    case 'device':
      return patients([await devicePatient(deps, c.req.param('deviceId'))]);
    case 'alarm': {
      const id = validId(c.req.param('alarmId'));
      const alarm = id === undefined ? undefined : deps.clinical?.store.getAlarm(id);
      if (alarm === undefined) return MISSING;
      if (alarm.patientId !== null) return patientById(deps, alarm.patientId, false);
      return patients([await devicePatient(deps, alarm.deviceId ?? undefined)]);
    }
    case 'binding': {
      const binding = await deps.registry.getBinding(c.req.param('bindingId') ?? '');
      return binding === undefined ? MISSING : patientById(deps, binding.patientId, false);
    }
    case 'admission':
      return patientById(deps, (await jsonBody(c))['patientId'], true);
    case 'transfer': {
      const to = validId((await jsonBody(c))['patientId']);
      const destination = to === undefined ? undefined : await patientWard(deps, to);
      return patients([destination, await devicePatient(deps, c.req.param('deviceId'))]);
    }
    case 'patient-upsert': {
      const body = await jsonBody(c);
      const id = validId(body['id']);
      if (id === undefined) return patients([undefined]);
      const existing = await patientWard(deps, id);
      // `wardId: null` takes the patient off every ward: a part on no ward, which no ward role holds.
      const ward = body['wardId'] === null ? null : validId(body['wardId']);
      // Both the ward the patient is on and the one the body moves them to must be the caller's.
      const parts = [
        ...(existing === undefined ? [] : [existing]),
        ...(ward === undefined ? [] : [{ patientId: id, wardId: ward }]),
      ];
      return parts.length === 0
        ? { kind: 'patients', patients: [{ patientId: id, wardId: null }], complete: true }
        : patients(parts);
    }
  }
}

/** The `:wardId` parameter, or `(invalid)` (no token's ward can match it). */
function wardParam(c: Context): string {
  return validId(c.req.param('wardId')) ?? '(invalid)';
}

/**
 * The target as far as the path tells it, without a lookup: what a record of a refused or
 * unauthenticated request names (no registry work for callers who may see nothing).
 */
export function pathTarget(kind: TargetKind, c: Context): Target {
  if (kind === 'ward') return { kind: 'ward', wardId: wardParam(c) };
  if (kind === 'list') return { kind: 'list' };
  const id = kind === 'patient' ? validId(c.req.param('patientId')) : undefined;
  return id === undefined
    ? { kind: 'none' }
    : { kind: 'patients', patients: [{ patientId: id, wardId: null }], complete: false };
}
