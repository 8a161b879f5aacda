import { randomBytes, randomUUID } from 'node:crypto';
import { WardstreamError, type Binding, type DeviceId, type PatientId, type WardId } from '@wardstream/domain';
import { quoteSchema, type MigrationReport } from '@wardstream/pg';
import type pg from 'pg';
import type {
  BindingFilter,
  BindingListener,
  Device,
  DeviceInput,
  EnrollmentInput,
  EnrollmentListener,
  EnrollmentState,
  Patient,
  PatientInput,
  Registry,
} from '../registry.js';
import { toBinding, toDevice, toPatient, type BindingRow, type DeviceRow, type PatientRow } from '../sqlite/rows.js';
import { bindingsQuery, endBinding, insertBinding, lockDeviceRow, openBinding } from './binding-queries.js';
import { ChangeFeed, type Change } from './change-feed.js';
import { inTransaction, newPool, query } from './connection.js';
import { decideEnrollment, enrollDevice, lockDevice } from './enrollment-queries.js';
import { changeChannel, migrate } from './migrations.js';
import { compileRegistryOptions, type CompiledRegistryOptions, type PostgresRegistryOptions } from './options.js';

/**
 * The registry on PostgreSQL (the scaled-out adapter), with the semantics and errors of
 * `SqliteRegistry`. Any number of processes may open one schema: bindings of a device never
 * overlap however they race (see migrations.ts), and `onBindingChange` / `onEnrollmentChange`
 * hear the changes of every one of them, by LISTEN/NOTIFY (see change-feed.ts). A change made
 * through this instance reaches its listeners before the call resolves; one made elsewhere
 * shortly after it commits. After the listening connection was lost the listeners hear every
 * binding and enrolled device again, since what was sent meanwhile is gone.
 * Database failures reject with `WardstreamError('UNAVAILABLE')` carrying the driver's error as
 * `cause`; calls after `close()` with CLOSED.
 */
export class PostgresRegistry implements Registry {
  private readonly bindingListeners = new Set<BindingListener>();
  private readonly enrollmentListeners = new Set<EnrollmentListener>();
  private readonly feed: ChangeFeed;
  /** The quoted schema, for SQL. */
  private readonly s: string;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: CompiledRegistryOptions,
    applicationName: string,
  ) {
    this.s = quoteSchema(options.schema);
    this.feed = new ChangeFeed(
      {
        connectionString: options.connectionString,
        applicationName: `${applicationName}-listen`,
        channel: changeChannel(options.schema),
        origin: randomUUID(),
      },
      { deliver: (change) => this.deliver(change), resync: () => this.resync() },
    );
  }

  /**
   * Validates the options (INVALID_INPUT listing every problem), connects, runs the schema's
   * pending migrations and starts listening for changes; UNAVAILABLE when the server cannot be used.
   */
  static async open(options: PostgresRegistryOptions): Promise<PostgresRegistry> {
    const compiled = compileRegistryOptions(options);
    const applicationName = `wardstream-registry-${randomBytes(4).toString('hex')}`;
    const pool = newPool(compiled.connectionString, applicationName, compiled.poolSize);
    try {
      await query('migrating the schema', () => migrate(pool, compiled.schema));
      const registry = new PostgresRegistry(pool, compiled, applicationName);
      await query('listening for changes', () => registry.feed.start());
      return registry;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /** Runs the pending migrations of a schema and reports what it applied (for `wardstream migrate`). */
  static async migrate(options: PostgresRegistryOptions): Promise<MigrationReport> {
    const compiled = compileRegistryOptions(options);
    const pool = newPool(compiled.connectionString, 'wardstream-registry-migrate', 1);
    try {
      return await query('migrating the schema', () => migrate(pool, compiled.schema));
    } finally {
      await pool.end().catch(() => undefined);
    }
  }

  async putPatient(input: PatientInput, at: number): Promise<Patient> {
    checkInstant(at, 'at');
    const rows = await this.rows<PatientRow>(
      'putPatient',
      `INSERT INTO ${this.s}.patients AS p (id, display_name, ward_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (id) DO UPDATE SET
         display_name = CASE WHEN $5::boolean THEN excluded.display_name ELSE p.display_name END,
         ward_id = CASE WHEN $6::boolean THEN excluded.ward_id ELSE p.ward_id END,
         updated_at = excluded.updated_at
       RETURNING *`,
      [
        input.id,
        input.displayName ?? null,
        input.wardId ?? null,
        at,
        input.displayName !== undefined,
        input.wardId !== undefined,
      ],
    );
    return toPatient(mustExist(rows[0], `patient ${input.id}`));
  }

  async getPatient(id: PatientId): Promise<Patient | undefined> {
    const rows = await this.rows<PatientRow>('getPatient', `SELECT * FROM ${this.s}.patients WHERE id = $1`, [id]);
    return rows[0] && toPatient(rows[0]);
  }

  async listPatients(filter: { readonly wardId?: WardId } = {}): Promise<Patient[]> {
    const rows =
      filter.wardId === undefined
        ? await this.rows<PatientRow>('listPatients', `SELECT * FROM ${this.s}.patients ORDER BY id`)
        : await this.rows<PatientRow>(
            'listPatients',
            `SELECT * FROM ${this.s}.patients WHERE ward_id = $1 ORDER BY id`,
            [filter.wardId],
          );
    return rows.map(toPatient);
  }

  async putDevice(input: DeviceInput, at: number): Promise<Device> {
    checkInstant(at, 'at');
    const rows = await this.rows<DeviceRow>(
      'putDevice',
      `INSERT INTO ${this.s}.devices AS d (id, model, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET model = coalesce(excluded.model, d.model)
       RETURNING *`,
      [input.id, input.model ?? null, at],
    );
    return toDevice(mustExist(rows[0], `device ${input.id}`));
  }

  async deviceConnected(id: DeviceId, at: number): Promise<void> {
    checkInstant(at, 'at');
    await this.rows(
      'deviceConnected',
      `INSERT INTO ${this.s}.devices (id, created_at, last_connected_at) VALUES ($1, $2, $2)
       ON CONFLICT (id) DO UPDATE SET last_connected_at = excluded.last_connected_at`,
      [id, at],
    );
  }

  async getDevice(id: DeviceId): Promise<Device | undefined> {
    const rows = await this.rows<DeviceRow>('getDevice', `SELECT * FROM ${this.s}.devices WHERE id = $1`, [id]);
    return rows[0] && toDevice(rows[0]);
  }

  async listDevices(): Promise<Device[]> {
    const rows = await this.rows<DeviceRow>('listDevices', `SELECT * FROM ${this.s}.devices ORDER BY id`);
    return rows.map(toDevice);
  }

  async enrollDevice(input: EnrollmentInput, at: number): Promise<Device> {
    return this.write('enrollDevice', async (client) => {
      await lockDevice(client, this.options.schema, input.deviceId);
      const device = await enrollDevice(client, this.s, input, at);
      return { result: device, changes: [{ kind: 'enrollment', id: device.id }] };
    });
  }

  async setEnrollment(
    id: DeviceId,
    state: 'approved' | 'rejected',
    by: string,
    at: number,
    reason: string | null = null,
  ): Promise<Device> {
    return this.write('setEnrollment', async (client) => {
      await lockDevice(client, this.options.schema, id);
      const device = await decideEnrollment(client, this.s, id, { state, by, reason }, at);
      return { result: device, changes: [{ kind: 'enrollment', id }] };
    });
  }

  async listEnrollments(state?: EnrollmentState): Promise<Device[]> {
    const rows =
      state === undefined
        ? await this.rows<DeviceRow>(
            'listEnrollments',
            `SELECT * FROM ${this.s}.devices WHERE enrollment IS NOT NULL ORDER BY enrolled_at, id`,
          )
        : await this.rows<DeviceRow>(
            'listEnrollments',
            `SELECT * FROM ${this.s}.devices WHERE enrollment = $1 ORDER BY enrolled_at, id`,
            [state],
          );
    return rows.map(toDevice);
  }

  onEnrollmentChange(listener: EnrollmentListener): () => void {
    this.enrollmentListeners.add(listener);
    return () => this.enrollmentListeners.delete(listener);
  }

  async admit(deviceId: DeviceId, patientId: PatientId, fromAt: number): Promise<Binding> {
    return this.write('admit', async (client) => {
      const binding = await insertBinding(client, this.s, deviceId, patientId, fromAt);
      return { result: binding, changes: [{ kind: 'binding', id: binding.id }] };
    });
  }

  async discharge(bindingId: string, toAt: number): Promise<Binding> {
    return this.write('discharge', async (client) => {
      const binding = await endBinding(client, this.s, bindingId, toAt);
      return { result: binding, changes: [{ kind: 'binding', id: binding.id }] };
    });
  }

  async transfer(deviceId: DeviceId, patientId: PatientId, at: number): Promise<Binding> {
    return this.write('transfer', async (client) => {
      // Locked before the open binding is read, so a concurrent admit or transfer waits for this one.
      await lockDeviceRow(client, this.s, deviceId);
      const open = await openBinding(client, this.s, deviceId);
      if (open === undefined)
        throw new WardstreamError('CONFLICT', `device ${deviceId} has no open binding to transfer`);
      const ended = await endBinding(client, this.s, open.id, at);
      const started = await insertBinding(client, this.s, deviceId, patientId, at);
      return {
        result: started,
        changes: [
          { kind: 'binding', id: ended.id },
          { kind: 'binding', id: started.id },
        ],
      };
    });
  }

  async getBinding(bindingId: string): Promise<Binding | undefined> {
    const rows = await this.rows<BindingRow>('getBinding', `SELECT * FROM ${this.s}.bindings WHERE id = $1`, [
      bindingId,
    ]);
    return rows[0] && toBinding(rows[0]);
  }

  async bindings(filter: BindingFilter = {}): Promise<Binding[]> {
    const { text, values } = bindingsQuery(this.s, filter);
    return (await this.rows<BindingRow>('bindings', text, values)).map(toBinding);
  }

  onBindingChange(listener: BindingListener): () => void {
    this.bindingListeners.add(listener);
    return () => this.bindingListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.feed.close();
    this.bindingListeners.clear();
    this.enrollmentListeners.clear();
    await this.pool.end();
  }

  /**
   * Runs a change in one transaction that also announces it to other instances, then hands it to
   * this instance's listeners (re-read in turn with every other change, see ChangeFeed).
   */
  private async write<T>(
    what: string,
    body: (client: pg.PoolClient) => Promise<{ result: T; changes: readonly Change[] }>,
  ): Promise<T> {
    this.checkOpen();
    const { result, changes } = await inTransaction(this.pool, what, async (client) => {
      const done = await body(client);
      for (const change of done.changes) await client.query(this.feed.notify(change));
      return done;
    });
    for (const change of changes) await this.feed.local(change);
    return result;
  }

  private async rows<R extends pg.QueryResultRow>(what: string, text: string, values: unknown[] = []): Promise<R[]> {
    this.checkOpen();
    const result = await query(what, () => this.pool.query<R>(text, values));
    return result.rows;
  }

  private async deliver(change: Change): Promise<void> {
    switch (change.kind) {
      case 'binding': {
        if (this.bindingListeners.size === 0) return;
        const binding = await this.getBinding(change.id);
        if (binding !== undefined) callEach(this.bindingListeners, binding);
        return;
      }
      case 'enrollment': {
        if (this.enrollmentListeners.size === 0) return;
        const device = await this.getDevice(change.id as DeviceId);
        if (device !== undefined) callEach(this.enrollmentListeners, device);
        return;
      }
    }
  }

  private async resync(): Promise<void> {
    if (this.bindingListeners.size > 0) {
      for (const binding of await this.bindings()) callEach(this.bindingListeners, binding);
    }
    if (this.enrollmentListeners.size > 0) {
      for (const device of await this.listEnrollments()) callEach(this.enrollmentListeners, device);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new WardstreamError('CLOSED', 'the registry is closed');
  }
}

/**
 * Calls every listener. One that throws is a bug in it, not a failure of the change (committed)
 * nor of the feed: the others still hear, and the error is rethrown on its own, uncaught, so it
 * is seen rather than mistaken for a database failure.
 */
function callEach<T>(listeners: ReadonlySet<(value: T) => void>, value: T): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

function checkInstant(at: number, name: string): void {
  if (!Number.isSafeInteger(at)) throw new WardstreamError('INVALID_INPUT', `${name} must be epoch milliseconds`);
}

function mustExist<R>(row: R | undefined, what: string): R {
  if (row === undefined) throw new WardstreamError('UNAVAILABLE', `PostgreSQL registry: ${what} was not written`);
  return row;
}
