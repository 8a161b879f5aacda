import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { deviceId, patientId, wardId } from '@wardstream/domain';
import type { Registry } from '@wardstream/registry';
import { eventData, type LiveReader } from '../testing/clinical-api.js';
import { CALLERS, twoWards, type TwoWards } from '../testing/two-wards.js';

/** Short, so a feed re-checks its access many times while a test waits on events, not on time. */
const REFRESH_MS = 10;

describe('access: a device or patient feed re-checks access as the registry changes', () => {
  let fx: TwoWards;
  afterEach(() => fx.api.close());

  const open = async (): Promise<TwoWards> => (fx = await twoWards({ liveRefreshMs: REFRESH_MS }));

  /** Counts the registry's patient look-ups (what every re-check of a feed makes). */
  const countLookups = (registry: Registry): { readonly count: number } => {
    const counter = { count: 0 };
    const getPatient = registry.getPatient.bind(registry);
    registry.getPatient = (id) => {
      counter.count++;
      return getPatient(id);
    };
    return counter;
  };

  const endedByAccess = async (live: LiveReader, at: number) => {
    const [expired] = eventData(await live.untilEnd(), 'expired');
    assert.deepEqual(expired, { ended: 'access', at: new Date(at).toISOString() });
  };

  it("ends a nurse's device feed when the device moves to a patient of another ward; a service's stays", async () => {
    const { api } = await open();
    const nurse = await api.follow('/api/v1/devices/mon-a/live', CALLERS.nurseA);
    const service = await api.follow('/api/v1/devices/mon-a/live', CALLERS.service);
    api.clock.advance(1_000);
    await api.registry.transfer(deviceId('mon-a'), patientId('pb'), api.clock.now());
    await endedByAccess(nurse, api.clock.now());
    // The service reads by role: its feed has no re-check, and streams on.
    const mark = service.text.length;
    api.live.publish([api.record('pb', 'mon-a', 'MDC_PULS_OXIM_SAT_O2', api.clock.now(), 91)]);
    await service.until((text) => text.slice(mark).includes('event: readings'));
    assert.equal(eventData(service.text, 'expired').length, 0);
    await service.close();
    assert.equal(
      (await api.app.request('/api/v1/devices/mon-a/live', { headers: api.authorization(CALLERS.nurseA) })).status,
      403,
    );
  });

  it('keeps a device feed while the device moves between patients of the caller ward', async () => {
    const { api } = await open();
    await api.patient('pc', 'w-a');
    const lookups = countLookups(api.registry);
    const live = await api.follow('/api/v1/devices/mon-a/live', CALLERS.nurseA);
    api.clock.advance(1_000);
    await api.registry.transfer(deviceId('mon-a'), patientId('pc'), api.clock.now());
    const after = lookups.count;
    // Several re-checks see the device with pc, on the nurse's ward: the feed goes on.
    await live.until(() => lookups.count >= after + 3);
    assert.equal(eventData(live.text, 'expired').length, 0);
    api.clock.advance(1_000);
    await api.registry.putPatient({ id: patientId('pc'), wardId: wardId('w-b') }, api.clock.now());
    await endedByAccess(live, api.clock.now());
  });

  it("ends a nurse's patient feed when the patient moves to another ward", async () => {
    const { api } = await open();
    const live = await api.follow('/api/v1/patients/pa/live', CALLERS.nurseA);
    api.clock.advance(1_000);
    await api.registry.putPatient({ id: patientId('pa'), wardId: wardId('w-b') }, api.clock.now());
    await endedByAccess(live, api.clock.now());
  });

  it('ends a device feed opened under break-glass when the device moves to a patient the grant does not cover', async () => {
    const { api } = await open();
    const lookups = countLookups(api.registry);
    const patientFeed = await api.follow('/api/v1/patients/pa/live', CALLERS.adminBreakGlass);
    const deviceFeed = await api.follow('/api/v1/devices/mon-a/live', CALLERS.adminBreakGlass);
    api.clock.advance(1_000);
    await api.registry.transfer(deviceId('mon-a'), patientId('pb'), api.clock.now());
    await endedByAccess(deviceFeed, api.clock.now());
    // The grant is for pa, wherever pa is: moving pa to another ward does not end it.
    await api.registry.putPatient({ id: patientId('pa'), wardId: wardId('w-b') }, api.clock.now());
    const after = lookups.count;
    await patientFeed.until(() => lookups.count >= after + 3);
    assert.equal(eventData(patientFeed.text, 'expired').length, 0);
    await patientFeed.close();
  });
});
