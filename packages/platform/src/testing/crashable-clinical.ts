import { join } from 'node:path';
import {
  ClinicalService,
  DEFAULT_CLINICAL_SERVICE_OPTIONS,
  SqliteClinicalStore,
  type EngineCheckpoint,
} from '@wardstream/alerts';
import { DEFAULT_ENGINE_POLICY, type AlarmEvent, type ChartedValue } from '@wardstream/clinical';
import { ManualClock, type PatientId } from '@wardstream/domain';
import { CountingGatewayMetrics, IngestPipeline } from '@wardstream/gateway';
import { FileTelemetryLog } from '@wardstream/log';
import { BindingIndex, SqliteRegistry } from '@wardstream/registry';
import { admitDevice, runWaves, type MessageSource } from './clinical-pipeline.js';

/** What one simulated crash left behind, for the report. */
export interface CrashRecord {
  /** Simulated instant of the crash. */
  readonly at: number;
  /** How old the stored checkpoint was (simulated ms) when the process died. */
  readonly checkpointAgeMs: number;
  /** Log entries appended after the checkpoint's position: what the next service replays. */
  readonly replayedEntries: number;
  /** Why the abandoned service stopped (it found its log and store closed under it). */
  readonly abandonedWith: string;
}

/** One process's worth of the clinical side: the log, the clinical store and the service on them. */
interface Incarnation {
  readonly log: FileTelemetryLog;
  readonly pipeline: IngestPipeline;
  readonly store: SqliteClinicalStore;
  readonly service: ClinicalService;
  readonly fatal: Error[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The ingest-to-alarm path of `ClinicalPipeline` (gateway validation, file telemetry log, clinical
 * service on a SQLite store, a hand-moved clock) in a data directory that outlives the "process":
 * `crash()` abandons the running service without `stop()` — its log and store handles are closed
 * under it, so its last checkpoint is whatever it saved last and it can write nothing more — and
 * opens a new log, store and service from the same directory, as a restart after kill -9 would.
 * The registry (not under test here) stays open across crashes.
 */
export class CrashableClinical {
  /** Alarm events as stored for the first time, in order, across every incarnation. */
  readonly events: AlarmEvent[] = [];
  /** Events the engine re-derived after a restart and the store recognised as already stored. */
  readonly rederived: AlarmEvent[] = [];
  readonly crashes: CrashRecord[] = [];
  /** Events routed again at a start (the service's re-route window), per start. */
  readonly rerouted: number[] = [];
  private current!: Incarnation;

  private constructor(
    readonly dir: string,
    readonly clock: ManualClock,
    private readonly registry: SqliteRegistry,
    private readonly bindings: BindingIndex,
    private readonly checkpointIntervalMs: number,
  ) {}

  /** Opens everything in `dir` (an empty directory the caller owns) with the clock at `startAt`. */
  static async open(dir: string, startAt: number, checkpointIntervalMs: number): Promise<CrashableClinical> {
    const clock = new ManualClock(startAt);
    const registry = await SqliteRegistry.open({ path: join(dir, 'registry.db') });
    const bindings = await BindingIndex.load(registry);
    const self = new CrashableClinical(dir, clock, registry, bindings, checkpointIntervalMs);
    self.current = await self.incarnate();
    return self;
  }

  get store(): SqliteClinicalStore {
    return this.current.store;
  }

  get service(): ClinicalService {
    return this.current.service;
  }

  /** Registers the patient and device and binds them from `at`. */
  admit(device: string, patient: string, at: number): Promise<PatientId> {
    return admitDevice(this.registry, device, patient, at);
  }

  chart(patient: PatientId, observation: ChartedValue, at: number): void {
    this.service.commands.chart({ patientId: patient, observation, observedAt: at, recordedBy: 'nurse.test' });
  }

  /** Replaces the patient's rule overrides through the service's commands (audited, checkpointed). */
  putPatientRules(patient: PatientId, rules: unknown): void {
    this.service.commands.putRules({ kind: 'patient', patientId: patient }, rules, 'nurse.test');
  }

  /**
   * Runs the devices over [from, to) in steps of `stepMs`, as `ClinicalPipeline.run` does: every
   * `tickEveryMs` the steps so far are appended (awaited: the gateway has acknowledged them), the
   * clock moves, the service catches up and its wall-clock work runs. `hooks.crashAfter(at)` is asked
   * after each append, before the service catches up: true crashes the platform there, with a backlog;
   * `hooks.afterTick(at)` runs once the service has caught up (an operator's command, say).
   */
  async run(
    devices: readonly MessageSource[],
    from: number,
    to: number,
    stepMs: number,
    hooks: { crashAfter?: (at: number) => boolean; afterTick?: (at: number) => void } = {},
    tickEveryMs = 10_000,
  ): Promise<void> {
    await runWaves(devices, from, to, stepMs, tickEveryMs, {
      ingest: (m, at) => this.current.pipeline.ingest(m.deviceId, m.payload, at),
      afterWave: async (at) => {
        this.clock.set(at);
        if (hooks.crashAfter?.(at) === true) await this.crash();
        await this.service.drain();
        this.service.engine.tick(at);
        hooks.afterTick?.(at);
      },
    });
  }

  /**
   * kill -9 of the clinical side: no `stop()`, no last checkpoint. The store and log handles are
   * closed first (so the abandoned service's next write or fetch throws instead of landing), the
   * service is left to notice and fail by itself, then everything is opened again from the directory.
   */
  async crash(): Promise<void> {
    const old = this.current;
    const stored = old.store.loadCheckpoint();
    if (stored === undefined) throw new Error('crash before the first checkpoint: nothing to resume from');
    const end = old.log.status().endOffsets;
    old.store.close();
    await old.log.close();
    for (let waited = 0; old.service.error === undefined; waited += 5) {
      if (waited > 5_000) throw new Error('the abandoned clinical service did not stop after its log closed');
      await sleep(5);
    }
    this.current = await this.incarnate();
    const resumed = this.current.store.loadCheckpoint();
    if (resumed === undefined || !sameCheckpoint(resumed, stored)) {
      throw new Error('the checkpoint changed between the crash and the restart: the abandoned service wrote it');
    }
    let replayed = 0;
    for (const [p, next] of end) replayed += next - (stored.offsets[p] ?? 0);
    this.crashes.push({
      at: this.clock.now(),
      checkpointAgeMs: this.clock.now() - stored.savedAt,
      replayedEntries: replayed,
      abandonedWith: old.service.error.message,
    });
  }

  /** A clean shutdown, then the directory is left to the caller. */
  async close(): Promise<void> {
    await this.current.service.stop();
    this.current.store.close();
    await this.current.log.close();
    this.bindings.close();
    await this.registry.close();
    const fatal = this.current.fatal[0];
    if (fatal !== undefined) throw fatal;
  }

  private async incarnate(): Promise<Incarnation> {
    const clock = this.clock;
    const log = await FileTelemetryLog.open({ dir: join(this.dir, 'log'), partitionCount: 2, clock });
    const pipeline = new IngestPipeline({ log, bindings: this.bindings, metrics: new CountingGatewayMetrics() });
    const store = SqliteClinicalStore.open({ path: join(this.dir, 'clinical.db') });
    const fatal: Error[] = [];
    let starting = true;
    let rerouted = 0;
    const service = ClinicalService.start(
      // Ticks are driven by the test, in simulated time; checkpoints follow the simulated clock too.
      {
        ...DEFAULT_CLINICAL_SERVICE_OPTIONS,
        tickIntervalMs: 3_600_000,
        fetchWaitMs: 5,
        checkpointIntervalMs: this.checkpointIntervalMs,
      },
      {
        log,
        store,
        clock,
        policy: DEFAULT_ENGINE_POLICY,
        wardOf: () => null,
        onAlarmEvent: (event, fresh) => {
          if (fresh) this.events.push(event);
          else if (starting) rerouted++;
          else this.rederived.push(event);
        },
        onScore: () => undefined,
        onFatal: (err) => fatal.push(err),
        onWarning: () => undefined,
      },
    );
    starting = false;
    this.rerouted.push(rerouted);
    return { log, pipeline, store, service, fatal };
  }
}

function sameCheckpoint(a: EngineCheckpoint, b: EngineCheckpoint): boolean {
  return a.savedAt === b.savedAt && JSON.stringify(a.offsets) === JSON.stringify(b.offsets);
}
