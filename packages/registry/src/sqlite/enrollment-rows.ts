import type Database from 'better-sqlite3';
import { enrollmentKeepsState } from '../enrollment-rule.js';
import { WardstreamError, type DeviceId } from '@wardstream/domain';
import { AUTO_APPROVER, type Device, type EnrollmentInput } from '../registry.js';
import { toDevice, type DeviceRow } from './rows.js';

// The enrollment steps of SqliteRegistry, apart so the class reads as the port it implements.

function deviceRow(db: Database.Database, id: DeviceId): DeviceRow | undefined {
  return db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?').get(id);
}

function mustDeviceRow(db: Database.Database, id: DeviceId): DeviceRow {
  const row = deviceRow(db, id);
  if (row === undefined) throw new WardstreamError('NOT_FOUND', `device ${id} is not registered`);
  return row;
}

/** Records an enrollment (the rules of `Registry.enrollDevice`); run inside a transaction. */
export function enrollDevice(db: Database.Database, input: EnrollmentInput, at: number): Device {
  if (!Number.isSafeInteger(at)) throw new WardstreamError('INVALID_INPUT', 'at must be epoch milliseconds');
  const row = deviceRow(db, input.deviceId);
  const keepsState = enrollmentKeepsState(row, input);
  if (keepsState) {
    db.prepare('UPDATE devices SET enrolled_at = ?, bootstrap_serial = ? WHERE id = ?').run(
      at,
      input.bootstrapSerial,
      input.deviceId,
    );
    return toDevice(mustDeviceRow(db, input.deviceId));
  }
  // An automatic approval is recorded as a decision, so the trail shows why the device was let in.
  const auto = input.state === 'approved';
  db.prepare(
    `INSERT INTO devices (id, created_at, enrollment, enrolled_at, manufacturer, bootstrap_serial,
           decided_by, decided_at, decision_reason)
         VALUES (@id, @at, @state, @at, @manufacturer, @serial, @by, @decidedAt, @reason)
         ON CONFLICT(id) DO UPDATE SET enrollment = excluded.enrollment, enrolled_at = excluded.enrolled_at,
           manufacturer = excluded.manufacturer, bootstrap_serial = excluded.bootstrap_serial,
           decided_by = excluded.decided_by, decided_at = excluded.decided_at,
           decision_reason = excluded.decision_reason`,
  ).run({
    id: input.deviceId,
    at,
    state: input.state,
    manufacturer: input.manufacturer,
    serial: input.bootstrapSerial,
    by: auto ? AUTO_APPROVER : null,
    decidedAt: auto ? at : null,
    reason: auto ? `manufacturer ${input.manufacturer} is approved automatically by the enrollment policy` : null,
  });
  return toDevice(mustDeviceRow(db, input.deviceId));
}

/** Decides a pending enrollment (the rules of `Registry.setEnrollment`); run inside a transaction. */
export function decideEnrollment(
  db: Database.Database,
  id: DeviceId,
  state: 'approved' | 'rejected',
  by: string,
  at: number,
  reason: string | null,
): Device {
  if (!Number.isSafeInteger(at)) throw new WardstreamError('INVALID_INPUT', 'at must be epoch milliseconds');
  const row = mustDeviceRow(db, id);
  if (row.enrollment !== 'pending') {
    throw new WardstreamError(
      'CONFLICT',
      row.enrollment === null
        ? `device ${id} did not enroll with a bootstrap certificate: there is no enrollment to decide`
        : `device ${id} is already ${row.enrollment}`,
    );
  }
  db.prepare('UPDATE devices SET enrollment = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?').run(
    state,
    by,
    at,
    reason,
    id,
  );
  return toDevice(mustDeviceRow(db, id));
}
