import type { Binding, DeviceId, PatientId, WardId } from '@wardstream/domain';
import type { Device, EnrollmentState, Patient } from '../registry.js';

/** Rows as the tables of `schema.ts` hold them, and their mapping to the port's records. */
export interface PatientRow {
  id: string;
  display_name: string | null;
  ward_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface DeviceRow {
  id: string;
  model: string | null;
  created_at: number;
  last_connected_at: number | null;
  enrollment: EnrollmentState | null;
  enrolled_at: number | null;
  manufacturer: string | null;
  bootstrap_serial: string | null;
  decided_by: string | null;
  decided_at: number | null;
  decision_reason: string | null;
}

export interface BindingRow {
  id: string;
  device_id: string;
  patient_id: string;
  from_at: number;
  to_at: number | null;
}

export const toPatient = (r: PatientRow): Patient => ({
  id: r.id as PatientId,
  displayName: r.display_name,
  wardId: r.ward_id as WardId | null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toDevice = (r: DeviceRow): Device => ({
  id: r.id as DeviceId,
  model: r.model,
  createdAt: r.created_at,
  lastConnectedAt: r.last_connected_at,
  enrollment: r.enrollment,
  enrolledAt: r.enrolled_at,
  manufacturer: r.manufacturer,
  bootstrapSerial: r.bootstrap_serial,
  enrollmentDecision:
    (r.enrollment === 'approved' || r.enrollment === 'rejected') && r.decided_by !== null && r.decided_at !== null
      ? { state: r.enrollment, by: r.decided_by, at: r.decided_at, reason: r.decision_reason }
      : null,
});

export const toBinding = (r: BindingRow): Binding => ({
  id: r.id,
  deviceId: r.device_id as DeviceId,
  patientId: r.patient_id as PatientId,
  fromAt: r.from_at,
  toAt: r.to_at,
});
