import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { verifyChain } from '@wardstream/auth';
import { freshTestSchema, type TestSchema } from '@wardstream/pg/testing';
import type { ClinicalStore } from '../clinical-store.js';
import { describeClinicalStoreContract } from '../contract.js';
import { T0 } from '../contract/fixtures.js';
import type { AppenderData } from './audit-appender.fixture.js';
import { PostgresClinicalStore } from './postgres-clinical-store.js';

// Against the PostgreSQL server .ci/run starts; each test gets a fresh schema, dropped at the end.
const schemas: TestSchema[] = [];
const schemaOf = new WeakMap<ClinicalStore, TestSchema>();
after(async () => {
  await Promise.all(schemas.map((s) => s.drop()));
});

function openOn(schema: TestSchema): PostgresClinicalStore {
  const store = PostgresClinicalStore.open({ connectionString: schema.connectionString, schema: schema.schema });
  schemaOf.set(store, schema);
  return store;
}

function newSchema(): TestSchema {
  const schema = freshTestSchema();
  schemas.push(schema);
  return schema;
}

describeClinicalStoreContract(
  'PostgresClinicalStore',
  () => openOn(newSchema()),
  (closed) => {
    const schema = schemaOf.get(closed);
    assert.ok(schema, 'the suite reopens a store it opened');
    return openOn(schema);
  },
);

void describe('PostgresClinicalStore', () => {
  void it('keeps one engine checkpoint per scope; a scoped view shares everything else and its close leaves the store open', () => {
    const store = openOn(newSchema());
    try {
      const p0 = store.withCheckpointScope('clinical-partition-0');
      const p1 = store.withCheckpointScope('clinical-partition-1');
      p0.saveCheckpoint({ offsets: { 0: 5 }, state: { patients: ['a'] }, savedAt: T0 });
      p1.saveCheckpoint({ offsets: { 1: 9 }, state: { patients: ['b'] }, savedAt: T0 + 1 });
      assert.deepEqual(p0.loadCheckpoint(), { offsets: { 0: 5 }, state: { patients: ['a'] }, savedAt: T0 });
      assert.deepEqual(p1.loadCheckpoint()?.offsets, { 1: 9 });
      assert.equal(store.loadCheckpoint(), undefined, 'the default scope was never saved');
      p0.appendAudit({ at: T0, actor: 'nurse', action: 'test', subject: 'patient:a', details: {} });
      assert.equal(store.audit({ limit: 10 }).length, 1, 'the audit trail is shared');
      p0.close();
      assert.equal(p1.audit({ limit: 10 }).length, 1);
      // Fencing: once epoch 7 saved the scope, epoch 6 (a paused former owner) cannot.
      store
        .withCheckpointScope('clinical-partition-2', 7)
        .saveCheckpoint({ offsets: { 2: 1 }, state: {}, savedAt: T0 });
      assert.throws(
        () =>
          store
            .withCheckpointScope('clinical-partition-2', 6)
            .saveCheckpoint({ offsets: { 2: 9 }, state: {}, savedAt: T0 }),
        { code: 'CONFLICT' },
      );
      assert.deepEqual(store.withCheckpointScope('clinical-partition-2', 7).loadCheckpoint()?.offsets, { 2: 1 });
    } finally {
      store.close();
    }
  });

  void it('lists every problem with its options as INVALID_INPUT', () => {
    assert.throws(
      () => PostgresClinicalStore.open({ connectionString: '', schema: 'Bad-Name', poolSize: 0, callTimeoutMs: 1.5 }),
      {
        code: 'INVALID_INPUT',
        message:
          'PostgresClinicalStore options: connectionString must be a non-empty string; schema must match [a-z_][a-z0-9_]{0,62}; ' +
          'poolSize must be an integer in 1..100; callTimeoutMs must be an integer in 1..600000',
      },
    );
  });

  void it('reports PostgreSQL refusing connections as UNAVAILABLE', async () => {
    const port = await closedPort();
    assert.throws(
      () => PostgresClinicalStore.open({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` }),
      { code: 'UNAVAILABLE', message: /ECONNREFUSED/ },
    );
  });

  void it('reports a server that never answers as UNAVAILABLE after the call timeout, not hanging', async () => {
    // Accepts connections (the kernel does, even while this thread is blocked) and never answers.
    const silent = createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const connectionString = `postgres://postgres@127.0.0.1:${portOf(silent)}/test`;
      assert.throws(() => PostgresClinicalStore.open({ connectionString, callTimeoutMs: 300 }), {
        code: 'UNAVAILABLE',
      });
    } finally {
      silent.close();
    }
  });

  void it('throws CLOSED on every call after close, which can be called again', () => {
    const store = openOn(newSchema());
    store.appendAudit({ at: T0, actor: 'a', action: 'x', subject: 's', details: {} });
    store.close();
    store.close();
    assert.throws(() => store.getAlarm('a1'), { code: 'CLOSED' });
    assert.throws(() => store.appendAudit({ at: T0, actor: 'a', action: 'x', subject: 's', details: {} }), {
      code: 'CLOSED',
    });
    assert.throws(() => store.listAlarms({ limit: -1 }), { code: 'CLOSED' }, 'CLOSED before the input is checked');
  });

  void it('gives two stores appending audit entries at once distinct, consecutive seqs on one chain', async () => {
    const schema = newSchema();
    await PostgresClinicalStore.migrate({ connectionString: schema.connectionString, schema: schema.schema });
    const count = 150;
    const gate = new SharedArrayBuffer(4);
    const appenders = ['api-1', 'api-2'].map((actor) => {
      const { connectionString, schema: name } = schema;
      const workerData: AppenderData = { connectionString, schema: name, actor, count, gate };
      return new Worker(new URL('./audit-appender.fixture.js', import.meta.url), { workerData });
    });
    // Listened for now: a thread may exit as soon as it has posted its seqs.
    const exited = appenders.map((w) => once(w, 'exit'));
    await Promise.all(appenders.map((w) => once(w, 'message'))); // each has opened its store
    const results = appenders.map(async (w) => {
      const [seqs] = (await once(w, 'message')) as [number[]];
      return seqs;
    });
    const flags = new Int32Array(gate);
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    const [first, second] = (await Promise.all(results)) as [number[], number[]];
    await Promise.all(exited);

    for (const seqs of [first, second]) {
      assert.equal(seqs.length, count);
      assert.ok(
        seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!),
        'each store sees its seqs increase',
      );
    }
    const all = [...first, ...second].sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 2 * count }, (_, i) => i + 1),
      'seqs 1…2n, none twice, none missing',
    );
    const store = openOn(schema);
    try {
      assert.deepEqual(verifyChain(store.auditChain()).ok, true, 'one unbroken hash chain');
      assert.deepEqual(store.auditHead()?.seq, 2 * count);
    } finally {
      store.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = portOf(server);
  server.close();
  await once(server, 'close');
  return port;
}

function portOf(server: Server): number {
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}
