import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mountedRoutes } from './guard-routes.js';
import type { AccessAuditRecord } from './access-audit.js';
import { CALLERS, twoWards, type CallerName, type TwoWards } from '../testing/two-wards.js';

/**
 * The role × endpoint × ward matrix, written out by hand (not derived from the policy table, so the
 * table can be wrong and this test fail). Columns, in order:
 *   nurseA nurseB physicianA physicianB admin adminBreakGlass device service (no token)
 * Y: allowed (the handler runs: any status but 401/403), F: 403, U: 401. Every request is about
 * patient pa of ward w-a (nurseA, physicianA: its ward; nurseB, physicianB: another), its monitor
 * mon-a, its alarm and binding. Bodies of writes are invalid after the guard (a 4xx from the handler)
 * so no request changes what the next one sees.
 *
 * `audit`: A = one record for every request; D = one record only when refused (no patient data);
 * `names`: the patients an allowed request's record names (`pa`, `*` for a list, `-` for none).
 */
const COLUMNS: readonly (CallerName | 'anonymous')[] = [
  'nurseA',
  'nurseB',
  'physicianA',
  'physicianB',
  'admin',
  'adminBreakGlass',
  'device',
  'service',
  'anonymous',
];

interface Row {
  readonly expect: string;
  readonly audit: 'A' | 'D';
  readonly action: 'read' | 'write' | 'break-glass';
  readonly names: 'pa' | '*' | '-';
  readonly body?: unknown;
}

const read = (expect: string, names: Row['names'] = 'pa'): Row => ({ expect, audit: 'A', action: 'read', names });
const write = (expect: string, body: unknown, names: Row['names'] = 'pa'): Row => ({
  expect,
  audit: 'A',
  action: 'write',
  names,
  body,
});
const quiet = (expect: string, action: Row['action'] = 'read', body?: unknown): Row => ({
  expect,
  audit: 'D',
  action,
  names: '-',
  ...(body === undefined ? {} : { body }),
});
const OPEN = 'YYYYYYYYY';

const MATRIX: Readonly<Record<string, Row>> = {
  'GET /healthz': quiet(OPEN),
  'GET /readyz': quiet(OPEN),
  'GET /api/v1/openapi.json': quiet(OPEN),
  'GET /api/v1/codes': quiet(OPEN),
  'GET /app': quiet(OPEN),
  'GET /app/*': quiet(OPEN),
  'GET /app/assets/:name': quiet(OPEN),
  'GET /.well-known/openid-configuration': quiet(OPEN),
  'GET /oauth/jwks.json': quiet(OPEN),
  'GET /oauth/authorize': quiet(OPEN),
  'POST /oauth/authorize': quiet(OPEN, 'write', {}),
  'POST /oauth/token': quiet(OPEN, 'write', {}),
  //                                          nA nB pA pB ad bg dv sv --
  'GET /api/v1/health': quiet('FFFFYYFYU'),
  'GET /metrics': quiet('FFFFYYFYU'),
  'GET /api/v1/metrics': quiet('FFFFYYFYU'),

  'GET /api/v1/patients': read('YYYYFFFYU', '*'),
  'POST /api/v1/patients': write('YFYFYYFYU', { id: 'pa', wardId: 'w-a', displayName: 42 }),
  'GET /api/v1/patients/:patientId': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/readings': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/readings/latest': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/readings/aggregates': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/waveforms': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/live': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/scores': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/scores/:score': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/alarms': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/ecg': read('YFYFFYFYU'),
  'GET /api/v1/patients/:patientId/observations': read('YFYFFYFYU'),
  'POST /api/v1/patients/:patientId/observations': write('YFYFFFFFU', { kind: 'nonsense' }),
  'GET /api/v1/patients/:patientId/rules': read('YFYFFYFYU'),
  'PUT /api/v1/patients/:patientId/rules': write('FFYFFFFFU', {}),
  'GET /api/v1/patients/:patientId/rules/effective': read('YFYFFYFYU'),

  'GET /api/v1/devices': quiet('FFFFYYFYU'),
  'POST /api/v1/devices': { ...quiet('FFFFYYFYU', 'write', { id: 'mon-new', model: 5 }), audit: 'A' },
  'GET /api/v1/devices/unassigned': quiet('YYYYYYFYU'),
  'GET /api/v1/devices/:deviceId': read('YFYFFYFYU'),
  'POST /api/v1/devices/:deviceId/transfer': write('YFYFYYFYU', { patientId: 'pa', at: 'soon' }),
  'GET /api/v1/devices/:deviceId/readings': read('YFYFFYFYU'),
  'GET /api/v1/devices/:deviceId/readings/latest': read('YFYFFYFYU'),
  'GET /api/v1/devices/:deviceId/readings/aggregates': read('YFYFFYFYU'),
  'GET /api/v1/devices/:deviceId/waveforms': read('YFYFFYFYU'),
  'GET /api/v1/devices/:deviceId/live': read('YFYFFYFYU'),
  'GET /api/v1/devices/:deviceId/ecg': read('YFYFFYFYU'),
  'GET /api/v1/fleet': quiet('FFFFYYFYU'),

  'GET /api/v1/bindings': read('YYYYFFFYU', '*'),
  'POST /api/v1/bindings': write('YFYFYYFYU', { deviceId: 'mon-a', patientId: 'pa', from: 'soon' }),
  'GET /api/v1/bindings/:bindingId': read('YFYFFYFYU'),
  'POST /api/v1/bindings/:bindingId/discharge': write('YFYFYYFYU', { at: 'soon' }),

  'GET /api/v1/wards/:wardId/live': read('YFYFFFFYU', '-'),
  'GET /api/v1/wards/:wardId/latest': read('YFYFFFFYU', '-'),
  'GET /api/v1/wards/:wardId/rules': quiet('YFYFYYFYU'),
  'PUT /api/v1/wards/:wardId/rules': { ...quiet('FFFFYYFFU', 'write', {}), audit: 'A' },
  'GET /api/v1/rules/default': quiet('YYYYYYFYU'),
  'PUT /api/v1/rules/default': { ...quiet('FFFFYYFFU', 'write', {}), audit: 'A' },

  'GET /api/v1/alarms': read('YYYYFFFYU', '*'),
  'GET /api/v1/alarms/:alarmId': read('YFYFFYFYU'),
  'POST /api/v1/alarms/:alarmId/acknowledge': write('YFYFFFFFU', {}),
  'POST /api/v1/alarms/:alarmId/silence': write('YFYFFFFFU', {}),
  'POST /api/v1/alarms/:alarmId/escalate': write('YFYFFFFFU', {}),
  'POST /api/v1/alarms/:alarmId/resolve': write('YFYFFFFFU', {}),
  'GET /api/v1/alarm-burden': quiet('FFFFYYFYU'),

  'GET /api/v1/audit': { ...quiet('FFFFYYFFU'), audit: 'A' },
  // The body is refused (reason too short) after the guard: no grant, no record.
  'POST /api/v1/break-glass': quiet('YYYYYYFFU', 'break-glass', { patientId: 'pa', reason: 'short' }),
  'GET /api/v1/break-glass': { ...quiet('FFFFYYFFU'), audit: 'A' },

  'GET /api/v1/users': quiet('FFFFYYFFU'),
  'POST /api/v1/users': { ...quiet('FFFFYYFFU', 'write', {}), audit: 'A' },
  'GET /api/v1/users/:username': quiet('FFFFYYFFU'),
  'PATCH /api/v1/users/:username': { ...quiet('FFFFYYFFU', 'write', {}), audit: 'A' },
  'POST /api/v1/clients': { ...quiet('FFFFYYFFU', 'write', {}), audit: 'A' },
  'POST /api/v1/devices/:deviceId/approve': { ...quiet('FFFFYYFFU', 'write', {}), audit: 'A' },
  'POST /api/v1/devices/:deviceId/reject': { ...quiet('FFFFYYFFU', 'write', {}), audit: 'A' },
  'GET /api/v1/enrollments': quiet('FFFFYYFFU'),
};

const USER_AGENT = 'access-matrix/1';

describe('access: the role × endpoint × ward matrix', () => {
  let fx: TwoWards;

  before(async () => {
    fx = await twoWards();
  });
  after(() => fx.api.close());

  it('has a row for every mounted route, and a route for every row', () => {
    assert.deepEqual(mountedRoutes(fx.api.app).sort(), Object.keys(MATRIX).sort());
  });

  it('answers each caller as the matrix says, and audits each access once with the right fields', async () => {
    const { api } = fx;
    const params: Record<string, string> = {
      patientId: 'pa',
      deviceId: 'mon-a',
      wardId: 'w-a',
      alarmId: fx.alarmA,
      bindingId: fx.bindingA,
      score: 'news2',
      username: 'someone',
    };
    const mismatches: string[] = [];
    const recordProblems: string[] = [];
    let refused = 0;
    let unauthenticated = 0;
    for (const [route, row] of Object.entries(MATRIX)) {
      const [method = '', pattern = ''] = route.split(' ');
      const path = pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => params[name] ?? name);
      for (const [i, caller] of COLUMNS.entries()) {
        const expected = row.expect[i];
        api.auth.audit.clear();
        const claims = caller === 'anonymous' ? {} : api.authorization(CALLERS[caller]);
        const res = await api.app.request(path, {
          method,
          headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...claims },
          ...(row.body === undefined ? {} : { body: JSON.stringify(row.body) }),
        });
        await res.body?.cancel();
        const got = res.status === 401 ? 'U' : res.status === 403 ? 'F' : res.status < 500 ? 'Y' : `${res.status}`;
        if (got !== expected) mismatches.push(`${route} as ${caller}: expected ${expected ?? '?'}, got ${got}`);
        if (got === 'F') refused += 1;
        if (got === 'U') unauthenticated += 1;

        const records = api.auth.audit.records;
        const wanted = got === 'Y' ? (row.audit === 'A' ? 1 : 0) : 1;
        if (records.length !== wanted) {
          recordProblems.push(`${route} as ${caller}: ${records.length} records, expected ${wanted}`);
          continue;
        }
        const [record] = records;
        if (record !== undefined)
          recordProblems.push(...checkRecord(record, { route, path, method, caller, got, row }));
      }
    }
    assert.deepEqual(mismatches, []);
    assert.deepEqual(recordProblems, []);
    assert.equal(api.auth.denials.length, refused);
    assert.equal(api.auth.authFailures.length, unauthenticated);
    assert.ok(api.auth.authFailures.every((reason) => reason === 'missing-token'));
  });
});

/** The problems of one access record, as strings (none: it is right). */
function checkRecord(
  record: AccessAuditRecord,
  request: { route: string; path: string; method: string; caller: CallerName | 'anonymous'; got: string; row: Row },
): string[] {
  const { route, path, method, caller, got, row } = request;
  const claims = caller === 'anonymous' ? undefined : CALLERS[caller];
  const outcome = got === 'Y' ? 'allowed' : got === 'F' ? 'denied' : 'unauthenticated';
  const action = got === 'Y' ? row.action : 'deny';
  // An admin reads pa through the grant; ADT writes it may make as admin anyway.
  const viaGrant = got === 'Y' && caller === 'adminBreakGlass' && row.names === 'pa' && row.action === 'read';
  const wards = claims !== undefined && 'wards' in claims ? claims.wards : [];
  const expected: Partial<Record<keyof AccessAuditRecord, unknown>> = {
    subject: claims?.sub ?? null,
    roles: claims?.roles ?? [],
    route,
    object: { method, path },
    outcome,
    action,
    client: { address: null, userAgent: USER_AGENT },
    severity: viaGrant ? 'high' : 'normal',
    ...(got === 'Y' && row.names === 'pa' ? { patients: ['pa'] } : {}),
    ...(got === 'Y' && row.names === '*' ? { patients: ['*'], wards: caller === 'service' ? ['*'] : wards } : {}),
    ...(got === 'Y' && route.includes(':wardId') ? { wards: ['w-a'] } : {}),
    ...(viaGrant ? { reason: 'break-glass' } : {}),
  };
  const problems = Object.entries(expected).flatMap(([key, value]) => {
    const actual = record[key as keyof AccessAuditRecord];
    try {
      assert.deepEqual(actual, value);
      return [];
    } catch {
      return [`${route} as ${caller}: ${key} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`];
    }
  });
  if (viaGrant && typeof record.grantId !== 'string') problems.push(`${route} as ${caller}: no grantId`);
  return problems;
}
