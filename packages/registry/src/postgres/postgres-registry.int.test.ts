import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceId, patientId, WardstreamError, type Binding } from '@wardstream/domain';
import { freshTestSchema, LOCAL_TEST_POSTGRES_URL } from '@wardstream/pg/testing';
import pg from 'pg';
import { ApprovalIndex } from '../approval-index.js';
import { BindingIndex } from '../binding-index.js';
import { describeRegistryContract } from '../contract.js';
import type { Device } from '../registry.js';
import { changeChannel } from './migrations.js';
import { PostgresRegistry } from './postgres-registry.js';

// Against the PostgreSQL server .ci/run starts; each test gets a fresh schema, dropped afterwards.

/** Opens registries on one fresh schema; `cleanup` closes those left open and drops the schema. */
function onFreshSchema() {
  const schema = freshTestSchema();
  const opened: PostgresRegistry[] = [];
  return {
    schema,
    async open(): Promise<PostgresRegistry> {
      const registry = await PostgresRegistry.open({
        connectionString: schema.connectionString,
        schema: schema.schema,
      });
      opened.push(registry);
      return registry;
    },
    async cleanup(): Promise<void> {
      for (const registry of opened) await registry.close().catch(() => undefined);
      await schema.drop();
    },
  };
}

describeRegistryContract('PostgresRegistry', () => Promise.resolve(onFreshSchema()));

/** Bound on waiting for another process's change to arrive; the tests never assert a duration. */
const ARRIVAL_BOUND_MS = 10_000;

/** Resolves once `poll` returns true (checked on each event and every 20 ms), rejects after the bound. */
async function eventually(what: string, poll: () => boolean): Promise<void> {
  const deadline = Date.now() + ARRIVAL_BOUND_MS;
  while (!poll()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function withTwo(fn: (a: PostgresRegistry, b: PostgresRegistry, schema: string) => Promise<void>): Promise<void> {
  const factory = onFreshSchema();
  try {
    const a = await factory.open();
    const b = await factory.open();
    await fn(a, b, factory.schema.schema);
  } finally {
    await factory.cleanup();
  }
}

const d1 = deviceId('mon-1');
const p1 = patientId('p-1');
const p2 = patientId('p-2');

async function seed(r: PostgresRegistry): Promise<void> {
  await r.putDevice({ id: d1 }, 1);
  await r.putPatient({ id: p1 }, 1);
  await r.putPatient({ id: p2 }, 1);
}

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: LOCAL_TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe('PostgresRegistry across processes', () => {
  it('hands a binding change made through one instance to the listeners and binding index of another', () =>
    withTwo(async (a, b) => {
      await seed(a);
      const heard: Binding[] = [];
      b.onBindingChange((binding) => heard.push(binding));
      const index = await BindingIndex.load(b);
      const admitted = await a.admit(d1, p1, 100);
      await eventually('the admission', () => index.patientAt(d1, 150) === p1);
      await a.transfer(d1, p2, 200);
      await eventually('the transfer', () => index.patientAt(d1, 250) === p2);
      assert.equal(index.patientAt(d1, 150), p1);
      await eventually('both halves of the transfer', () => heard.length === 3);
      assert.deepEqual(
        heard.map((h) => [h.id === admitted.id, h.patientId, h.toAt]),
        [
          [true, p1, null],
          [true, p1, 200],
          [false, p2, null],
        ],
      );
      index.close();
    }));

  it('hands an enrollment decided through one instance to the approval index of another', () =>
    withTwo(async (a, b) => {
      const e1 = deviceId('acme-SN1');
      const index = await ApprovalIndex.load(b);
      const heard: Device[] = [];
      b.onEnrollmentChange((d) => heard.push(d));
      await a.enrollDevice({ deviceId: e1, manufacturer: 'acme', bootstrapSerial: 'AA01', state: 'pending' }, 10);
      await eventually('the enrollment', () => index.state(e1) === 'pending');
      await a.setEnrollment(e1, 'approved', 'admin-1', 20);
      await eventually('the approval', () => index.isApproved(e1));
      assert.deepEqual(
        heard.map((d) => d.enrollment),
        ['pending', 'approved'],
      );
      index.close();
    }));

  it('lets exactly one of two instances admit one device at once', () =>
    withTwo(async (a, b) => {
      await seed(a);
      const devices = Array.from({ length: 10 }, (_, i) => deviceId(`race-${i}`));
      for (const id of devices) await a.putDevice({ id }, 1);
      const outcomes = await Promise.all(
        devices.map((id) => Promise.allSettled([a.admit(id, p1, 100), b.admit(id, p2, 100)])),
      );
      for (const [i, pair] of outcomes.entries()) {
        const won = pair.filter((o) => o.status === 'fulfilled');
        const lost = pair.filter((o) => o.status === 'rejected');
        assert.equal(won.length, 1, `device race-${i}: one admission`);
        assert.ok(lost[0]?.reason instanceof WardstreamError && lost[0].reason.code === 'CONFLICT');
      }
      for (const id of devices) assert.equal((await b.bindings({ deviceId: id })).length, 1);
    }));

  it('refuses a second open binding of a device in the database itself', () =>
    withTwo(async (a, _b, schema) => {
      await seed(a);
      await a.admit(d1, p1, 100);
      await assert.rejects(
        sql(`INSERT INTO "${schema}".bindings (id, device_id, patient_id, from_at) VALUES ('x', $1, $2, 500)`, [
          d1,
          p2,
        ]),
        /bindings_one_open/,
      );
    }));

  it('catches up after its listening connection was cut: listeners hear what they missed', () =>
    withTwo(async (a, b, schema) => {
      await seed(a);
      const admitted = await a.admit(d1, p1, 100);
      const index = await BindingIndex.load(b);
      await eventually('the admission', () => index.patientAt(d1, 150) === p1);
      // Cut every listening connection of the schema (a's too), then change at once: b hears the
      // discharge by NOTIFY if it is back already, else from the resync after it reconnects.
      const cut = await sql(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE query = $1 AND application_name LIKE 'wardstream-registry-%'`,
        [`LISTEN "${changeChannel(schema)}"`],
      );
      assert.equal(cut.rowCount, 2);
      await a.discharge(admitted.id, 300);
      await eventually('the discharge', () => index.patientAt(d1, 350) === null);
      await a.admit(d1, p2, 400);
      await eventually('the next admission', () => index.patientAt(d1, 450) === p2);
      index.close();
    }));
});

describe('PostgresRegistry options and migrations', () => {
  it('lists every problem with its options', async () => {
    await assert.rejects(
      PostgresRegistry.open({ connectionString: '', schema: 'Bad-Name', poolSize: 0 }),
      (err: unknown) =>
        err instanceof WardstreamError &&
        err.code === 'INVALID_INPUT' &&
        /connectionString/.test(err.message) &&
        /schema/.test(err.message) &&
        /poolSize/.test(err.message),
    );
  });

  it('answers UNAVAILABLE when the server cannot be reached', async () => {
    await assert.rejects(
      PostgresRegistry.open({ connectionString: 'postgres://postgres@127.0.0.1:1/test' }),
      (err: unknown) => err instanceof WardstreamError && err.code === 'UNAVAILABLE',
    );
  });

  it('migrates once; a second run applies nothing', async () => {
    const schema = freshTestSchema();
    try {
      const options = { connectionString: schema.connectionString, schema: schema.schema };
      const first = await PostgresRegistry.migrate(options);
      assert.deepEqual([first.component, first.applied, first.version], ['registry', [1], 1]);
      const second = await PostgresRegistry.migrate(options);
      assert.deepEqual([second.applied, second.version], [[], 1]);
      const registry = await PostgresRegistry.open(options);
      await registry.close();
      await assert.rejects(
        registry.getDevice(d1),
        (err: unknown) => err instanceof WardstreamError && err.code === 'CLOSED',
      );
    } finally {
      await schema.drop();
    }
  });
});
