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

/**
 * Where a device stands in zero-touch enrollment: `pending` until an admin decides, then `approved`
 * or `rejected`. A device registered by an admin or first seen connecting has none (null) and is
 * treated as approved: its operational certificate was issued by an operator.
 */
export type EnrollmentState = 'pending' | 'approved' | 'rejected';

/** An admin's decision on a pending enrollment. */
export interface EnrollmentDecision {
  readonly state: 'approved' | 'rejected';
  /** Who decided (a user id or subject). */
  readonly by: string;
  readonly at: number;
  readonly reason: string | null;
}

/** A device as registered (or first seen connecting, or enrolled with a bootstrap certificate). */
export interface Device {
  readonly id: DeviceId;
  readonly model: string | null;
  readonly createdAt: number;
  readonly lastConnectedAt: number | null;
  /** Zero-touch enrollment state; null when the device did not enroll that way (treated as approved). */
  readonly enrollment: EnrollmentState | null;
  /** When it last enrolled (first enrollment or re-enrollment); null if it never did. */
  readonly enrolledAt: number | null;
  /** The manufacturer (named in the enrollment policy) whose bootstrap CA vouched for it. */
  readonly manufacturer: string | null;
  /** Serial number (hex, as the certificate carries it) of the bootstrap certificate it last enrolled with. */
  readonly bootstrapSerial: string | null;
  /** The decision on its enrollment (an admin's, or `AUTO_APPROVER`); null while pending or never enrolled. */
  readonly enrollmentDecision: EnrollmentDecision | null;
}

/** `EnrollmentDecision.by` of an enrollment the policy approved automatically, without an admin. */
export const AUTO_APPROVER = 'policy:auto-approve';

/** A device enrolling with a bootstrap (manufacturer) certificate. */
export interface EnrollmentInput {
  readonly deviceId: DeviceId;
  readonly manufacturer: string;
  readonly bootstrapSerial: string;
  /** The state a first enrollment takes: `approved` when the manufacturer's policy says so. */
  readonly state: 'pending' | 'approved';
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

/** Hears of a device whose enrollment was recorded or decided, with its state after the change. */
export type EnrollmentListener = (device: Device) => void;

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
   * Records a zero-touch enrollment at `at` and returns the device as it now stands. A device new
   * to the registry takes `input.state`. An enrolled device keeps its state (re-enrollment: a
   * rejected device stays rejected), except that an approved device presenting another bootstrap
   * certificate goes back to `input.state`: a second certificate claiming the same device is what a
   * clone looks like. CONFLICT, with nothing recorded, when the device exists without enrollment
   * (registered by an admin, first seen on connect: its id is in use) or enrolled with another
   * manufacturer.
   */
  enrollDevice(input: EnrollmentInput, at: number): Promise<Device>;
  /**
   * Decides a pending enrollment. NOT_FOUND for an unknown device; CONFLICT when it is not
   * pending (never enrolled, or already decided).
   */
  setEnrollment(
    deviceId: DeviceId,
    state: 'approved' | 'rejected',
    by: string,
    at: number,
    reason?: string | null,
  ): Promise<Device>;
  /** Devices enrolled through zero-touch, oldest enrollment first; only those in `state` when given. */
  listEnrollments(state?: EnrollmentState): Promise<Device[]>;

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

  /** Calls `listener` after every binding change this adapter can see (its own; with PostgreSQL every process's); returns the unsubscribe. */
  onBindingChange(listener: BindingListener): () => void;
  /** Calls `listener` after every enrollment recorded or decided that this adapter can see (as above); returns the unsubscribe. */
  onEnrollmentChange(listener: EnrollmentListener): () => void;

  close(): Promise<void>;
}
