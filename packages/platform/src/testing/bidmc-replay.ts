import type { AlarmBurden } from '@wardstream/alerts';
import type { Alarm } from '@wardstream/clinical';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClinicalPipeline } from './clinical-pipeline.js';

/** The BIDMC numerics columns and what they are on the wire (../shared/clinical/vitals_code_map.csv). */
const COLUMNS = [
  ['HR', 'MDC_ECG_HEART_RATE', '/min'],
  ['PULSE', 'MDC_PULS_OXIM_PULS_RATE', '/min'],
  ['RESP', 'MDC_RESP_RATE', '/min'],
  ['SpO2', 'MDC_PULS_OXIM_SAT_O2', '%'],
] as const;

/** One record's rows, second by second; a NaN cell (the monitor had no value) is absent. */
export interface NumericsRows {
  readonly name: string;
  readonly rows: readonly (readonly { code: string; value: number; unit: string }[])[];
}

/** Reads every `*_Numerics.csv` of `dir`, keeping each row's time alignment. */
export async function readNumericsRows(dir: string): Promise<NumericsRows[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('_Numerics.csv')).sort();
  return Promise.all(
    names.map(async (file) => {
      const lines = (await readFile(join(dir, file), 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
      const header = (lines[0] ?? '').split(',').map((h) => h.trim());
      const index = COLUMNS.map(([column]) => header.indexOf(column));
      if (index.includes(-1)) throw new RangeError(`${file}: expected columns ${COLUMNS.map((c) => c[0]).join(', ')}`);
      const rows = lines.slice(1).map((line) => {
        const cells = line.split(',');
        return COLUMNS.flatMap(([, code, unit], i) => {
          const value = Number(cells[index[i] ?? -1]);
          return Number.isFinite(value) ? [{ code, value, unit }] : [];
        });
      });
      return { name: file.replace(/_Numerics\.csv$/, ''), rows };
    }),
  );
}

export interface BidmcReplay {
  readonly records: number;
  readonly seconds: number;
  readonly burden: AlarmBurden;
  readonly alarms: readonly Alarm[];
}

const encoder = new TextEncoder();

/**
 * Replays BIDMC PPG and Respiration Dataset numerics (1 Hz HR, pulse, respiration, SpO2; Pimentel et
 * al., IEEE TBME 2017; PhysioNet bidmc 1.0.0) through the real ingest-to-alarm path with the default
 * rules: one device and patient per record, all records side by side from `startAt`, in event time.
 * A NaN cell is a reading the monitor did not have: it is not sent. No charted observations: NEWS2 stays partial (consciousness, oxygen, BP and temperature are not in
 * the dataset), as it would on a ward before anyone charts.
 */
export async function replayBidmc(records: readonly NumericsRows[], startAt: number): Promise<BidmcReplay> {
  const p = await ClinicalPipeline.open(startAt);
  try {
    const ids = records.map((r) => r.name.replace(/[^A-Za-z0-9._-]/g, '-'));
    for (const id of ids) await p.admit(id, id, startAt);
    const seconds = Math.max(...records.map((r) => r.rows.length));
    let lastTick = startAt;
    for (let i = 0; i < seconds; i++) {
      const at = startAt + i * 1000;
      p.clock.set(at);
      await Promise.all(
        records.map((r, n) => {
          const readings = r.rows[i] ?? [];
          if (readings.length === 0) return Promise.resolve();
          const body = { seq: i + 1, boot: 'replay', ts: at, readings };
          return p.pipeline.ingest(ids[n] as never, encoder.encode(JSON.stringify(body)), at);
        }),
      );
      if (at - lastTick >= 10_000) {
        await p.service.drain();
        p.service.engine.tick(at);
        lastTick = at;
      }
    }
    await p.service.drain();
    const end = startAt + seconds * 1000;
    return { records: records.length, seconds, burden: p.service.commands.burden(startAt, end), alarms: p.alarms() };
  } finally {
    await p.close();
  }
}
