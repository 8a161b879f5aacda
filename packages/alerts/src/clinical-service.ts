import {
  ClinicalEngine,
  DEFAULT_RULES,
  effectiveRules,
  type Alarm,
  type AlarmEvent,
  type AlarmRule,
  type EnginePolicy,
  type EngineState,
  type EcgMetrics,
  type ScoreRecord,
} from '@wardstream/clinical';
import { decodeIngestRecord, type Clock, type PatientId } from '@wardstream/domain';
import { LogCorruptionError, partitionFor, type LogEntry, type TelemetryLog } from '@wardstream/log';
import type { ClinicalStore } from './clinical-store.js';
import { ClinicalCommands } from './clinical-commands.js';

export interface ClinicalServiceOptions {
  /** Consumer name under which the service commits its position to the telemetry log. */
  readonly consumer: string;
  readonly maxBatchRecords: number;
  readonly fetchWaitMs: number;
  /** How often the engine's state and position are saved (a crash replays at most this much). */
  readonly checkpointIntervalMs: number;
  /** How often wall-clock work runs (stale data, escalation). */
  readonly tickIntervalMs: number;
  /** At start, events stored this recently are routed again (idempotent routes) to close a crash gap. */
  readonly rerouteWindowMs: number;
  /**
   * A restart first re-reads this much of the log (ingest time) before the checkpoint into the ECG
   * analysers alone, so their detectors have learned by the time the checkpoint's data comes again:
   * an episode that began just before a crash is judged as it would have been without one.
   */
  readonly ecgWarmUpMs: number;
  /**
   * The telemetry-log partitions this service owns (the scaled-out shape runs one service per
   * partition a processor holds); all of the log's by default. Only the open alarms of its own
   * partitions are taken over at start.
   */
  readonly partitions?: readonly number[];
}

export const DEFAULT_CLINICAL_SERVICE_OPTIONS: ClinicalServiceOptions = {
  consumer: 'clinical',
  // Small batches: the engine runs synchronously on the platform's main thread; a 2,000-record batch
  // held it for up to ~90 ms (docs/BENCHMARKS.md), delaying acknowledgements and alarms alike.
  maxBatchRecords: 256,
  fetchWaitMs: 250,
  checkpointIntervalMs: 2_000,
  tickIntervalMs: 1_000,
  rerouteWindowMs: 10 * 60_000,
  ecgWarmUpMs: 15_000,
};

export interface ClinicalServiceDeps {
  readonly log: TelemetryLog;
  readonly store: ClinicalStore;
  readonly clock: Clock;
  readonly policy: EnginePolicy;
  /** The ward of a patient, for ward rule sets (the composition root keeps it from the registry). */
  readonly wardOf: (patientId: PatientId) => string | null;
  /** Every alarm event once stored; `fresh` false when re-routed after a restart. */
  readonly onAlarmEvent: (event: AlarmEvent, fresh: boolean) => void;
  readonly onScore: (score: ScoreRecord) => void;
  /** ECG heart rate, HRV and signal quality, as computed (stored with the batch). */
  readonly onEcgMetrics?: (metrics: EcgMetrics) => void;
  /**
   * Whether this service may still act (scaled out: its processor still holds the partition's
   * lease). While false it neither ticks, processes nor saves its checkpoint: a processor that was
   * paused past its lease must not raise, escalate or overwrite what the new owner does.
   */
  readonly isOwner?: () => boolean;
  /** The service stopped on an error (it never swallows one on the alert path). */
  readonly onFatal: (err: Error) => void;
  readonly onWarning: (message: string, err: Error) => void;
}

/**
 * The clinical service: a consumer of the telemetry log (its own position, saved with the engine's
 * state in the clinical store) that runs the clinical engine, stores every alarm event and score,
 * and hands events to the router. Operator commands go through `commands`.
 */
export class ClinicalService {
  readonly commands: ClinicalCommands;
  private readonly abort = new AbortController();
  private readonly rulesCache = new Map<PatientId, readonly AlarmRule[]>();
  private positions = new Map<number, number>();
  private loop: Promise<void> | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private lastCheckpointAt = 0;
  private pendingScores: ScoreRecord[] = [];
  private pendingEcg: EcgMetrics[] = [];
  /** Per partition, the checkpoint's offset: records before it are being re-read for the ECG warm-up. */
  private readonly resumeAt = new Map<number, number>();
  /** Per partition, (offset, receivedAt) about once a second: where a warm-up would start. */
  private readonly marks = new Map<number, { offset: number; receivedAt: number }[]>();
  private failure: Error | undefined;
  readonly engine: ClinicalEngine;

  private constructor(
    private readonly options: ClinicalServiceOptions,
    private readonly deps: ClinicalServiceDeps,
    state: EngineState | undefined,
  ) {
    const { store, clock } = deps;
    this.engine = new ClinicalEngine(
      deps.policy,
      {
        rulesFor: (patientId) => this.rulesFor(patientId),
        findAlarm: (id) => store.getAlarm(id),
        onAlarmEvent: (event) => {
          deps.onAlarmEvent(event, store.recordAlarmEvent(event));
        },
        onScore: (score) => {
          // Stored with the batch (one transaction), shown live at once.
          this.pendingScores.push(score);
          deps.onScore(score);
        },
        onEcgMetrics: (metrics) => {
          this.pendingEcg.push(metrics);
          deps.onEcgMetrics?.(metrics);
        },
      },
      { state, openAlarms: store.openAlarms().filter((a) => this.owns(a)), startedAt: clock.now() },
    );
    this.commands = new ClinicalCommands({
      engine: this.engine,
      store,
      clock,
      policy: deps.policy,
      rulesFor: (patientId) => this.rulesFor(patientId),
      rulesChanged: () => this.rulesChanged(),
      charted: () => this.checkpoint(),
    });
  }

  /** Resumes from the store's checkpoint (or the log's end on first start) and starts consuming. */
  static start(options: ClinicalServiceOptions, deps: ClinicalServiceDeps): ClinicalService {
    const checkpoint = deps.store.loadCheckpoint();
    const service = new ClinicalService(options, deps, checkpoint?.state as EngineState | undefined);
    const end = deps.log.status().endOffsets;
    for (const p of options.partitions ?? Array.from({ length: deps.log.partitionCount }, (_, i) => i)) {
      const resume = checkpoint?.offsets[p] ?? end.get(p) ?? 0;
      const warm = Math.min(resume, checkpoint?.warmUpOffsets?.[p] ?? resume);
      service.resumeAt.set(p, resume);
      service.positions.set(p, warm);
    }
    if (checkpoint === undefined) service.checkpoint();
    const now = deps.clock.now();
    // A service of some partitions only (scaled out) has no route to replay: its events go to the
    // live feeds only, which are told of fresh events alone.
    if (options.partitions === undefined) {
      for (const event of deps.store.eventsBetween(now - options.rerouteWindowMs, now + 1, 100_000)) {
        deps.onAlarmEvent(event, false);
      }
    }
    service.loop = service.run();
    service.ticker = setInterval(() => {
      if (!service.owner()) return;
      service.guard(() => {
        service.engine.tick(deps.clock.now());
        service.flushScores();
      });
    }, options.tickIntervalMs);
    return service;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  /** The effective rules of a patient: defaults, then the ward's, then the patient's overrides. */
  rulesFor(patientId: PatientId): readonly AlarmRule[] {
    let rules = this.rulesCache.get(patientId);
    if (rules === undefined) {
      const { store } = this.deps;
      const ward = this.deps.wardOf(patientId);
      rules = effectiveRules(
        store.getRuleSet({ kind: 'default' })?.rules ?? DEFAULT_RULES,
        ward === null ? [] : (store.getRuleSet({ kind: 'ward', wardId: ward })?.rules ?? []),
        store.getRuleSet({ kind: 'patient', patientId })?.rules ?? [],
      );
      this.rulesCache.set(patientId, rules);
    }
    return rules;
  }

  /**
   * Rule sets changed (here, or through another process sharing the store): rules are read again
   * and every patient's alarms re-evaluated against them.
   */
  rulesChanged(): void {
    this.rulesCache.clear();
    this.engine.rulesChanged(this.deps.clock.now());
    this.checkpoint();
  }

  /** Whether the alarm belongs to this service's partitions (keyed by patient, else device, as the log is). */
  private owns(alarm: Alarm): boolean {
    const { partitions } = this.options;
    if (partitions === undefined) return true;
    const key = alarm.patientId ?? alarm.deviceId ?? 'system';
    return partitions.includes(partitionFor(key, this.deps.log.partitionCount));
  }

  /** Patients' wards changed: rules are looked up again. */
  wardsChanged(): void {
    this.rulesCache.clear();
  }

  openAlarms(): Alarm[] {
    return this.engine.openAlarms();
  }

  /** Processes everything up to the log's current end (tests, tools, shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const end = this.deps.log.status().endOffsets;
      if (![...this.positions].some(([p, next]) => (end.get(p) ?? 0) > next)) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.ticker);
    await this.loop;
    if (this.failure === undefined) this.checkpoint();
  }

  private async run(): Promise<void> {
    const { log } = this.deps;
    while (!this.abort.signal.aborted && this.failure === undefined) {
      let entries: LogEntry[];
      try {
        entries = await log.fetch(this.positions, {
          maxRecords: this.options.maxBatchRecords,
          maxWaitMs: this.options.fetchWaitMs,
          signal: this.abort.signal,
        });
      } catch (err) {
        if (err instanceof LogCorruptionError) {
          // The processor reports the corrupt entry (health, metric); the clinical service goes past it too.
          this.deps.onWarning(
            `skipped an unreadable log entry at partition ${err.partition} offset ${err.offset}`,
            err,
          );
          this.positions.set(err.partition, Math.max(this.positions.get(err.partition) ?? 0, err.offset + 1));
          continue;
        }
        this.fail(err);
        return;
      }
      if (!this.owner()) {
        // Given up (or about to be): the new owner processes these from its checkpoint.
        this.abort.abort();
        return;
      }
      this.guard(() => {
        this.process(entries);
      });
      if (this.deps.clock.now() - this.lastCheckpointAt >= this.options.checkpointIntervalMs) {
        this.guard(() => {
          this.checkpoint();
        });
      }
    }
  }

  private process(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      let record;
      try {
        record = decodeIngestRecord(entry.payload);
      } catch (err) {
        this.deps.onWarning(
          `skipped an undecodable log entry at partition ${entry.partition} offset ${entry.offset}`,
          err as Error,
        );
        this.positions.set(entry.partition, entry.offset + 1);
        continue;
      }
      if (entry.offset < (this.resumeAt.get(entry.partition) ?? 0)) this.engine.warmUp(record);
      else this.engine.ingest(record);
      this.mark(entry.partition, entry.offset, record.receivedAt);
      this.positions.set(entry.partition, entry.offset + 1);
    }
    this.flushScores();
  }

  private mark(partition: number, offset: number, receivedAt: number): void {
    let marks = this.marks.get(partition);
    if (marks === undefined) this.marks.set(partition, (marks = []));
    const last = marks.at(-1);
    if (last !== undefined && receivedAt - last.receivedAt < 1000) return;
    marks.push({ offset, receivedAt });
    // Keep one mark older than the warm-up window; drop the ones before it.
    const horizon = receivedAt - this.options.ecgWarmUpMs;
    while ((marks[1]?.receivedAt ?? Number.POSITIVE_INFINITY) <= horizon) marks.shift();
  }

  /** Where a restart would begin its warm-up: the newest mark at least `ecgWarmUpMs` old, else the oldest. */
  private warmUpOffsets(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const [p, position] of this.positions) {
      const marks = this.marks.get(p) ?? [];
      const first = marks[0];
      const last = marks.at(-1);
      if (first === undefined || last === undefined) {
        out[p] = Math.min(position, this.resumeAt.get(p) ?? position);
        continue;
      }
      const horizon = last.receivedAt - this.options.ecgWarmUpMs;
      let chosen = first;
      for (const m of marks) if (m.receivedAt <= horizon) chosen = m;
      out[p] = chosen.offset;
    }
    return out;
  }

  /** The position a checkpoint saves: never before the previous checkpoint's (a warm-up re-read is not new data). */
  private checkpointOffsets(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const [p, position] of this.positions) out[p] = Math.max(position, this.resumeAt.get(p) ?? 0);
    return out;
  }

  /** Stores the scores and ECG metrics of the batch (replays replace them: stored by key). */
  private flushScores(): void {
    if (this.pendingScores.length > 0) {
      const scores = this.pendingScores;
      this.pendingScores = [];
      this.deps.store.appendScores(scores);
    }
    if (this.pendingEcg.length > 0) {
      const metrics = this.pendingEcg;
      this.pendingEcg = [];
      this.deps.store.appendEcgMetrics(metrics);
    }
  }

  /** Saves the engine's state with its position, then commits the position to the log (for retention). */
  private owner(): boolean {
    return this.deps.isOwner?.() ?? true;
  }

  private checkpoint(): void {
    if (!this.owner()) return;
    this.flushScores();
    const now = this.deps.clock.now();
    this.lastCheckpointAt = now;
    const warmUpOffsets = this.warmUpOffsets();
    this.deps.store.saveCheckpoint({
      offsets: this.checkpointOffsets(),
      state: this.engine.state(),
      savedAt: now,
      warmUpOffsets,
    });
    // The log keeps what a restart re-reads: commit the warm-up position (retention), not the checkpoint's.
    const retain = new Map(Object.entries(warmUpOffsets).map(([p, o]) => [Number(p), o]));
    this.deps.log.commit(this.options.consumer, retain).catch((err: unknown) => {
      this.deps.onWarning('could not commit the clinical position to the log; retrying', err as Error);
    });
  }

  private guard(work: () => void): void {
    if (this.failure !== undefined) return;
    try {
      work();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.abort.abort();
    clearInterval(this.ticker);
    this.deps.onFatal(this.failure);
  }
}
