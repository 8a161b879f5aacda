/**
 * `admitFleet` against a small in-memory imitation of the platform's registry API on 127.0.0.1, port 0:
 * POST /api/v1/patients and /devices (201 created, 200 updated), POST /api/v1/bindings (404 for an
 * unknown device or patient, 409 conflict when the device is bound over the range), GET /api/v1/bindings,
 * all errors as RFC 9457 problem documents.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { deviceId } from '@wardstream/domain';
import { admitFleet, admitProblems, describeAdmission, type AdmitOptions } from './admit-fleet.js';
import { SimulationError } from './run-simulation.js';
import { simulateCommand } from './simulate-command.js';

interface FakeBinding {
  readonly id: string;
  readonly deviceId: string;
  readonly patientId: string;
  readonly fromAt: number;
  toAt: number | null;
}

interface FakeApi {
  readonly url: string;
  readonly patients: Map<string, { id: string; displayName?: string; wardId?: string }>;
  readonly devices: Map<string, { id: string; model?: string }>;
  readonly bindings: FakeBinding[];
  /** `METHOD /path?query authorization` of every request, in arrival order. */
  readonly requests: string[];
  /** Answers the next request to `METHOD /path` with this status and problem detail. */
  failNext(route: string, status: number, detail: string): void;
  /** The next GET /api/v1/bindings for this device lists nothing: it gets bound behind the caller's back. */
  hideOnce(device: string): void;
  close(): Promise<void>;
}

async function startFakeApi(): Promise<FakeApi> {
  const patients: FakeApi['patients'] = new Map();
  const devices: FakeApi['devices'] = new Map();
  const bindings: FakeBinding[] = [];
  const requests: string[] = [];
  const failures = new Map<string, { status: number; detail: string }>();
  const hidden = new Set<string>();
  type Answer = readonly [status: number, body: unknown, contentType?: string];
  const problem = (status: number, slug: string, detail: string): Answer => [
    status,
    { type: `urn:wardstream:problem:${slug}`, title: slug, status, detail },
    'application/problem+json',
  ];
  const bindingJson = (b: FakeBinding): unknown => ({
    id: b.id,
    deviceId: b.deviceId,
    patientId: b.patientId,
    from: new Date(b.fromAt).toISOString(),
    to: b.toAt === null ? null : new Date(b.toAt).toISOString(),
  });
  const answer = (req: IncomingMessage, text: string): Answer => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method ?? ''} ${url.pathname}`;
    requests.push(`${route}${url.search} ${req.headers.authorization ?? '-'}`);
    const failure = failures.get(route);
    if (failure !== undefined) {
      failures.delete(route);
      return problem(failure.status, 'internal-error', failure.detail);
    }
    const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    const id = String(body['id']);
    switch (route) {
      case 'POST /api/v1/patients': {
        const existed = patients.has(id);
        patients.set(id, { ...patients.get(id), ...body, id });
        return [existed ? 200 : 201, patients.get(id)];
      }
      case 'POST /api/v1/devices': {
        const existed = devices.has(id);
        devices.set(id, { ...devices.get(id), ...body, id });
        return [existed ? 200 : 201, devices.get(id)];
      }
      case 'POST /api/v1/bindings': {
        const [device, patient] = [String(body['deviceId']), String(body['patientId'])];
        if (!devices.has(device) || !patients.has(patient)) return problem(404, 'not-found', 'no such id');
        const fromAt = typeof body['from'] === 'number' ? body['from'] : Date.now();
        if (bindings.some((b) => b.deviceId === device && (b.toAt === null || b.toAt > fromAt)))
          return problem(409, 'conflict', `device ${device} is already bound`);
        const b = { id: `b${bindings.length + 1}`, deviceId: device, patientId: patient, fromAt, toAt: null };
        bindings.push(b);
        return [201, bindingJson(b)];
      }
      case 'GET /api/v1/bindings': {
        const device = url.searchParams.get('deviceId') ?? '';
        const open = url.searchParams.get('open') === 'true';
        const listed = hidden.delete(device)
          ? []
          : bindings.filter((b) => b.deviceId === device && (!open || b.toAt === null));
        return [200, { bindings: listed.map(bindingJson) }];
      }
      default:
        return problem(404, 'not-found', `no route ${route}`);
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [status, body, contentType = 'application/json'] = answer(req, Buffer.concat(chunks).toString('utf8'));
      res.writeHead(status, { 'content-type': contentType }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    patients,
    devices,
    bindings,
    requests,
    failNext: (route, status, detail) => failures.set(route, { status, detail }),
    hideOnce: (device) => hidden.add(device),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function withApi(run: (api: FakeApi) => Promise<void>): Promise<void> {
  const api = await startFakeApi();
  try {
    await run(api);
  } finally {
    await api.close();
  }
}

const ids = (n: number): AdmitOptions['deviceIds'] =>
  Array.from({ length: n }, (_, i) => deviceId(`sim-${String(i + 1).padStart(4, '0')}`));
const fleet = (api: FakeApi, n = 3): AdmitOptions => ({
  apiUrl: api.url,
  wardId: 'icu-3',
  deviceIds: ids(n),
  devicePrefix: 'sim-',
});
const bind = (api: FakeApi, device: string, patient: string, fromAt: number, toAt: number | null = null): void => {
  api.bindings.push({ id: `pre-${device}`, deviceId: device, patientId: patient, fromAt, toAt });
};
const isAdmitError = (message: RegExp) => (e: unknown) =>
  e instanceof SimulationError && e.code === 'admit' && message.test(e.message) && !e.message.includes('\n');

test('a fresh fleet: one patient per device on the ward, each device admitted from 1970, with the token', () =>
  withApi(async (api) => {
    const counts = await admitFleet({ ...fleet(api), token: 's3cret' });
    assert.deepEqual(counts, { patientsCreated: 3, devicesCreated: 3, admitted: 3, alreadyBound: 0 });
    assert.deepEqual(api.patients.get('sim-pt-0002'), {
      id: 'sim-pt-0002',
      displayName: 'Simulated patient 2',
      wardId: 'icu-3',
    });
    assert.deepEqual(api.devices.get('sim-0003'), { id: 'sim-0003', model: 'simulated bedside monitor' });
    assert.deepEqual(api.bindings.map((b) => `${b.deviceId}>${b.patientId} from ${b.fromAt} to ${b.toAt}`).sort(), [
      'sim-0001>sim-pt-0001 from 0 to null',
      'sim-0002>sim-pt-0002 from 0 to null',
      'sim-0003>sim-pt-0003 from 0 to null',
    ]);
    assert.ok(api.requests.length === 12 && api.requests.every((r) => r.endsWith(' Bearer s3cret')));
    assert.equal(
      describeAdmission(counts, 'icu-3'),
      'admitted 3 devices to 3 patients on ward icu-3 (0 already bound)',
    );
  }));

test('a re-run changes nothing: every device is counted already bound and no binding is added', () =>
  withApi(async (api) => {
    await admitFleet(fleet(api));
    const before = api.requests.length;
    const again = await admitFleet(fleet(api));
    assert.deepEqual(again, { patientsCreated: 0, devicesCreated: 0, admitted: 0, alreadyBound: 3 });
    assert.equal(api.bindings.length, 3);
    assert.equal(api.patients.size, 3);
    assert.ok(!api.requests.slice(before).some((r) => r.startsWith('POST /api/v1/bindings')));
    assert.equal(describeAdmission(again, 'icu-3'), 'admitted 3 devices to 3 patients on ward icu-3 (3 already bound)');
  }));

test('a device whose bindings have all ended is admitted from the end of the last one', () =>
  withApi(async (api) => {
    bind(api, 'sim-0001', 'pt-7', 0, 5_000);
    bind(api, 'sim-0001', 'pt-8', 5_000, 9_000);
    const counts = await admitFleet(fleet(api, 1));
    assert.equal(counts.admitted, 1);
    assert.deepEqual(api.bindings.at(-1), {
      id: 'b3',
      deviceId: 'sim-0001',
      patientId: 'sim-pt-0001',
      fromAt: 9_000,
      toAt: null,
    });
  }));

test('a device bound to another patient stops the admission, named with that patient, before any write', () =>
  withApi(async (api) => {
    bind(api, 'sim-0003', 'pt-43', 0);
    bind(api, 'sim-0002', 'pt-42', 0);
    await assert.rejects(
      admitFleet(fleet(api)),
      isAdmitError(
        /^device sim-0002 is already bound to patient pt-42, not sim-pt-0002 \(1 more devices are bound to other patients\); nothing was changed: /,
      ),
    );
    assert.ok(api.requests.every((r) => r.startsWith('GET ')));
    assert.equal(api.patients.size, 0);
  }));

test('a device bound between the look-up and the admit (409) is re-read: fine to its patient, an error to another', () =>
  withApi(async (api) => {
    api.patients.set('sim-pt-0001', { id: 'sim-pt-0001' });
    api.devices.set('sim-0001', { id: 'sim-0001' });
    bind(api, 'sim-0001', 'sim-pt-0001', 0);
    api.hideOnce('sim-0001');
    assert.deepEqual(await admitFleet(fleet(api, 1)), {
      patientsCreated: 0,
      devicesCreated: 0,
      admitted: 0,
      alreadyBound: 1,
    });
    assert.equal(api.bindings.length, 1);

    bind(api, 'sim-0002', 'pt-99', 0);
    api.hideOnce('sim-0002');
    await assert.rejects(
      admitFleet({ ...fleet(api, 2), concurrency: 1 }),
      isAdmitError(/^device sim-0002 is already bound to patient pt-99, not sim-pt-0002: discharge it first/),
    );
  }));

test('an HTTP error, an unreachable or a silent API is one line naming the request and what went wrong', async () => {
  await withApi(async (api) => {
    api.failNext('POST /api/v1/devices', 500, 'database is locked');
    await assert.rejects(
      admitFleet({ ...fleet(api), concurrency: 1 }),
      isAdmitError(
        /^cannot register device sim-0001: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/devices answered 500: database is locked$/,
      ),
    );
  });
  const gone = await startFakeApi();
  await gone.close();
  await assert.rejects(
    admitFleet(fleet(gone, 1)),
    isAdmitError(
      /^cannot look up the bindings of device sim-0001: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/bindings\?deviceId=sim-0001 failed: .*ECONNREFUSED/,
    ),
  );
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    await assert.rejects(
      admitFleet({ apiUrl: url, wardId: 'w', deviceIds: ids(1), devicePrefix: 'sim-', requestTimeoutMs: 100 }),
      isAdmitError(/^cannot look up the bindings of device sim-0001: GET .* failed: no answer within 0\.1 s$/),
    );
  } finally {
    silent.closeAllConnections();
    silent.close();
  }
  assert.deepEqual(admitProblems({ apiUrl: 'ftp://x', wardId: 'ward 3', token: 'a b' }), [
    'the API URL "ftp://x" is not an http:// or https:// URL',
    'the ward "ward 3" is not a valid id (1-64 of A-Z a-z 0-9 . _ -)',
    'the token must be printable ASCII without spaces',
  ]);
  await assert.rejects(
    admitFleet({ apiUrl: 'nope', wardId: 'w', deviceIds: ids(1), devicePrefix: 'sim-' }),
    (e: unknown) => e instanceof SimulationError && e.code === 'config',
  );
});

test('simulate --admit binds the ids the fleet publishes under before it connects, and prints one line', () =>
  withApi(async (api) => {
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } };
    const argv = ['--devices', '3', '--device-prefix', 'cmd-', '--baselines', 'random', '--no-history', '--quiet'];
    const unreachable = ['--mqtt-url', 'mqtt://127.0.0.1:1', '--connect-timeout', '0.2', '--drain-timeout', '0'];
    assert.equal(await simulateCommand([...argv, ...unreachable, '--admit', api.url], io), 1);
    assert.equal(err[0], 'simulate: admitted 3 devices to 3 patients on ward sim-ward (0 already bound)\n');
    assert.match(err[1] ?? '', /^wardstream simulate: no device could connect/);
    assert.deepEqual(api.bindings.map((b) => `${b.deviceId}>${b.patientId}`).sort(), [
      'cmd-0001>cmd-pt-0001',
      'cmd-0002>cmd-pt-0002',
      'cmd-0003>cmd-pt-0003',
    ]);

    api.failNext('GET /api/v1/bindings', 503, 'registry unavailable');
    err.length = 0;
    assert.equal(await simulateCommand([...argv, ...unreachable, '--admit', api.url, '--ward', 'icu-3'], io), 1);
    assert.equal(err.length, 1);
    assert.match(
      err.join(''),
      /^wardstream simulate: cannot look up the bindings of device cmd-000\d: .* answered 503: registry unavailable\n$/,
    );
  }));
