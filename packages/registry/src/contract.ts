import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceId, patientId, wardId, WardstreamError } from '@wardstream/domain';
import { BindingIndex } from './binding-index.js';
import type { Registry } from './registry.js';

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
  });
}
