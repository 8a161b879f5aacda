import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventData, LiveReader } from '../testing/clinical-api.js';
import { CALLERS, twoWards, type TwoWards } from '../testing/two-wards.js';

const FEEDS = ['/api/v1/patients/pa/live', '/api/v1/devices/mon-a/live', '/api/v1/wards/w-a/live'];

describe('access: the live feeds', () => {
  let fx: TwoWards;

  before(async () => {
    fx = await twoWards();
  });
  after(() => fx.api.close());

  it('refuses a feed without a token (401) and to another ward (403)', async () => {
    for (const feed of FEEDS) {
      const res = await fx.api.app.request(feed);
      assert.equal(res.status, 401, feed);
      assert.equal(((await res.json()) as { detail: string }).detail, 'missing-token');
      const other = await fx.api.app.request(feed, { headers: fx.api.authorization(CALLERS.nurseB) });
      assert.equal(other.status, 403, feed);
      await other.body?.cancel();
    }
  });

  it('takes the token as ?access_token= on the three feeds only, and never records it', async () => {
    const { api } = fx;
    const token = api.auth.issuer.token(CALLERS.nurseA);
    api.auth.audit.clear();
    for (const feed of FEEDS) {
      const live = await LiveReader.follow(api.app, `${feed}?access_token=${token}`);
      await live.close();
    }
    assert.deepEqual(
      api.auth.audit.records.map((r) => [r.subject, r.outcome, r.object.path]),
      FEEDS.map((feed) => ['nurse.a', 'allowed', feed]),
    );
    assert.doesNotMatch(JSON.stringify(api.auth.audit.records), new RegExp(token.slice(-20)));

    const rest = await api.app.request(`/api/v1/patients/pa?access_token=${token}`);
    assert.equal(rest.status, 401);
    assert.equal(((await rest.json()) as { detail: string }).detail, 'missing-token');
    const twice = await api.app.request(`${FEEDS[0] ?? ''}?access_token=${token}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(twice.status, 401);
    assert.equal(((await twice.json()) as { detail: string }).detail, 'malformed-token');
    const forged = await api.app.request(
      `${FEEDS[0] ?? ''}?access_token=${api.auth.issuer.unsignedToken(CALLERS.nurseA)}`,
    );
    assert.equal(forged.status, 401);
    await forged.body?.cancel();
  });

  it('ends a feed with `event: expired` when its token expires', async () => {
    const { api } = fx;
    const token = api.auth.issuer.token({ ...CALLERS.nurseA, ttlSec: 60 });
    const live = await LiveReader.follow(api.app, `/api/v1/wards/w-a/live?access_token=${token}`);
    await live.until((text) => text.includes('event: ping'));
    api.clock.advance(60_000);
    const text = await live.untilEnd();
    const [expired] = eventData(text, 'expired');
    assert.deepEqual(expired, { ended: 'token', at: new Date(api.clock.now()).toISOString() });
  });

  it('ends a feed opened under break-glass when the grant ends, before the token', async () => {
    const { api } = fx;
    const admin = { sub: 'admin.night', roles: ['admin'] };
    const grant = await api.post(
      '/api/v1/break-glass',
      { patientId: 'pb', reason: 'night review of pb', minutes: 1 },
      admin,
    );
    assert.equal(grant.status, 201);
    const live = await api.follow('/api/v1/patients/pb/live', admin);
    api.clock.advance(60_000);
    const [expired] = eventData(await live.untilEnd(), 'expired');
    assert.equal(expired?.['ended'], 'break-glass');
    assert.equal(
      (await api.app.request('/api/v1/patients/pb/live', { headers: api.authorization(admin) })).status,
      403,
    );
  });
});
