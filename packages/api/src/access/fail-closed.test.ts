import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteClinicalStore } from '@wardstream/alerts';
import { verifyChain } from '@wardstream/auth';
import { CALLERS, twoWards, type TwoWards } from '../testing/two-wards.js';
import { AuditUnavailableError } from './access-audit.js';
import { clinicalStoreAccessAudit } from './clinical-store-access-audit.js';

describe('access: fail-closed when the access audit fails', () => {
  let fx: TwoWards;

  before(async () => {
    fx = await twoWards();
  });
  after(() => fx.api.close());

  it('answers 503 audit-unavailable and runs no handler: the alarm is not acknowledged, no data returned', async () => {
    const { api } = fx;
    api.auth.audit.failing = new Error('disk full');
    try {
      const ack = await api.post(`/api/v1/alarms/${fx.alarmA}/acknowledge`, { by: 'nurse.a' }, CALLERS.nurseA);
      assert.equal(ack.status, 503);
      assert.equal(ack.type, 'application/problem+json');
      assert.equal(ack.body['type'], 'urn:wardstream:problem:audit-unavailable');
      assert.match(String(ack.body['detail']), /disk full/);
      assert.equal(ack.body['alarm'], undefined);
      assert.equal(api.store.getAlarm(fx.alarmA)?.state, 'active');
      assert.equal(api.store.audit({ limit: 10 }).length, 0);

      const read = await api.get('/api/v1/patients/pa/readings/latest', CALLERS.nurseA);
      assert.equal(read.status, 503);
      assert.deepEqual(Object.keys(read.body).sort(), ['detail', 'instance', 'status', 'title', 'type']);
      // A refusal and a failed authentication must be recorded too: without the record, a 503.
      assert.equal((await api.get('/api/v1/patients/pa', CALLERS.nurseB)).status, 503);
      assert.equal((await api.get('/api/v1/patients/pa', null)).status, 503);
      // Routes with no patient data and nothing to record still answer.
      assert.equal((await api.get('/api/v1/devices', CALLERS.service)).status, 200);
      assert.equal(api.auth.auditFailures.length, 4);
      assert.ok(api.auth.auditFailures.every((e) => e instanceof Error && e.message === 'disk full'));
    } finally {
      api.auth.audit.failing = null;
    }
    const ack = await api.post(`/api/v1/alarms/${fx.alarmA}/acknowledge`, { by: 'nurse.a' }, CALLERS.nurseA);
    assert.equal(ack.status, 200);
  });

  it('grants no break-glass whose record could not be written', async () => {
    const { api } = fx;
    api.auth.audit.failing = new Error('audit store closed');
    try {
      const res = await api.post(
        '/api/v1/break-glass',
        { patientId: 'pb', reason: 'covering ward B tonight' },
        CALLERS.nurseA,
      );
      assert.equal(res.status, 503);
    } finally {
      api.auth.audit.failing = null;
    }
    assert.equal(api.auth.breakGlass.length, 0);
    assert.equal((await api.get('/api/v1/patients/pb', CALLERS.nurseA)).status, 403);
  });
});

describe('access: records in the clinical store audit trail (the hash chain `wardstream audit verify` checks)', () => {
  let fx: TwoWards;
  let dir: string;
  let trail: SqliteClinicalStore;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ws-api-access-audit-'));
    trail = SqliteClinicalStore.open({ path: join(dir, 'audit.db') });
    fx = await twoWards({ accessAudit: () => clinicalStoreAccessAudit(() => trail) });
  });
  after(async () => {
    await fx.api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('maps each access onto appendAudit, chained', async () => {
    const before = trail.audit({ limit: 1_000 }).length;
    assert.equal((await fx.api.get('/api/v1/patients/pa/scores', CALLERS.physicianA)).status, 200);
    assert.equal((await fx.api.get('/api/v1/patients/pa/scores', CALLERS.physicianB)).status, 403);
    assert.equal((await fx.api.get('/api/v1/alarms', CALLERS.nurseA)).status, 200);
    const entries = trail.audit({ limit: 1_000 }).slice(before);
    assert.deepEqual(
      entries.map((e) => [e.actor, e.action, e.subject]),
      [
        ['dr.a', 'access.read', 'patient:pa'],
        ['dr.b', 'access.deny', 'patient:pa'],
        ['nurse.a', 'access.read', 'patient:*'],
      ],
    );
    assert.deepEqual(
      [entries[1]?.details['outcome'], entries[1]?.details['reason'], entries[2]?.details['wards']],
      ['denied', 'not-your-ward', ['w-a']],
    );
    assert.deepEqual(verifyChain(trail.auditChain()).ok, true);
  });

  it('answers 503 once the store is closed under it, and serves nothing', async () => {
    trail.close();
    const res = await fx.api.get('/api/v1/patients/pa/readings', CALLERS.physicianA);
    assert.equal(res.status, 503);
    assert.equal(res.body['type'], 'urn:wardstream:problem:audit-unavailable');
    assert.equal(res.body['readings'], undefined);
    const [failure] = fx.api.auth.auditFailures;
    assert.ok(failure instanceof Error);
    assert.ok(!(failure instanceof AuditUnavailableError), 'the hook hears the store error itself');
  });
});
