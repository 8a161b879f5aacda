import type { Role, WardRole } from './roles.js';

/**
 * What a route is about, so the guard can find the patient (and so the ward) before the handler
 * runs:
 * - `none`: no patient data (system, configuration, management);
 * - `list`: a list the handler filters to the caller's wards;
 * - `ward`: the `:wardId` path parameter;
 * - `patient`: the `:patientId` path parameter;
 * - `device`: the patient of the `:deviceId` path parameter's open binding (none when unbound);
 * - `alarm`: the alarm's patient (or, for a device's technical alarm, the device's open binding's);
 * - `binding`: the binding's patient;
 * - `admission`: the body's `patientId` (POST /api/v1/bindings);
 * - `transfer`: the device's current patient and the body's `patientId`;
 * - `patient-upsert`: the patient's current ward and the body's `wardId` (POST /api/v1/patients).
 */
export type TargetKind =
  'none' | 'list' | 'ward' | 'patient' | 'device' | 'alarm' | 'binding' | 'admission' | 'transfer' | 'patient-upsert';

/**
 * Which requests of a route write an access audit record before the handler runs: `always` (patient
 * data, and every write), `denials` (routes with no patient data: only refusals), `handler` (the
 * handler writes the one record itself, after validating the body: break-glass).
 */
export type AuditMode = 'always' | 'denials' | 'handler';

export type AccessKind = 'read' | 'write' | 'break-glass';

export interface ProtectedPolicy {
  readonly kind: 'protected';
  readonly action: AccessKind;
  readonly target: TargetKind;
  /** Roles allowed whatever the ward. */
  readonly anyWard: readonly Role[];
  /** Roles allowed for patients on the wards of their token (ward routes: that ward; lists: filtered). */
  readonly inWard: readonly WardRole[];
  /**
   * Whether a break-glass grant for the patient admits its holder: to a read whatever the holder's
   * role (admin, nurse, physician); to a write only when the holder has one of `inWard`'s roles.
   */
  readonly breakGlass: boolean;
  readonly audit: AuditMode;
  /** The token may come as `?access_token=` (live feeds: a browser's EventSource cannot set headers). */
  readonly queryToken: boolean;
}

/** `public`: no token needed, nothing audited (no patient data). */
export type RoutePolicy = { readonly kind: 'public' } | ProtectedPolicy;

const PUBLIC: RoutePolicy = { kind: 'public' };
const CARE: readonly WardRole[] = ['nurse', 'physician'];

/**
 * Patient data read: the patient's ward's nurses and physicians, integrations, and break-glass
 * holders of that patient. A grant is for one patient, so it opens no list and no ward view.
 */
function patientRead(target: TargetKind, queryToken = false): ProtectedPolicy {
  return {
    kind: 'protected',
    action: 'read',
    target,
    anyWard: ['service'],
    inWard: CARE,
    breakGlass: target !== 'list' && target !== 'ward',
    audit: 'always',
    queryToken,
  };
}

/** A clinical act on a patient (alarm commands, charting): care staff of the ward, or with a grant. */
function careWrite(target: TargetKind, inWard: readonly WardRole[] = CARE, breakGlass = true): ProtectedPolicy {
  return {
    kind: 'protected',
    action: 'write',
    target,
    anyWard: [],
    inWard,
    breakGlass,
    audit: 'always',
    queryToken: false,
  };
}

/** Admission, transfer, discharge, patient records (ADT): care staff of the ward, admin, the ADT feed. */
function adt(target: TargetKind): ProtectedPolicy {
  return {
    kind: 'protected',
    action: 'write',
    target,
    anyWard: ['admin', 'service'],
    inWard: CARE,
    breakGlass: false,
    audit: 'always',
    queryToken: false,
  };
}

/** No patient data: the roles listed, whatever their wards. Writes are audited, reads only when refused. */
function management(action: 'read' | 'write', roles: readonly Role[], audit?: AuditMode): ProtectedPolicy {
  return {
    kind: 'protected',
    action,
    target: 'none',
    anyWard: roles,
    inWard: [],
    breakGlass: false,
    audit: audit ?? (action === 'write' ? 'always' : 'denials'),
    queryToken: false,
  };
}

const OPERATORS: readonly Role[] = ['admin', 'service'];

/**
 * Every route of the API and its access policy, keyed `METHOD path` exactly as mounted. Deny by
 * default: `createApi` throws when a route is mounted without an entry here, and a test checks that
 * every entry has a route. Read with docs/API.md → Security, which explains each choice.
 */
export const ROUTE_POLICIES = {
  // Probes and descriptions: no patient data, no token (load balancers, browsers, code generators).
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'GET /api/v1/openapi.json': PUBLIC,
  'GET /api/v1/codes': PUBLIC,
  // The web dashboard's files: no patient data (the app signs in before it reads any).
  'GET /app': PUBLIC,
  'GET /app/*': PUBLIC,
  'GET /app/assets/:name': PUBLIC,
  // Health detail and metrics name components and counts: operators and scrapers.
  'GET /api/v1/health': management('read', OPERATORS),
  'GET /metrics': management('read', OPERATORS),
  'GET /api/v1/metrics': management('read', OPERATORS),

  'GET /api/v1/patients': patientRead('list'),
  'POST /api/v1/patients': adt('patient-upsert'),
  'GET /api/v1/patients/:patientId': patientRead('patient'),
  'GET /api/v1/patients/:patientId/readings': patientRead('patient'),
  'GET /api/v1/patients/:patientId/readings/latest': patientRead('patient'),
  'GET /api/v1/patients/:patientId/readings/aggregates': patientRead('patient'),
  'GET /api/v1/patients/:patientId/waveforms': patientRead('patient'),
  'GET /api/v1/patients/:patientId/live': patientRead('patient', true),
  'GET /api/v1/patients/:patientId/scores': patientRead('patient'),
  'GET /api/v1/patients/:patientId/alarms': patientRead('patient'),
  'GET /api/v1/patients/:patientId/scores/:score': patientRead('patient'),
  'GET /api/v1/patients/:patientId/ecg': patientRead('patient'),
  'GET /api/v1/patients/:patientId/observations': patientRead('patient'),
  'POST /api/v1/patients/:patientId/observations': careWrite('patient'),
  'GET /api/v1/patients/:patientId/rules': patientRead('patient'),
  'PUT /api/v1/patients/:patientId/rules': careWrite('patient', ['physician'], false),
  'GET /api/v1/patients/:patientId/rules/effective': patientRead('patient'),

  // The fleet: ids, models and connection times, no patient data. Nurses and physicians see the
  // unassigned monitors because they admit them.
  'GET /api/v1/devices': management('read', OPERATORS),
  'POST /api/v1/devices': management('write', OPERATORS),
  'GET /api/v1/devices/unassigned': management('read', ['admin', 'service', 'nurse', 'physician']),
  'GET /api/v1/devices/:deviceId': patientRead('device'),
  'POST /api/v1/devices/:deviceId/transfer': adt('transfer'),
  'GET /api/v1/devices/:deviceId/readings': patientRead('device'),
  'GET /api/v1/devices/:deviceId/readings/latest': patientRead('device'),
  'GET /api/v1/devices/:deviceId/readings/aggregates': patientRead('device'),
  'GET /api/v1/devices/:deviceId/waveforms': patientRead('device'),
  'GET /api/v1/devices/:deviceId/live': patientRead('device', true),
  'GET /api/v1/devices/:deviceId/ecg': patientRead('device'),
  // Each device's operational status (battery, signal, certificate, counters) and its binding's ward,
  // never its patient: device data for operators.
  'GET /api/v1/fleet': management('read', OPERATORS),

  'GET /api/v1/bindings': patientRead('list'),
  'POST /api/v1/bindings': adt('admission'),
  'GET /api/v1/bindings/:bindingId': patientRead('binding'),
  'POST /api/v1/bindings/:bindingId/discharge': adt('binding'),

  // A ward's views are patient data of every patient on it.
  'GET /api/v1/wards/:wardId/live': patientRead('ward', true),
  'GET /api/v1/wards/:wardId/latest': patientRead('ward'),
  // A ward's alarm rules are configuration (admin writes them, so admin reads them).
  'GET /api/v1/wards/:wardId/rules': {
    ...patientRead('ward'),
    anyWard: ['admin', 'service'],
    audit: 'denials',
  },
  'PUT /api/v1/wards/:wardId/rules': { ...management('write', ['admin']), target: 'ward' },
  'GET /api/v1/rules/default': management('read', ['nurse', 'physician', 'admin', 'service']),
  'PUT /api/v1/rules/default': management('write', ['admin']),

  'GET /api/v1/alarms': patientRead('list'),
  'GET /api/v1/alarms/:alarmId': patientRead('alarm'),
  'POST /api/v1/alarms/:alarmId/acknowledge': careWrite('alarm'),
  'POST /api/v1/alarms/:alarmId/silence': careWrite('alarm'),
  'POST /api/v1/alarms/:alarmId/escalate': careWrite('alarm'),
  'POST /api/v1/alarms/:alarmId/resolve': careWrite('alarm'),
  // Counts over every ward (no patient named); a per-ward burden would need a ward filter the store lacks.
  'GET /api/v1/alarm-burden': management('read', OPERATORS),

  // The audit trail names who read which patient: admin only, and reading it is itself audited.
  'GET /api/v1/audit': management('read', ['admin'], 'always'),
  'POST /api/v1/break-glass': {
    ...management('write', ['admin', 'nurse', 'physician'], 'handler'),
    action: 'break-glass',
  },
  'GET /api/v1/break-glass': management('read', ['admin'], 'always'),

  // Identity (the embedded issuer): discovery, keys, the browser sign-in and the token endpoint are
  // public by nature (they are how a caller gets a token).
  'GET /.well-known/openid-configuration': PUBLIC,
  'GET /oauth/jwks.json': PUBLIC,
  'GET /oauth/authorize': PUBLIC,
  'POST /oauth/authorize': PUBLIC,
  'POST /oauth/token': PUBLIC,
  'GET /api/v1/users': management('read', ['admin']),
  'POST /api/v1/users': management('write', ['admin']),
  'GET /api/v1/users/:username': management('read', ['admin']),
  'PATCH /api/v1/users/:username': management('write', ['admin']),
  'POST /api/v1/clients': management('write', ['admin']),
  // Zero-touch enrollment: an admin decides on a pending device.
  'POST /api/v1/devices/:deviceId/approve': management('write', ['admin']),
  'POST /api/v1/devices/:deviceId/reject': management('write', ['admin']),
  'GET /api/v1/enrollments': management('read', ['admin']),
} as const satisfies Readonly<Record<string, RoutePolicy>>;

export type RouteId = keyof typeof ROUTE_POLICIES;

/** The policy of a route as mounted (`GET`, `/api/v1/patients/:patientId`), or undefined: none declared. */
export function policyOf(method: string, path: string): RoutePolicy | undefined {
  const id = `${method.toUpperCase()} ${path}`;
  return Object.hasOwn(ROUTE_POLICIES, id) ? ROUTE_POLICIES[id as RouteId] : undefined;
}
