import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_ENGINE_POLICY } from '@wardstream/clinical';
import { deviceId, NO_FLEET_COUNTERS, patientId, type DeviceFleetStatus } from '@wardstream/domain';
import { fleetAttentionPolicy } from '../fleet-attention.js';
import { ClinicalApi, T0, type Json } from '../testing/clinical-api.js';

const DAY_MS = 86_400_000;
const NOW = T0 + 60_000;
const ADMIN = { sub: 'admin.ray', roles: ['admin'] };
const SERVICE = { sub: 'fleet-exporter', roles: ['service'] };
const NURSE = { sub: 'nurse.kim', roles: ['nurse'], wards: ['w-a'] };
/** The patient bound to mon-ok: neither id nor name may appear in the fleet. */
const SECRET_PATIENT = 'pt-secret-7';
const SECRET_NAME = 'Ada Lovelace';

const NO_COUNTS = NO_FLEET_COUNTERS;

/** A device seen 5 s ago, healthy, unless `changes` say otherwise. */
function observed(id: string, changes: Partial<DeviceFleetStatus> = {}): DeviceFleetStatus {
  return {
    deviceId: deviceId(id),
    lastSeenAt: NOW - 5_000,
    lastObservedAt: NOW - 5_040,
    batteryFraction: 0.9,
    rssiDbm: -58,
    firmware: 'acme-mon 4.2.1',
    deviceErrors: [],
    clockSkewMs: -40,
    certificateNotAfter: NOW + 300 * DAY_MS,
    counters: { ...NO_COUNTS, messages: 55, late: 2 },
    ...changes,
  };
}

const STATUS: DeviceFleetStatus[] = [
  observed('mon-ok'),
  observed('mon-low', { batteryFraction: 0.05, certificateNotAfter: NOW + 10 * DAY_MS }),
  observed('mon-skew', { clockSkewMs: 3_600_000, deviceErrors: ['SPO2_PROBE_OFF'] }),
  observed('mon-old-cert', { certificateNotAfter: NOW - 1_000, lastSeenAt: NOW - 45_000 }),
  {
    ...observed('ghost-1', { counters: { ...NO_COUNTS, refusedMessages: 3, refusedItems: 1 } }),
    lastSeenAt: null,
    lastObservedAt: null,
    batteryFraction: null,
    rssiDbm: null,
    firmware: null,
    clockSkewMs: null,
    certificateNotAfter: null,
  },
];

describe('GET /api/v1/fleet', () => {
  let api: ClinicalApi;

  before(async () => {
    api = await ClinicalApi.open({
      fleet: {
        status: () => STATUS,
        since: T0,
        isConnected: (id) => id === 'mon-ok',
        attention: fleetAttentionPolicy(DEFAULT_ENGINE_POLICY.technical, 60_000),
      },
    });
    await api.registry.putPatient({ id: patientId(SECRET_PATIENT), displayName: SECRET_NAME }, T0);
    await api.patient(SECRET_PATIENT, 'w-a');
    for (const id of ['mon-ok', 'mon-low', 'mon-skew', 'mon-old-cert', 'mon-quiet']) {
      await api.registry.putDevice({ id: deviceId(id), model: 'M1' }, T0);
    }
    await api.registry.deviceConnected(deviceId('mon-ok'), T0 + 1_000);
    await api.registry.admit(deviceId('mon-ok'), patientId(SECRET_PATIENT), T0 + 2_000);
    await api.registry.enrollDevice(
      { deviceId: deviceId('acme-SN9'), manufacturer: 'acme', bootstrapSerial: 'AA01', state: 'pending' },
      T0,
    );
    api.clock.set(NOW);
  });
  after(() => api.close());

  const devicesOf = (body: Json) => body['devices'] as Json[];
  const byId = (body: Json) => new Map(devicesOf(body).map((d) => [d['id'], d]));

  it('lists every registered and every observed device by id, with its status and no patient', async () => {
    const answer = await api.get('/api/v1/fleet', ADMIN);
    assert.equal(answer.status, 200);
    assert.deepEqual(
      devicesOf(answer.body).map((d) => d['id']),
      ['acme-SN9', 'ghost-1', 'mon-low', 'mon-ok', 'mon-old-cert', 'mon-quiet', 'mon-skew'],
    );
    assert.equal(answer.body['observedSince'], new Date(T0).toISOString());
    assert.deepEqual(answer.body['limits'], {
      staleAfterMs: DEFAULT_ENGINE_POLICY.technical.staleAfterMs,
      batteryLowFraction: DEFAULT_ENGINE_POLICY.technical.batteryLowFraction,
      clockSkewLimitMs: 60_000,
      certificateExpiringWithinMs: 30 * DAY_MS,
    });
    assert.deepEqual(byId(answer.body).get('mon-ok'), {
      id: 'mon-ok',
      model: 'M1',
      enrollment: null,
      lastConnectedAt: new Date(T0 + 1_000).toISOString(),
      connected: true,
      binding: { bound: true, since: new Date(T0 + 2_000).toISOString(), wardId: 'w-a' },
      lastSeenAt: new Date(NOW - 5_000).toISOString(),
      lastObservedAt: new Date(NOW - 5_040).toISOString(),
      battery: 0.9,
      rssiDbm: -58,
      firmware: 'acme-mon 4.2.1',
      clockSkewMs: -40,
      certificate: { notAfter: new Date(NOW + 300 * DAY_MS).toISOString() },
      counters: { ...NO_COUNTS, messages: 55, late: 2 },
      deviceErrors: [],
      attention: [],
    });
    const quiet = byId(answer.body).get('mon-quiet');
    assert.deepEqual(
      [quiet?.['connected'], quiet?.['binding'], quiet?.['lastSeenAt'], quiet?.['certificate'], quiet?.['battery']],
      [false, { bound: false, since: null, wardId: null }, null, null, null],
    );
    const text = JSON.stringify(answer.body);
    assert.ok(!text.includes(SECRET_PATIENT) && !text.includes(SECRET_NAME), 'no patient id or name');
  });

  it('names the reasons each device needs attention, and lists only those with ?attention=true', async () => {
    const all = byId((await api.get('/api/v1/fleet', ADMIN)).body);
    const reasons = Object.fromEntries([...all].map(([id, d]) => [String(id), d['attention']]));
    assert.deepEqual(reasons, {
      // Never seen since observation started (60 s ago, beyond the 30 s stale limit).
      'acme-SN9': ['silent', 'not-approved'],
      'ghost-1': ['silent', 'rejected-messages'],
      'mon-low': ['certificate-expiring', 'battery-low'],
      'mon-ok': [],
      'mon-old-cert': ['silent', 'certificate-expired'],
      'mon-quiet': ['silent'],
      'mon-skew': ['clock-skew', 'device-errors'],
    });
    const filtered = await api.get('/api/v1/fleet?attention=true', SERVICE);
    assert.equal(filtered.status, 200);
    assert.deepEqual(
      devicesOf(filtered.body).map((d) => d['id']),
      ['acme-SN9', 'ghost-1', 'mon-low', 'mon-old-cert', 'mon-quiet', 'mon-skew'],
    );
    assert.equal(devicesOf((await api.get('/api/v1/fleet?attention=false', ADMIN)).body).length, 7);
    const bad = await api.get('/api/v1/fleet?attention=yes', ADMIN);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body['errors'], [{ name: 'attention', reason: 'must be true or false' }]);
  });

  it('refuses a nurse (403) and a caller without a token (401)', async () => {
    const nurse = await api.get('/api/v1/fleet', NURSE);
    assert.equal(nurse.status, 403);
    assert.equal(nurse.body['type'], 'urn:wardstream:problem:forbidden');
    assert.equal((await api.get('/api/v1/fleet', null)).status, 401);
  });
});
