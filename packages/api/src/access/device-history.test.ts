import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceId, patientId } from '@wardstream/domain';
import { T0, type Json } from '../testing/clinical-api.js';
import { CALLERS, twoWards, type TwoWards } from '../testing/two-wards.js';

const SPO2 = 'MDC_PULS_OXIM_SAT_O2';

/**
 * A monitor moves from a patient of ward B to one of ward A: ward A's staff reach it through its
 * open binding, and must see what it measured for their patient, not ward B's patient's history.
 */
describe('access: a device route shows ward staff only the device open binding', () => {
  let fx: TwoWards;
  const moved = T0 + 120_000;

  before(async () => {
    fx = await twoWards();
    const { api } = fx;
    await api.patient('pa2', 'w-a');
    api.clock.set(moved);
    await api.registry.transfer(deviceId('mon-b'), patientId('pa2'), moved);
    // What the processor stored: mon-b's readings for pb before the move, for pa2 after it.
    await api.readings.write([api.record('pb', 'mon-b', SPO2, T0, 85), api.record('pa2', 'mon-b', SPO2, moved, 97)], {
      offsets: { 0: 2 },
      state: null,
    });
    api.clock.set(moved + 60_000);
  });
  after(() => fx.api.close());

  const patientsOf = (list: unknown) => [...new Set((list as Json[]).map((r) => r['patientId']))].sort();
  const query = `from=${new Date(T0 - 60_000).toISOString()}`;

  it("gives ward A's nurse the readings of pa2 only, an integration the device's whole history", async () => {
    const { api } = fx;
    const mine = await api.get(`/api/v1/devices/mon-b/readings?${query}`, CALLERS.nurseA);
    assert.equal(mine.status, 200);
    assert.deepEqual(patientsOf(mine.body['readings']), ['pa2']);
    const latest = await api.get('/api/v1/devices/mon-b/readings/latest', CALLERS.nurseA);
    assert.deepEqual(patientsOf(latest.body['readings']), ['pa2']);
    const all = await api.get(`/api/v1/devices/mon-b/readings?${query}`, CALLERS.service);
    assert.deepEqual(patientsOf(all.body['readings']), ['pa2', 'pb']);
  });

  it("does not name ward B's patient in the device's bindings for ward A's nurse", async () => {
    const { api } = fx;
    const mine = await api.get('/api/v1/devices/mon-b', CALLERS.nurseA);
    assert.equal(mine.status, 200);
    assert.deepEqual(patientsOf(mine.body['bindings']), ['pa2']);
    const all = await api.get('/api/v1/devices/mon-b', CALLERS.service);
    assert.deepEqual(patientsOf(all.body['bindings']), ['pa2', 'pb']);
  });
});
