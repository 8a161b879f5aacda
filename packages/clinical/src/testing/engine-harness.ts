import { deviceId, patientId, QualityFlag, type IngestRecord, type PatientId } from '@wardstream/domain';
import type { Alarm, AlarmEvent } from '../alarm.js';
import type { AlarmRule } from '../alarms/rules.js';
import {
  ClinicalEngine,
  DEFAULT_ENGINE_POLICY,
  type EnginePolicy,
  type EngineState,
} from '../engine/clinical-engine.js';
import type { ScoreRecord } from '../score-record.js';

export const P1 = patientId('p1');
export const D1 = deviceId('monitor-1');
export const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);

export type ReadingSpec = readonly [code: string, value: number, quality?: number];

let seq = 0;
/** One device message for P1 from D1 at `at` (receivedAt = at unless given). */
export function record(
  at: number,
  readings: readonly ReadingSpec[],
  options: { patient?: PatientId | null; receivedAt?: number; battery?: number } = {},
): IngestRecord {
  return {
    deviceId: D1,
    boot: 'b1',
    seq: ++seq,
    observedAt: at,
    receivedAt: options.receivedAt ?? at,
    patientId: options.patient === undefined ? P1 : options.patient,
    readings: readings.map(([code, value, quality]) => ({ code, value, unit: '/min', quality: quality ?? 0 })),
    waveforms: [],
    ...(options.battery === undefined ? {} : { status: { batteryFraction: options.battery, errors: [] } }),
  };
}

export const ARTIFACT = QualityFlag.artifact;
export const IMPLAUSIBLE = QualityFlag.implausible;

/** An engine wired to an in-memory "store" of alarms and scores, as the service wires it to SQLite. */
export class Harness {
  readonly events: AlarmEvent[] = [];
  readonly scores: ScoreRecord[] = [];
  readonly stored = new Map<string, Alarm>();
  engine: ClinicalEngine;

  constructor(
    public rules: readonly AlarmRule[],
    readonly policy: EnginePolicy = DEFAULT_ENGINE_POLICY,
  ) {
    this.engine = this.make(undefined, 0);
  }

  private make(state: EngineState | undefined, startedAt: number): ClinicalEngine {
    return new ClinicalEngine(
      this.policy,
      {
        rulesFor: () => this.rules,
        findAlarm: (id) => this.stored.get(id),
        onAlarmEvent: (e) => {
          this.events.push(e);
          this.stored.set(e.alarmId, e.alarm);
        },
        onScore: (s) => this.scores.push(s),
      },
      { state, openAlarms: [...this.stored.values()].filter((a) => a.state !== 'resolved'), startedAt },
    );
  }

  /** The engine's state now, as the service saves it (a JSON copy the engine no longer changes). */
  snapshot(): EngineState {
    return JSON.parse(JSON.stringify(this.engine.state())) as EngineState;
  }

  /** A new engine from `state` and the stored alarms, as after a restart. */
  restart(state: EngineState | undefined, startedAt = 0): void {
    this.engine = this.make(
      state === undefined ? undefined : (JSON.parse(JSON.stringify(state)) as EngineState),
      startedAt,
    );
  }

  feed(records: readonly IngestRecord[]): void {
    for (const r of records) this.engine.ingest(r);
  }

  types(filter?: (e: AlarmEvent) => boolean): string[] {
    return this.events.filter(filter ?? (() => true)).map((e) => `${e.alarm.ruleId}:${e.type}`);
  }
}

/** 1 Hz readings of one code from `from` for `seconds`, value by second index. */
export function series(
  code: string,
  from: number,
  seconds: number,
  value: (i: number) => number,
  quality = 0,
): IngestRecord[] {
  return Array.from({ length: seconds }, (_, i) => record(from + i * 1000, [[code, value(i), quality]]));
}
