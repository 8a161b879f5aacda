import { deviceInUse, enrollmentKeepsState } from '../enrollment-rule.js';
import { WardstreamError, type DeviceId } from '@wardstream/domain';
import type { PoolClient } from 'pg';
import { AUTO_APPROVER, type Device, type EnrollmentInput } from '../registry.js';
import { toDevice, type DeviceRow } from '../sqlite/rows.js';

// The enrollment steps of PostgresRegistry (the same rules as ../sqlite/enrollment-rows.ts), each
// run inside the caller's transaction after `lockDevice`.

/**
 * Makes enrollments of one device take turns, whether or not its row exists yet: a transaction-
 * scoped advisory lock on (schema, device id). Two processes enrolling a new device at once would
 * otherwise both find no row and the second overwrite the first.
 */
export async function lockDevice(client: PoolClient, schema: string, id: DeviceId): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`${schema}.registry`, id]);
}

async function deviceRow(client: PoolClient, s: string, id: DeviceId): Promise<DeviceRow | undefined> {
  const result = await client.query<DeviceRow>(`SELECT * FROM ${s}.devices WHERE id = $1`, [id]);
  return result.rows[0];
}

/** Records an enrollment (the rules of `Registry.enrollDevice`); `s` is the quoted schema. */
export async function enrollDevice(client: PoolClient, s: string, input: EnrollmentInput, at: number): Promise<Device> {
  if (!Number.isSafeInteger(at)) throw new WardstreamError('INVALID_INPUT', 'at must be epoch milliseconds');
  const row = await deviceRow(client, s, input.deviceId);
  const keepsState = enrollmentKeepsState(row, input);
  if (keepsState) {
    const kept = await client.query<DeviceRow>(
      `UPDATE ${s}.devices SET enrolled_at = $2, bootstrap_serial = $3 WHERE id = $1 RETURNING *`,
      [input.deviceId, at, input.bootstrapSerial],
    );
    return toDevice(mustRow(kept.rows[0], input.deviceId));
  }
  // An automatic approval is recorded as a decision, so the trail shows why the device was let in.
  const auto = input.state === 'approved';
  const values = [
    input.deviceId,
    at,
    input.state,
    input.manufacturer,
    input.bootstrapSerial,
    auto ? AUTO_APPROVER : null,
    auto ? at : null,
    auto ? `manufacturer ${input.manufacturer} is approved automatically by the enrollment policy` : null,
  ];
  if (row === undefined) {
    // DO NOTHING: a device inserted meanwhile by a connection or an admin (who do not take the
    // enrollment lock) keeps its id, as if it had come first.
    const inserted = await client.query<DeviceRow>(
      `INSERT INTO ${s}.devices (id, created_at, enrollment, enrolled_at, manufacturer, bootstrap_serial,
             decided_by, decided_at, decision_reason)
           VALUES ($1, $2, $3, $2, $4, $5, $6, $7, $8)
           ON CONFLICT (id) DO NOTHING RETURNING *`,
      values,
    );
    const created = inserted.rows[0];
    if (created === undefined) throw deviceInUse(input.deviceId);
    return toDevice(created);
  }
  const restarted = await client.query<DeviceRow>(
    `UPDATE ${s}.devices SET enrollment = $3, enrolled_at = $2, manufacturer = $4, bootstrap_serial = $5,
           decided_by = $6, decided_at = $7, decision_reason = $8
         WHERE id = $1 RETURNING *`,
    values,
  );
  return toDevice(mustRow(restarted.rows[0], input.deviceId));
}

/** Decides a pending enrollment (the rules of `Registry.setEnrollment`); `s` is the quoted schema. */
export async function decideEnrollment(
  client: PoolClient,
  s: string,
  id: DeviceId,
  decision: { readonly state: 'approved' | 'rejected'; readonly by: string; readonly reason: string | null },
  at: number,
): Promise<Device> {
  if (!Number.isSafeInteger(at)) throw new WardstreamError('INVALID_INPUT', 'at must be epoch milliseconds');
  const row = mustRow(await deviceRow(client, s, id), id);
  if (row.enrollment !== 'pending') {
    throw new WardstreamError(
      'CONFLICT',
      row.enrollment === null
        ? `device ${id} did not enroll with a bootstrap certificate: there is no enrollment to decide`
        : `device ${id} is already ${row.enrollment}`,
    );
  }
  const decided = await client.query<DeviceRow>(
    `UPDATE ${s}.devices SET enrollment = $2, decided_by = $3, decided_at = $4, decision_reason = $5
       WHERE id = $1 RETURNING *`,
    [id, decision.state, decision.by, at, decision.reason],
  );
  return toDevice(mustRow(decided.rows[0], id));
}

function mustRow(row: DeviceRow | undefined, id: DeviceId): DeviceRow {
  if (row === undefined) throw new WardstreamError('NOT_FOUND', `device ${id} is not registered`);
  return row;
}
