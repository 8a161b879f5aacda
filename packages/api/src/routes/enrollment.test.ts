import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deviceId, ManualClock } from '@wardstream/domain';
import { ApprovalIndex, SqliteRegistry, type Device } from '@wardstream/registry';
import { Hono } from 'hono';
import { mountEnrollmentRoutes } from './enrollment.js';

const T0 = 1_764_000_000_000;

interface Json {
  [key: string]: unknown;
}

describe('enrollment decisions (/api/v1/devices/{id}/approve|reject, /api/v1/enrollments)', () => {
  let dir: string;
  let registry: SqliteRegistry;
  let index: ApprovalIndex;
  const clock = new ManualClock(T0);
  const approved: Device[] = [];
  const app = new Hono();

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : {
            headers: { 'content-type': 'application/json' },
            body: typeof body === 'string' ? body : JSON.stringify(body),
          }),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Json };
  };
  const enroll = (id: string, serial: string) =>
    registry.enrollDevice(
      { deviceId: deviceId(id), manufacturer: 'acme', bootstrapSerial: serial, state: 'pending' },
      T0,
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-api-enroll-'));
    registry = await SqliteRegistry.open({ path: join(dir, 'registry.db') });
    index = await ApprovalIndex.load(registry);
    mountEnrollmentRoutes(app, {
      registry,
      clock,
      onApproved: (d) => approved.push(d),
      actorOf: (c) => c.req.header('x-test-actor') ?? 'admin-1',
    });
    await enroll('acme-SN1', 'AA01');
    await enroll('acme-SN2', 'BB02');
    await enroll('acme-SN3', 'CC03');
    await registry.putDevice({ id: deviceId('mon-1'), model: 'M1' }, T0);
  });

  after(async () => {
    index.close();
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists pending enrollments', async () => {
    const res = await call('GET', '/api/v1/enrollments?state=pending');
    assert.equal(res.status, 200);
    const list = res.body.enrollments as Json[];
    assert.deepEqual(
      list.map((e) => [e.deviceId, e.state, e.manufacturer, e.bootstrapSerial]),
      [
        ['acme-SN1', 'pending', 'acme', 'AA01'],
        ['acme-SN2', 'pending', 'acme', 'BB02'],
        ['acme-SN3', 'pending', 'acme', 'CC03'],
      ],
    );
    const bad = await call('GET', '/api/v1/enrollments?state=maybe');
    assert.equal(bad.status, 400);
    assert.equal(bad.type, 'application/problem+json');
  });

  it('approves a pending device: the approval index lets it connect from then on', async () => {
    assert.equal(index.isApproved(deviceId('acme-SN1')), false);
    clock.advance(60_000);
    const res = await call('POST', '/api/v1/devices/acme-SN1/approve', { reason: 'installed in bay 4' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.decision, {
      state: 'approved',
      by: 'admin-1',
      at: new Date(T0 + 60_000).toISOString(),
      reason: 'installed in bay 4',
    });
    assert.equal(index.isApproved(deviceId('acme-SN1')), true);
    assert.deepEqual(
      approved.map((d) => d.id),
      ['acme-SN1'],
    );
  });

  it('rejects with no body; a decided device cannot be decided again (409)', async () => {
    const res = await call('POST', '/api/v1/devices/acme-SN2/reject');
    assert.equal(res.status, 200);
    assert.equal((res.body.decision as Json).reason, null);
    assert.deepEqual([index.isApproved(deviceId('acme-SN2')), index.state(deviceId('acme-SN2'))], [false, 'rejected']);
    for (const [id, action] of [
      ['acme-SN2', 'approve'],
      ['acme-SN1', 'reject'],
    ] as const) {
      const again = await call('POST', `/api/v1/devices/${id}/${action}`);
      assert.equal(again.status, 409, `${id} ${action}`);
      assert.equal(again.body.type, 'urn:wardstream:problem:conflict');
    }
    assert.equal(index.isApproved(deviceId('acme-SN2')), false, 'a refused approval changes nothing');
  });

  it('answers 404 for an unknown device, 409 for one that never enrolled, 400/422 for bad input', async () => {
    assert.equal((await call('POST', '/api/v1/devices/ghost/approve')).status, 404);
    const never = await call('POST', '/api/v1/devices/mon-1/approve');
    assert.equal(never.status, 409);
    assert.match(String(never.body.detail), /did not enroll/);
    assert.equal((await call('POST', '/api/v1/devices/bad%2Fid/approve')).status, 400);
    assert.equal((await call('POST', '/api/v1/devices/acme-SN3/approve', 'not json')).status, 400);
    const fields = await call('POST', '/api/v1/devices/acme-SN3/approve', { reason: 7, by: 'me' });
    assert.equal(fields.status, 422);
    assert.deepEqual(
      (fields.body.errors as Json[]).map((e) => e.name),
      ['by', 'reason'],
    );
    assert.equal((await registry.getDevice(deviceId('acme-SN3')))?.enrollment, 'pending', 'nothing decided');
  });
});
