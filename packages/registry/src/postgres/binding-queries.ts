import { randomUUID } from 'node:crypto';
import { WardstreamError, type Binding, type DeviceId, type PatientId } from '@wardstream/domain';
import type { PoolClient } from 'pg';
import type { BindingFilter } from '../registry.js';
import { toBinding, type BindingRow } from '../sqlite/rows.js';

// The binding steps of PostgresRegistry (the same rules and errors as SqliteRegistry's), each run
// inside the caller's transaction; `s` is the quoted schema.

/**
 * Locks the device's row until the transaction ends, so writers of one device's bindings take
 * turns (see migrations.ts); false when there is no such device.
 */
export async function lockDeviceRow(client: PoolClient, s: string, deviceId: DeviceId): Promise<boolean> {
  const result = await client.query(`SELECT 1 FROM ${s}.devices WHERE id = $1 FOR UPDATE`, [deviceId]);
  return result.rowCount === 1;
}

/** Binds the device to the patient from `fromAt` on; CONFLICT when that overlaps one of its bindings. */
export async function insertBinding(
  client: PoolClient,
  s: string,
  deviceId: DeviceId,
  patientId: PatientId,
  fromAt: number,
): Promise<Binding> {
  if (!Number.isSafeInteger(fromAt)) throw new WardstreamError('INVALID_INPUT', 'fromAt must be epoch milliseconds');
  if (!(await lockDeviceRow(client, s, deviceId))) {
    throw new WardstreamError('NOT_FOUND', `device ${deviceId} is not registered`);
  }
  const patient = await client.query(`SELECT 1 FROM ${s}.patients WHERE id = $1`, [patientId]);
  if (patient.rowCount !== 1) throw new WardstreamError('NOT_FOUND', `patient ${patientId} is not registered`);
  // [fromAt, ∞) overlaps a binding that is open or ends after fromAt (`bindingsOverlap`).
  const clashes = await client.query<BindingRow>(
    `SELECT * FROM ${s}.bindings WHERE device_id = $1 AND (to_at IS NULL OR to_at > $2) ORDER BY from_at LIMIT 1`,
    [deviceId, fromAt],
  );
  const clash = clashes.rows[0];
  if (clash !== undefined) {
    throw new WardstreamError(
      'CONFLICT',
      `device ${deviceId} is bound to patient ${clash.patient_id} from ${new Date(clash.from_at).toISOString()} (binding ${clash.id}); discharge or transfer it first`,
    );
  }
  const inserted = await client.query<BindingRow>(
    `INSERT INTO ${s}.bindings (id, device_id, patient_id, from_at, to_at) VALUES ($1, $2, $3, $4, NULL) RETURNING *`,
    [randomUUID(), deviceId, patientId, fromAt],
  );
  return toBinding(mustRow(inserted.rows[0]));
}

/** Ends a binding at `toAt`: NOT_FOUND, CONFLICT when already ended, INVALID_INPUT before its start. */
export async function endBinding(client: PoolClient, s: string, bindingId: string, toAt: number): Promise<Binding> {
  const found = await client.query<BindingRow>(`SELECT * FROM ${s}.bindings WHERE id = $1 FOR UPDATE`, [bindingId]);
  const row = found.rows[0];
  if (row === undefined) throw new WardstreamError('NOT_FOUND', `binding ${bindingId} does not exist`);
  if (row.to_at !== null) throw new WardstreamError('CONFLICT', `binding ${bindingId} already ended`);
  if (!Number.isSafeInteger(toAt) || toAt < row.from_at) {
    throw new WardstreamError('INVALID_INPUT', `binding ${bindingId} cannot end before it began`);
  }
  const ended = await client.query<BindingRow>(`UPDATE ${s}.bindings SET to_at = $2 WHERE id = $1 RETURNING *`, [
    bindingId,
    toAt,
  ]);
  return toBinding(mustRow(ended.rows[0]));
}

/** The device's open binding, if any (at most one: `bindings_one_open`). */
export async function openBinding(client: PoolClient, s: string, deviceId: DeviceId): Promise<BindingRow | undefined> {
  const result = await client.query<BindingRow>(`SELECT * FROM ${s}.bindings WHERE device_id = $1 AND to_at IS NULL`, [
    deviceId,
  ]);
  return result.rows[0];
}

/** The SQL and parameters of `Registry.bindings(filter)`. */
export function bindingsQuery(s: string, filter: BindingFilter): { text: string; values: string[] } {
  const where: string[] = [];
  const values: string[] = [];
  if (filter.deviceId !== undefined) {
    values.push(filter.deviceId);
    where.push(`device_id = $${values.length}`);
  }
  if (filter.patientId !== undefined) {
    values.push(filter.patientId);
    where.push(`patient_id = $${values.length}`);
  }
  if (filter.openOnly === true) where.push('to_at IS NULL');
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return { text: `SELECT * FROM ${s}.bindings ${clause} ORDER BY from_at, id`, values };
}

function mustRow(row: BindingRow | undefined): BindingRow {
  if (row === undefined) throw new WardstreamError('UNAVAILABLE', 'PostgreSQL registry: a write returned no row');
  return row;
}
