import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { problemNames, type Json } from '../testing/clinical-api.js';
import { CALLERS, twoWards, type TwoWards } from '../testing/two-wards.js';

describe("access: nobody acts under another's name", () => {
  let fx: TwoWards;

  before(async () => {
    fx = await twoWards();
  });
  after(() => fx.api.close());

  it('refuses a `by` or `recordedBy` other than the token subject with 422 naming the field', async () => {
    const { api } = fx;
    const ack = await api.post(`/api/v1/alarms/${fx.alarmA}/acknowledge`, { by: 'dr.a' }, CALLERS.nurseA);
    assert.equal(ack.status, 422);
    assert.deepEqual(problemNames(ack), ['by']);
    assert.match(String(ack.body['detail']), /must be the authenticated user, "nurse.a"/);
    const chart = await api.post(
      '/api/v1/patients/pa/observations',
      { kind: 'oxygen', onOxygen: true, recordedBy: 'nurse.b' },
      CALLERS.nurseA,
    );
    assert.deepEqual(problemNames(chart), ['recordedBy']);
    const own = await api.post(`/api/v1/alarms/${fx.alarmA}/acknowledge`, { by: 'nurse.a' }, CALLERS.nurseA);
    assert.equal(own.status, 200);
    assert.equal((own.body['alarm'] as Json)['acknowledgedBy'], 'nurse.a');
  });

  it("accepts the issuer's spelling of a subject outside the usual name characters", async () => {
    const { api } = fx;
    const external = { sub: 'oidc|4711', roles: ['physician'], wards: ['w-a'] };
    const res = await api.post(`/api/v1/alarms/${fx.alarmA}/escalate`, { by: 'oidc|4711' }, external);
    assert.equal(res.status, 200);
  });
});
