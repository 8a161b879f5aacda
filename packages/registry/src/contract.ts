import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceId, patientId, wardId, WardstreamError } from '@wardstream/domain';
import { ApprovalIndex } from './approval-index.js';
import { BindingIndex } from './binding-index.js';
import { AUTO_APPROVER, type Device, type Registry } from './registry.js';

/** Creates fresh storage per test; `open()` may be called again to reopen the same storage. */
export interface RegistryFactory {
  open(): Promise<Registry>;
  cleanup(): Promise<void>;
}

function isCode(code: string) {
  return (err: unknown) => err instanceof WardstreamError && err.code === code;
}

/** The contract every Registry adapter passes. */
export function describeRegistryContract(name: string, makeFactory: () => Promise<RegistryFactory>): void {
  const d1 = deviceId('mon-1');
  const p1 = patientId('p-1');
  const p2 = patientId('p-2');

  async function withRegistry(fn: (r: Registry, f: RegistryFactory) => Promise<void>): Promise<void> {
    const factory = await makeFactory();
    const registry = await factory.open();
    try {
      await fn(registry, factory);
    } finally {
      await registry.close().catch(() => undefined);
      await factory.cleanup();
    }
  }

  async function seed(r: Registry): Promise<void> {
    await r.putDevice({ id: d1, model: 'M1' }, 1);
    await r.putPatient({ id: p1, displayName: 'Ada', wardId: wardId('w-4') }, 1);
    await r.putPatient({ id: p2, wardId: wardId('w-5') }, 1);
  }

  describe(`Registry contract: ${name}`, () => {
    it('creates and updates patients and devices', () =>
      withRegistry(async (r) => {
        await seed(r);
        const updated = await r.putPatient({ id: p1, wardId: wardId('w-9') }, 5);
        assert.equal(updated.displayName, 'Ada');
        assert.equal(updated.wardId, 'w-9');
        assert.equal(updated.createdAt, 1);
        assert.equal(updated.updatedAt, 5);
        assert.deepEqual(
          (await r.listPatients({ wardId: wardId('w-5') })).map((p) => p.id),
          [p2],
        );
        await r.deviceConnected(deviceId('new-dev'), 7);
        assert.equal((await r.getDevice(deviceId('new-dev')))?.lastConnectedAt, 7);
        assert.equal((await r.listDevices()).length, 2);
      }));

    it('admits, transfers and discharges with half-open time ranges', () =>
      withRegistry(async (r) => {
        await seed(r);
        const admitted = await r.admit(d1, p1, 100);
        const moved = await r.transfer(d1, p2, 200);
        assert.equal(moved.patientId, p2);
        assert.equal((await r.getBinding(admitted.id))?.toAt, 200);
        const ended = await r.discharge(moved.id, 300);
        assert.equal(ended.toAt, 300);
        assert.deepEqual(
          (await r.bindings({ deviceId: d1 })).map((b) => [b.patientId, b.fromAt, b.toAt]),
          [
            [p1, 100, 200],
            [p2, 200, 300],
          ],
        );
        assert.deepEqual(await r.bindings({ deviceId: d1, openOnly: true }), []);
      }));

    it('refuses overlapping bindings, unknown ids and bad ends', () =>
      withRegistry(async (r) => {
        await seed(r);
        const b = await r.admit(d1, p1, 100);
        await assert.rejects(r.admit(d1, p2, 150), isCode('CONFLICT'));
        await assert.rejects(r.admit(deviceId('ghost'), p1, 100), isCode('NOT_FOUND'));
        await assert.rejects(r.admit(d1, patientId('ghost'), 100), isCode('NOT_FOUND'));
        await assert.rejects(r.discharge(b.id, 50), isCode('INVALID_INPUT'));
        await r.discharge(b.id, 120);
        await assert.rejects(r.discharge(b.id, 130), isCode('CONFLICT'));
        await assert.rejects(r.discharge('no-such-binding', 130), isCode('NOT_FOUND'));
        await assert.rejects(r.transfer(d1, p2, 140), isCode('CONFLICT'));
        await r.admit(d1, p2, 120);
      }));

    it('keeps everything across reopen', () =>
      withRegistry(async (r, factory) => {
        await seed(r);
        await r.admit(d1, p1, 100);
        await r.close();
        const again = await factory.open();
        try {
          assert.equal((await again.getPatient(p1))?.displayName, 'Ada');
          assert.equal((await again.bindings({ openOnly: true })).length, 1);
        } finally {
          await again.close();
        }
      }));

    it('feeds a binding index that resolves a device to its patient at event time', () =>
      withRegistry(async (r) => {
        await seed(r);
        const index = await BindingIndex.load(r);
        assert.equal(index.patientAt(d1, 150), null);
        await r.admit(d1, p1, 100);
        assert.equal(index.patientAt(d1, 150), p1);
        await r.transfer(d1, p2, 200);
        assert.equal(index.patientAt(d1, 150), p1);
        assert.equal(index.patientAt(d1, 250), p2);
        assert.equal(index.patientAt(d1, 99), null);
        index.close();
      }));

    const e1 = deviceId('acme-SN1');
    const enroll = (r: Registry, serial: string, state: 'pending' | 'approved' = 'pending', manufacturer = 'acme') =>
      r.enrollDevice({ deviceId: e1, manufacturer, bootstrapSerial: serial, state }, 10);

    it('records a first enrollment as pending and lets an admin decide it once', () =>
      withRegistry(async (r) => {
        const heard: Device[] = [];
        r.onEnrollmentChange((d) => heard.push(d));
        const pending = await enroll(r, 'AA01');
        assert.deepEqual(
          [
            pending.enrollment,
            pending.enrolledAt,
            pending.manufacturer,
            pending.bootstrapSerial,
            pending.enrollmentDecision,
          ],
          ['pending', 10, 'acme', 'AA01', null],
        );
        assert.equal(pending.createdAt, 10);
        const approved = await r.setEnrollment(e1, 'approved', 'admin-1', 20, 'seen on the ward');
        assert.deepEqual(approved.enrollmentDecision, {
          state: 'approved',
          by: 'admin-1',
          at: 20,
          reason: 'seen on the ward',
        });
        await assert.rejects(r.setEnrollment(e1, 'rejected', 'admin-1', 30), isCode('CONFLICT'));
        await assert.rejects(r.setEnrollment(deviceId('ghost'), 'approved', 'admin-1', 30), isCode('NOT_FOUND'));
        assert.deepEqual(
          heard.map((d) => d.enrollment),
          ['pending', 'approved'],
        );
        assert.equal((await r.getDevice(e1))?.enrollment, 'approved');
      }));

    it('approves automatically when told to, and records the policy as the decider', () =>
      withRegistry(async (r) => {
        const device = await enroll(r, 'AA01', 'approved');
        assert.equal(device.enrollment, 'approved');
        assert.equal(device.enrollmentDecision?.by, AUTO_APPROVER);
        await assert.rejects(r.setEnrollment(e1, 'rejected', 'admin-1', 30), isCode('CONFLICT'));
      }));

    it('keeps the state on re-enrollment; a new bootstrap certificate sends an approved device back', () =>
      withRegistry(async (r) => {
        await enroll(r, 'AA01');
        await r.setEnrollment(e1, 'rejected', 'admin-1', 20);
        assert.equal((await enroll(r, 'AA01')).enrollment, 'rejected');
        assert.equal((await enroll(r, 'BB02', 'approved')).enrollment, 'rejected');
        await assert.rejects(enroll(r, 'AA01', 'pending', 'globex'), isCode('CONFLICT'));

        const e2 = deviceId('acme-SN2');
        await r.enrollDevice({ deviceId: e2, manufacturer: 'acme', bootstrapSerial: 'CC03', state: 'pending' }, 10);
        await r.setEnrollment(e2, 'approved', 'admin-1', 20);
        const again = await r.enrollDevice(
          { deviceId: e2, manufacturer: 'acme', bootstrapSerial: 'CC03', state: 'pending' },
          40,
        );
        assert.deepEqual([again.enrollment, again.enrolledAt], ['approved', 40]);
        const clone = await r.enrollDevice(
          { deviceId: e2, manufacturer: 'acme', bootstrapSerial: 'DD04', state: 'pending' },
          50,
        );
        assert.deepEqual(
          [clone.enrollment, clone.bootstrapSerial, clone.enrollmentDecision],
          ['pending', 'DD04', null],
        );
      }));

    it('refuses to enroll over a device that exists without enrollment, recording nothing; refuses to decide one that never enrolled', () =>
      withRegistry(async (r) => {
        await seed(r);
        await assert.rejects(r.setEnrollment(d1, 'approved', 'admin-1', 5), isCode('CONFLICT'));
        const seen = deviceId('seen-1');
        await r.deviceConnected(seen, 3);
        const before = [await r.getDevice(d1), await r.getDevice(seen)];
        const heard: Device[] = [];
        r.onEnrollmentChange((d) => heard.push(d));
        for (const [id, state] of [
          [d1, 'pending'],
          [d1, 'approved'],
          [seen, 'approved'],
        ] as const) {
          await assert.rejects(
            r.enrollDevice({ deviceId: id, manufacturer: 'acme', bootstrapSerial: 'AA01', state }, 10),
            isCode('CONFLICT'),
          );
        }
        assert.deepEqual([await r.getDevice(d1), await r.getDevice(seen)], before);
        assert.equal(before[0]?.enrollment, null);
        assert.deepEqual(heard, []);
        assert.deepEqual(await r.listEnrollments(), []);
      }));

    it('lists enrollments by state, oldest first, and keeps them across reopen', () =>
      withRegistry(async (r, factory) => {
        await seed(r);
        for (const [i, id] of ['z-1', 'a-2', 'm-3'].entries()) {
          await r.enrollDevice(
            { deviceId: deviceId(id), manufacturer: 'acme', bootstrapSerial: `S${i}`, state: 'pending' },
            100 + i,
          );
        }
        await r.setEnrollment(deviceId('a-2'), 'rejected', 'admin-1', 200, null);
        await r.close();
        const again = await factory.open();
        try {
          assert.deepEqual(
            (await again.listEnrollments('pending')).map((d) => d.id),
            ['z-1', 'm-3'],
          );
          assert.deepEqual(
            (await again.listEnrollments()).map((d) => [d.id, d.enrollment]),
            [
              ['z-1', 'pending'],
              ['a-2', 'rejected'],
              ['m-3', 'pending'],
            ],
          );
          assert.deepEqual((await again.getDevice(deviceId('a-2')))?.enrollmentDecision, {
            state: 'rejected',
            by: 'admin-1',
            at: 200,
            reason: null,
          });
          assert.equal((await again.listDevices()).length, 4);
        } finally {
          await again.close();
        }
      }));

    it('feeds an approval index that refuses pending and rejected devices only', () =>
      withRegistry(async (r) => {
        await seed(r);
        const e2 = deviceId('acme-SN2');
        await r.enrollDevice({ deviceId: e2, manufacturer: 'acme', bootstrapSerial: 'CC03', state: 'pending' }, 10);
        const index = await ApprovalIndex.load(r);
        assert.equal(index.isApproved(d1), true, 'registered by an admin');
        assert.equal(index.isApproved(deviceId('never-seen')), true, 'unknown to the registry');
        assert.deepEqual([index.isApproved(e2), index.state(e2)], [false, 'pending']);
        await enroll(r, 'AA01');
        assert.deepEqual([index.isApproved(e1), index.state(e1)], [false, 'pending']);
        await r.setEnrollment(e1, 'approved', 'admin-1', 20);
        await r.setEnrollment(e2, 'rejected', 'admin-1', 20);
        assert.deepEqual([index.isApproved(e1), index.state(e1)], [true, 'approved']);
        assert.deepEqual([index.isApproved(e2), index.state(e2)], [false, 'rejected']);
        assert.equal(index.state(d1), null);
        index.close();
      }));
  });
}
