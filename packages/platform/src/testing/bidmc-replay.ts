import type { AlarmBurden } from '@wardstream/alerts';
import type { Alarm } from '@wardstream/clinical';
import type { NumericsRecord } from '@wardstream/simulator';
import { ClinicalPipeline } from './clinical-pipeline.js';

/** What the BIDMC numerics columns are on the wire (../shared/clinical/vitals_code_map.csv). */
const COLUMNS = [
  ['heartRateBpm', 'MDC_ECG_HEART_RATE', '/min'],
  ['pulseRateBpm', 'MDC_PULS_OXIM_PULS_RATE', '/min'],
  ['respRatePerMin', 'MDC_RESP_RATE', '/min'],
  ['spo2Percent', 'MDC_PULS_OXIM_SAT_O2', '%'],
] as const;

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
 * No charted observations: NEWS2 stays partial (consciousness, oxygen, BP and temperature are not in
 * the dataset), as it would on a ward before anyone charts.
 */
export async function replayBidmc(records: readonly NumericsRecord[], startAt: number): Promise<BidmcReplay> {
  const p = await ClinicalPipeline.open(startAt);
  try {
    const ids = records.map((r) => r.name.replace(/[^A-Za-z0-9._-]/g, '-'));
    for (const id of ids) await p.admit(id, id, startAt);
    const seconds = Math.max(...records.map((r) => r.heartRateBpm.length));
    let lastTick = startAt;
    for (let i = 0; i < seconds; i++) {
      const at = startAt + i * 1000;
      p.clock.set(at);
      await Promise.all(
        records.map((r, n) => {
          const readings = COLUMNS.flatMap(([field, code, unit]) => {
            const value = r[field][i];
            return value === undefined ? [] : [{ code, value, unit }];
          });
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
