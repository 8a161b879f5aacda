import { deviceId, patientId } from '@wardstream/domain';
import type { Hono } from 'hono';
import type { RouteMounter } from '../deps.js';
import type { TokenClaims } from './auth.js';
import { ClinicalApi, T0, type ClinicalApiOptions } from './clinical-api.js';

const SPO2 = 'MDC_PULS_OXIM_SAT_O2';

/** Who calls, in the access tests: care staff of ward A (patient pa's) and of ward B, and the rest. */
export const CALLERS = {
  nurseA: { sub: 'nurse.a', roles: ['nurse'], wards: ['w-a'] },
  nurseB: { sub: 'nurse.b', roles: ['nurse'], wards: ['w-b'] },
  physicianA: { sub: 'dr.a', roles: ['physician'], wards: ['w-a'] },
  physicianB: { sub: 'dr.b', roles: ['physician'], wards: ['w-b'] },
  admin: { sub: 'admin.plain', roles: ['admin'] },
  /** An admin who holds a break-glass grant for pa (made by the fixture). */
  adminBreakGlass: { sub: 'admin.bg', roles: ['admin'] },
  device: { sub: 'mon-a', roles: ['device'] },
  service: { sub: 'fhir-export', roles: ['service'] },
} as const satisfies Record<string, TokenClaims>;

export type CallerName = keyof typeof CALLERS;

/** Identity and enrollment routes as their packages mount them, answering 204: the guard is what is tested. */
export function standInRoutes(calls: string[]): { identity: RouteMounter; enrollment: RouteMounter } {
  const standIn = (app: Hono, method: 'get' | 'post' | 'patch', path: string) => {
    app[method](path, (c) => {
      calls.push(`${method.toUpperCase()} ${path}`);
      return c.body(null, 204);
    });
  };
  return {
    identity: (app) => {
      standIn(app, 'get', '/.well-known/openid-configuration');
      standIn(app, 'get', '/oauth/jwks.json');
      standIn(app, 'get', '/oauth/authorize');
      standIn(app, 'post', '/oauth/authorize');
      standIn(app, 'post', '/oauth/token');
      standIn(app, 'get', '/api/v1/users');
      standIn(app, 'post', '/api/v1/users');
      standIn(app, 'get', '/api/v1/users/:username');
      standIn(app, 'patch', '/api/v1/users/:username');
      standIn(app, 'post', '/api/v1/clients');
    },
    enrollment: (app) => {
      standIn(app, 'post', '/api/v1/devices/:deviceId/approve');
      standIn(app, 'post', '/api/v1/devices/:deviceId/reject');
      standIn(app, 'get', '/api/v1/enrollments');
    },
  };
}

export interface TwoWards {
  readonly api: ClinicalApi;
  /** An open alarm of pa and one of pb. */
  readonly alarmA: string;
  readonly alarmB: string;
  /** pa's open binding to mon-a (pb's is to mon-b). */
  readonly bindingA: string;
  /** What the stand-in routes were asked. */
  readonly standInCalls: string[];
}

/**
 * Two wards: patient pa on w-a with monitor mon-a, pb on w-b with mon-b, each with a low-SpO2 alarm
 * raised and readings on record; the identity and enrollment stand-ins mounted; `adminBreakGlass`
 * holding a break-glass grant for pa. The clock stands at T0 + 60 s.
 */
export async function twoWards(options: ClinicalApiOptions = {}): Promise<TwoWards> {
  const standInCalls: string[] = [];
  const api = await ClinicalApi.open({ routes: standInRoutes(standInCalls), ...options });
  await api.patient('pa', 'w-a');
  await api.patient('pb', 'w-b');
  for (const [device, patient] of [
    ['mon-a', 'pa'],
    ['mon-b', 'pb'],
  ] as const) {
    await api.registry.putDevice({ id: deviceId(device), model: 'M1' }, T0);
    await api.registry.admit(deviceId(device), patientId(patient), T0);
    api.feed(patient, device, SPO2, T0, 12, 85);
  }
  api.clock.set(T0 + 60_000);
  const alarmOf = (patient: string) => api.store.listAlarms({ patientId: patient, limit: 1 })[0]?.id ?? '';
  const [binding] = await api.registry.bindings({ patientId: patientId('pa'), openOnly: true });
  const grant = await api.post(
    '/api/v1/break-glass',
    { patientId: 'pa', reason: 'covering the cardiac arrest on ward A', minutes: 60 },
    CALLERS.adminBreakGlass,
  );
  if (grant.status !== 201) throw new Error(`the fixture's break-glass grant failed: ${JSON.stringify(grant.body)}`);
  api.auth.audit.clear();
  api.auth.breakGlass.length = 0;
  return { api, alarmA: alarmOf('pa'), alarmB: alarmOf('pb'), bindingA: binding?.id ?? '', standInCalls };
}
