import type { DeviceId, PatientId } from '@wardstream/domain';
import type { Pool } from 'pg';
import type { StoredWaveform, UnassignedDevice, WaveformQuery } from '../reading-store.js';
import { checkWindow } from '../sqlite/store-checks.js';
import { quoteSchema } from './migrations.js';
import { subjectFilter } from './reading-rows.js';

interface WaveformRow {
  readonly device_id: string;
  readonly patient_id: string | null;
  readonly code: string;
  readonly unit: string;
  readonly fs_hz: number;
  readonly start_at: number;
  readonly samples: number[];
  readonly boot: string;
  readonly seq: string;
  readonly quality: number;
}

/** Waveforms, unassigned devices and stats. */
export class SummaryQueries {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    this.s = quoteSchema(schema);
  }

  /** Segments with a sample in [fromAt, toAt) (as the embedded store decides), by (startAt, deviceId, code, boot, seq). */
  async waveforms(query: WaveformQuery): Promise<StoredWaveform[]> {
    checkWindow(query.subject, query.fromAt, query.toAt);
    const filter = subjectFilter(query.subject, 1);
    const params: unknown[] = [filter.id, query.fromAt, query.toAt];
    let where = `${filter.sql} AND start_at < $3::float8 AND (end_at > $2::float8 OR start_at >= $2::float8)`;
    if (query.code !== undefined) {
      params.push(query.code);
      where += ` AND code = $4`;
    }
    const result = await this.pool.query<WaveformRow>(
      `SELECT device_id, patient_id, code, unit, fs_hz, start_at, samples, boot, seq, quality
       FROM ${this.s}.waveforms WHERE ${where}
       ORDER BY start_at, device_id, code, boot, seq`,
      params,
    );
    return result.rows.map((row) => ({
      deviceId: row.device_id as DeviceId,
      patientId: row.patient_id as PatientId | null,
      code: row.code,
      unit: row.unit,
      fsHz: row.fs_hz,
      startAt: row.start_at,
      samples: row.samples,
      boot: row.boot,
      seq: Number(row.seq),
      quality: row.quality,
    }));
  }

  async unassignedDevices(): Promise<UnassignedDevice[]> {
    const result = await this.pool.query<{ device_id: string; readings: string; last_observed_at: number }>(
      `SELECT device_id, count(*) AS readings, max(observed_at) AS last_observed_at
       FROM ${this.s}.readings WHERE patient_id IS NULL GROUP BY device_id ORDER BY device_id`,
    );
    return result.rows.map((row) => ({
      deviceId: row.device_id as DeviceId,
      readings: Number(row.readings),
      lastObservedAt: row.last_observed_at,
    }));
  }

  /** Counts by scanning (fine for tests and operators, not for a per-request path); bytes of every table and index. */
  async counts(): Promise<{ readings: number; messages: number; series: number; bytes: number }> {
    const result = await this.pool.query<{ readings: string; messages: string; series: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM ${this.s}.readings) AS readings,
              (SELECT count(*) FROM ${this.s}.messages) AS messages,
              (SELECT count(*) FROM (SELECT DISTINCT patient_id, device_id, code FROM ${this.s}.readings) d) AS series,
              (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind = 'r') AS bytes`,
      [this.schema],
    );
    const row = result.rows[0];
    return {
      readings: Number(row?.readings ?? 0),
      messages: Number(row?.messages ?? 0),
      series: Number(row?.series ?? 0),
      bytes: Number(row?.bytes ?? 0),
    };
  }
}
