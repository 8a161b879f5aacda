import type { Binding, DeviceId, PatientId, WardId } from '@wardstream/domain';

/**
 * The registry port: patients, devices and the time-bounded device→patient bindings
 * (admit, transfer, discharge) of DESIGN 3.2. Adapters: `SqliteRegistry` (embedded), PostgreSQL
 * (scaled out). Every adapter passes `describeRegistryContract`.
 * Failures: `WardstreamError` with code NOT_FOUND (unknown id), CONFLICT (overlapping binding,
 * binding already ended) or INVALID_INPUT (bad id, end before start).
 */
/** A patient as registered; `wardId` places them on a ward's views and live feed. */
export interface Patient {
  readonly id: PatientId;
  readonly displayName: string | null;
  readonly wardId: WardId | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A device as registered (or first seen connecting). */
export interface Device {
  readonly id: DeviceId;
  readonly model: string | null;
  readonly createdAt: number;
  readonly lastConnectedAt: number | null;
}

export interface PatientInput {
  readonly id: PatientId;
  readonly displayName?: string | null;
  readonly wardId?: WardId | null;
}

export interface DeviceInput {
  readonly id: DeviceId;
  readonly model?: string | null;
}

export interface BindingFilter {
  readonly deviceId?: DeviceId;
  readonly patientId?: PatientId;
  /** Only bindings still open (not discharged or transferred). */
  readonly openOnly?: boolean;
}

export type BindingListener = (binding: Binding) => void;

/** Patients, devices and bindings; see the module comment for failures. All instants are epoch ms. */
export interface Registry {
  /** Creates the patient, or updates the given fields of an existing one. `at` is the change time. */
  putPatient(input: PatientInput, at: number): Promise<Patient>;
  getPatient(id: PatientId): Promise<Patient | undefined>;
  listPatients(filter?: { readonly wardId?: WardId }): Promise<Patient[]>;

  /** Creates the device, or updates its model. */
  putDevice(input: DeviceInput, at: number): Promise<Device>;
  /** Records a connection; creates an unknown device. */
  deviceConnected(id: DeviceId, at: number): Promise<void>;
  getDevice(id: DeviceId): Promise<Device | undefined>;
  listDevices(): Promise<Device[]>;

  /**
   * Binds a device to a patient from `fromAt` on (admission). Both must exist. CONFLICT when the
   * device already has a binding that overlaps [fromAt, ∞).
   */
  admit(deviceId: DeviceId, patientId: PatientId, fromAt: number): Promise<Binding>;
  /** Ends a binding at `toAt` (discharge). CONFLICT if already ended, INVALID_INPUT if before it began. */
  discharge(bindingId: string, toAt: number): Promise<Binding>;
  /** Ends the device's open binding at `at` and binds it to `patientId` from `at` (transfer). */
  transfer(deviceId: DeviceId, patientId: PatientId, at: number): Promise<Binding>;
  getBinding(bindingId: string): Promise<Binding | undefined>;
  bindings(filter?: BindingFilter): Promise<Binding[]>;

  /** Calls `listener` after every binding change in this process; returns the unsubscribe. */
  onBindingChange(listener: BindingListener): () => void;

  close(): Promise<void>;
}
