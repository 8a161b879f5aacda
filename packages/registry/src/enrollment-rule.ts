import { WardstreamError, type DeviceId } from '@wardstream/domain';
import type { EnrollmentInput, EnrollmentState } from './registry.js';

/** What an enrollment rule needs of the device already stored under the id (a row of either adapter). */
export interface StoredEnrollment {
  readonly enrollment: EnrollmentState | null;
  readonly manufacturer: string | null;
  readonly bootstrap_serial: string | null;
}

/** The refusal of an id that a device holds without having enrolled. */
export function deviceInUse(id: DeviceId): WardstreamError {
  return new WardstreamError(
    'CONFLICT',
    `device ${id} is already in use by a device that did not enroll: it cannot be enrolled`,
  );
}

/**
 * The rules of `Registry.enrollDevice` that every adapter applies to the stored device (if any):
 * CONFLICT for an id held by a device that did not enroll (registered by an admin, holding an
 * operator-issued certificate, first seen on connect: a bootstrap certificate that derives it must
 * not take it over, nor knock the real device back to pending) or enrolled with another
 * manufacturer. True when the device keeps its enrollment state (rejected, pending, or approved
 * with the same bootstrap certificate); false when it starts afresh as `input.state`.
 */
export function enrollmentKeepsState(row: StoredEnrollment | undefined, input: EnrollmentInput): boolean {
  if (row !== undefined && row.enrollment === null) throw deviceInUse(input.deviceId);
  if (row !== undefined && row.manufacturer !== null && row.manufacturer !== input.manufacturer) {
    throw new WardstreamError(
      'CONFLICT',
      `device ${input.deviceId} enrolled with manufacturer ${row.manufacturer}, not ${input.manufacturer}`,
    );
  }
  return (
    row?.enrollment === 'rejected' ||
    row?.enrollment === 'pending' ||
    (row?.enrollment === 'approved' && row.bootstrap_serial === input.bootstrapSerial)
  );
}
