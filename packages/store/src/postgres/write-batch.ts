import { WardstreamError, type IngestRecord } from '@wardstream/domain';
import type { PoolClient } from 'pg';
import type { WriteResult } from '../reading-store.js';
import { quoteSchema } from './migrations.js';

const keyOf = (r: IngestRecord): string => JSON.stringify([r.deviceId, r.boot, r.seq]);

/**
 * Writes one batch and the checkpoint of its scope in the caller's transaction. Messages are claimed first
 * (INSERT … ON CONFLICT DO NOTHING RETURNING their keys); only the readings and waveforms of the
 * messages claimed are inserted, so a message is stored or skipped as a unit. Readings go in one
 * multi-row INSERT over unnest() of column arrays (one statement whatever the batch size).
 */
export async function writeBatch(
  client: PoolClient,
  schema: string,
  records: readonly IngestRecord[],
  checkpoint: { readonly scope: string; readonly epoch: number; readonly json: string },
): Promise<WriteResult> {
  const s = quoteSchema(schema);
  const unique = new Map<string, IngestRecord>();
  for (const r of records) if (!unique.has(keyOf(r))) unique.set(keyOf(r), r);
  const candidates = [...unique.values()];
  let fresh: IngestRecord[] = [];
  if (candidates.length > 0) {
    const claimed = await client.query<{ device_id: string; boot: string; seq: string }>(
      `INSERT INTO ${s}.messages (device_id, boot, seq, patient_id, observed_at, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::float8[], $6::float8[])
       ON CONFLICT DO NOTHING
       RETURNING device_id, boot, seq`,
      [
        candidates.map((r) => r.deviceId),
        candidates.map((r) => r.boot),
        candidates.map((r) => r.seq),
        candidates.map((r) => r.patientId),
        candidates.map((r) => r.observedAt),
        candidates.map((r) => r.receivedAt),
      ],
    );
    const claimedKeys = new Set(claimed.rows.map((row) => JSON.stringify([row.device_id, row.boot, Number(row.seq)])));
    fresh = candidates.filter((r) => claimedKeys.has(keyOf(r)));
  }
  const readings = await insertReadings(client, s, fresh);
  await insertWaveforms(client, s, fresh);
  // Fenced: a writer whose grant of the scope is older than the last writer's changes nothing.
  const written = await client.query(
    `INSERT INTO ${s}.checkpoint (scope, epoch, value) VALUES ($1, $2, $3::json)
     ON CONFLICT (scope) DO UPDATE SET value = excluded.value, epoch = excluded.epoch
     WHERE ${s}.checkpoint.epoch <= excluded.epoch`,
    [checkpoint.scope, checkpoint.epoch, checkpoint.json],
  );
  if (written.rowCount === 0) {
    throw new WardstreamError(
      'CONFLICT',
      `checkpoint scope ${checkpoint.scope} has a newer owner than epoch ${checkpoint.epoch}: this writer was fenced off`,
    );
  }
  return { stored: fresh.length, duplicates: records.length - fresh.length, readings };
}

async function insertReadings(client: PoolClient, s: string, records: readonly IngestRecord[]): Promise<number> {
  const cols = {
    observedAt: [] as number[],
    deviceId: [] as string[],
    code: [] as string[],
    boot: [] as string[],
    seq: [] as number[],
    patientId: [] as (string | null)[],
    value: [] as number[],
    unit: [] as string[],
    receivedAt: [] as number[],
    quality: [] as number[],
  };
  for (const r of records) {
    for (const reading of r.readings) {
      cols.observedAt.push(r.observedAt);
      cols.deviceId.push(r.deviceId);
      cols.code.push(reading.code);
      cols.boot.push(r.boot);
      cols.seq.push(r.seq);
      cols.patientId.push(r.patientId);
      cols.value.push(reading.value);
      cols.unit.push(reading.unit);
      cols.receivedAt.push(r.receivedAt);
      cols.quality.push(reading.quality);
    }
  }
  if (cols.value.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO ${s}.readings
       (observed_at, device_id, code, boot, seq, patient_id, value, unit, received_at, quality)
     SELECT * FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[],
                          $7::float8[], $8::text[], $9::float8[], $10::int4[])
     ON CONFLICT DO NOTHING`,
    Object.values(cols),
  );
  return result.rowCount ?? 0;
}

async function insertWaveforms(client: PoolClient, s: string, records: readonly IngestRecord[]): Promise<void> {
  const rows = records.flatMap((r) =>
    r.waveforms.map((w) => ({
      device_id: r.deviceId,
      boot: r.boot,
      seq: r.seq,
      code: w.code,
      start_at: w.startAt,
      end_at: w.startAt + (w.samples.length * 1000) / w.fsHz,
      patient_id: r.patientId,
      unit: w.unit,
      fs_hz: w.fsHz,
      samples: w.samples,
      quality: w.quality,
    })),
  );
  if (rows.length === 0) return;
  // Segments have different lengths, which unnest() of a 2-D array cannot carry: one JSON document.
  await client.query(
    `INSERT INTO ${s}.waveforms
       (device_id, boot, seq, code, start_at, end_at, patient_id, unit, fs_hz, samples, quality)
     SELECT device_id, boot, seq, code, start_at, end_at, patient_id, unit, fs_hz, samples, quality
     FROM json_to_recordset($1::json) AS w(device_id text, boot text, seq int8, code text,
       start_at float8, end_at float8, patient_id text, unit text, fs_hz float8, samples float8[], quality int4)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
