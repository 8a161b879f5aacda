import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  bindingsOverlap,
  WardstreamError,
  type Binding,
  type DeviceId,
  type PatientId,
  type WardId,
} from '@wardstream/domain';
import {
  type BindingFilter,
  type BindingListener,
  type Device,
  type DeviceInput,
  type EnrollmentInput,
  type EnrollmentListener,
  type EnrollmentState,
  type Patient,
  type PatientInput,
  type Registry,
} from '../registry.js';
import { toBinding, toDevice, toPatient, type BindingRow, type DeviceRow, type PatientRow } from './rows.js';
import { decideEnrollment, enrollDevice } from './enrollment-rows.js';
import { migrate } from './schema.js';

export interface SqliteRegistryOptions {
  /** Database file; ':memory:' for tests. */
  readonly path: string;
}

/** Runs a synchronous database step; a throw becomes a rejected promise, as callers of a port expect. */
function run<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** The registry in an SQLite file (WAL, synchronous=FULL: registry changes are rare and must last). */
export class SqliteRegistry implements Registry {
  private readonly listeners = new Set<BindingListener>();
  private readonly enrollmentListeners = new Set<EnrollmentListener>();

  private constructor(private readonly db: Database.Database) {}

  /** Opens (creating or upgrading) the file; rejects with CORRUPT for a file of a newer build. */
  static open(options: SqliteRegistryOptions): Promise<SqliteRegistry> {
    return run(() => {
      const db = new Database(options.path);
      try {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        migrate(db, options.path);
      } catch (err) {
        db.close();
        throw err;
      }
      return new SqliteRegistry(db);
    });
  }

  putPatient(input: PatientInput, at: number): Promise<Patient> {
    const existing = this.db.prepare<[string], PatientRow>('SELECT * FROM patients WHERE id = ?').get(input.id);
    if (existing === undefined) {
      this.db
        .prepare('INSERT INTO patients (id, display_name, ward_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(input.id, input.displayName ?? null, input.wardId ?? null, at, at);
    } else {
      this.db
        .prepare('UPDATE patients SET display_name = ?, ward_id = ?, updated_at = ? WHERE id = ?')
        .run(
          input.displayName === undefined ? existing.display_name : input.displayName,
          input.wardId === undefined ? existing.ward_id : input.wardId,
          at,
          input.id,
        );
    }
    return this.mustGetPatient(input.id);
  }

  getPatient(id: PatientId): Promise<Patient | undefined> {
    const row = this.db.prepare<[string], PatientRow>('SELECT * FROM patients WHERE id = ?').get(id);
    return Promise.resolve(row && toPatient(row));
  }

  listPatients(filter: { readonly wardId?: WardId } = {}): Promise<Patient[]> {
    const rows =
      filter.wardId === undefined
        ? this.db.prepare<[], PatientRow>('SELECT * FROM patients ORDER BY id').all()
        : this.db
            .prepare<[string], PatientRow>('SELECT * FROM patients WHERE ward_id = ? ORDER BY id')
            .all(filter.wardId);
    return Promise.resolve(rows.map(toPatient));
  }

  putDevice(input: DeviceInput, at: number): Promise<Device> {
    this.db
      .prepare(
        `INSERT INTO devices (id, model, created_at) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET model = coalesce(excluded.model, devices.model)`,
      )
      .run(input.id, input.model ?? null, at);
    return this.mustGetDevice(input.id);
  }

  deviceConnected(id: DeviceId, at: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO devices (id, created_at, last_connected_at) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET last_connected_at = excluded.last_connected_at`,
      )
      .run(id, at, at);
    return Promise.resolve();
  }

  getDevice(id: DeviceId): Promise<Device | undefined> {
    const row = this.db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?').get(id);
    return Promise.resolve(row && toDevice(row));
  }

  listDevices(): Promise<Device[]> {
    return Promise.resolve(this.db.prepare<[], DeviceRow>('SELECT * FROM devices ORDER BY id').all().map(toDevice));
  }

  enrollDevice(input: EnrollmentInput, at: number): Promise<Device> {
    return run(() => {
      const device = this.db.transaction(() => enrollDevice(this.db, input, at))();
      this.emitEnrollment(device);
      return device;
    });
  }

  setEnrollment(
    id: DeviceId,
    state: 'approved' | 'rejected',
    by: string,
    at: number,
    reason: string | null = null,
  ): Promise<Device> {
    return run(() => {
      const device = this.db.transaction(() => decideEnrollment(this.db, id, state, by, at, reason))();
      this.emitEnrollment(device);
      return device;
    });
  }

  listEnrollments(state?: EnrollmentState): Promise<Device[]> {
    const rows =
      state === undefined
        ? this.db
            .prepare<[], DeviceRow>('SELECT * FROM devices WHERE enrollment IS NOT NULL ORDER BY enrolled_at, id')
            .all()
        : this.db
            .prepare<[string], DeviceRow>('SELECT * FROM devices WHERE enrollment = ? ORDER BY enrolled_at, id')
            .all(state);
    return Promise.resolve(rows.map(toDevice));
  }

  onEnrollmentChange(listener: EnrollmentListener): () => void {
    this.enrollmentListeners.add(listener);
    return () => this.enrollmentListeners.delete(listener);
  }

  admit(deviceId: DeviceId, patientId: PatientId, fromAt: number): Promise<Binding> {
    return run(() => {
      const binding = this.db.transaction(() => this.insertBinding(deviceId, patientId, fromAt))();
      this.emit(binding);
      return binding;
    });
  }

  discharge(bindingId: string, toAt: number): Promise<Binding> {
    return run(() => {
      const binding = this.db.transaction(() => this.endBinding(bindingId, toAt))();
      this.emit(binding);
      return binding;
    });
  }

  transfer(deviceId: DeviceId, patientId: PatientId, at: number): Promise<Binding> {
    return run(() => this.transferNow(deviceId, patientId, at));
  }

  private transferNow(deviceId: DeviceId, patientId: PatientId, at: number): Binding {
    const [ended, started] = this.db.transaction(() => {
      const open = this.db
        .prepare<[string], BindingRow>('SELECT * FROM bindings WHERE device_id = ? AND to_at IS NULL')
        .get(deviceId);
      if (open === undefined)
        throw new WardstreamError('CONFLICT', `device ${deviceId} has no open binding to transfer`);
      return [this.endBinding(open.id, at), this.insertBinding(deviceId, patientId, at)] as const;
    })();
    this.emit(ended);
    this.emit(started);
    return started;
  }

  getBinding(bindingId: string): Promise<Binding | undefined> {
    const row = this.db.prepare<[string], BindingRow>('SELECT * FROM bindings WHERE id = ?').get(bindingId);
    return Promise.resolve(row && toBinding(row));
  }

  bindings(filter: BindingFilter = {}): Promise<Binding[]> {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.deviceId !== undefined) {
      where.push('device_id = ?');
      args.push(filter.deviceId);
    }
    if (filter.patientId !== undefined) {
      where.push('patient_id = ?');
      args.push(filter.patientId);
    }
    if (filter.openOnly === true) where.push('to_at IS NULL');
    const sql = `SELECT * FROM bindings ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY from_at, id`;
    return Promise.resolve(
      this.db
        .prepare<string[], BindingRow>(sql)
        .all(...args)
        .map(toBinding),
    );
  }

  onBindingChange(listener: BindingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    this.enrollmentListeners.clear();
    this.db.close();
    return Promise.resolve();
  }

  private insertBinding(deviceId: DeviceId, patientId: PatientId, fromAt: number): Binding {
    if (!Number.isSafeInteger(fromAt)) throw new WardstreamError('INVALID_INPUT', 'fromAt must be epoch milliseconds');
    if (this.db.prepare('SELECT 1 FROM devices WHERE id = ?').get(deviceId) === undefined) {
      throw new WardstreamError('NOT_FOUND', `device ${deviceId} is not registered`);
    }
    if (this.db.prepare('SELECT 1 FROM patients WHERE id = ?').get(patientId) === undefined) {
      throw new WardstreamError('NOT_FOUND', `patient ${patientId} is not registered`);
    }
    const existing = this.db.prepare<[string], BindingRow>('SELECT * FROM bindings WHERE device_id = ?').all(deviceId);
    const clash = existing.find((b) => bindingsOverlap({ fromAt: b.from_at, toAt: b.to_at }, { fromAt, toAt: null }));
    if (clash !== undefined) {
      throw new WardstreamError(
        'CONFLICT',
        `device ${deviceId} is bound to patient ${clash.patient_id} from ${new Date(clash.from_at).toISOString()} (binding ${clash.id}); discharge or transfer it first`,
      );
    }
    const row: BindingRow = {
      id: randomUUID(),
      device_id: deviceId,
      patient_id: patientId,
      from_at: fromAt,
      to_at: null,
    };
    this.db
      .prepare('INSERT INTO bindings (id, device_id, patient_id, from_at, to_at) VALUES (?, ?, ?, ?, NULL)')
      .run(row.id, row.device_id, row.patient_id, row.from_at);
    return toBinding(row);
  }

  private endBinding(bindingId: string, toAt: number): Binding {
    const row = this.db.prepare<[string], BindingRow>('SELECT * FROM bindings WHERE id = ?').get(bindingId);
    if (row === undefined) throw new WardstreamError('NOT_FOUND', `binding ${bindingId} does not exist`);
    if (row.to_at !== null) throw new WardstreamError('CONFLICT', `binding ${bindingId} already ended`);
    if (!Number.isSafeInteger(toAt) || toAt < row.from_at) {
      throw new WardstreamError('INVALID_INPUT', `binding ${bindingId} cannot end before it began`);
    }
    this.db.prepare('UPDATE bindings SET to_at = ? WHERE id = ?').run(toAt, bindingId);
    return toBinding({ ...row, to_at: toAt });
  }

  private emitEnrollment(device: Device): void {
    for (const listener of this.enrollmentListeners) listener(device);
  }

  private emit(binding: Binding): void {
    for (const listener of this.listeners) listener(binding);
  }

  private async mustGetPatient(id: PatientId): Promise<Patient> {
    const p = await this.getPatient(id);
    if (p === undefined) throw new WardstreamError('NOT_FOUND', `patient ${id} does not exist`);
    return p;
  }

  private async mustGetDevice(id: DeviceId): Promise<Device> {
    const d = await this.getDevice(id);
    if (d === undefined) throw new WardstreamError('NOT_FOUND', `device ${id} does not exist`);
    return d;
  }
}
