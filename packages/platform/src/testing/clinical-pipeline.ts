import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClinicalService, DEFAULT_CLINICAL_SERVICE_OPTIONS, SqliteClinicalStore } from '@wardstream/alerts';
import { DEFAULT_ENGINE_POLICY, type Alarm, type AlarmEvent, type ChartedValue } from '@wardstream/clinical';
import { deviceId, ManualClock, patientId, type PatientId } from '@wardstream/domain';
import { CountingGatewayMetrics, IngestPipeline, type IngestAnswer } from '@wardstream/gateway';
import { FileTelemetryLog } from '@wardstream/log';
import { BindingIndex, SqliteRegistry, type Registry } from '@wardstream/registry';
import type { OutgoingMessage } from '@wardstream/simulator';

/**
 * The real ingest-to-alarm path in one process with a hand-moved clock: the gateway's validation
 * (IngestPipeline: wire contract, units, plausibility and artifact flags, bindings), the file
 * telemetry log, and the clinical service with its SQLite store. Only the MQTT socket is left out,
 * so hours of simulated time run in seconds.
 */
export class ClinicalPipeline {
  private constructor(
    /** Alarm events as stored for the first time, in order. */
    readonly events: readonly AlarmEvent[],
    readonly dir: string,
    readonly clock: ManualClock,
    readonly registry: SqliteRegistry,
    private readonly bindings: BindingIndex,
    readonly log: FileTelemetryLog,
    readonly pipeline: IngestPipeline,
    readonly store: SqliteClinicalStore,
    readonly service: ClinicalService,
  ) {}

  static async open(startAt: number): Promise<ClinicalPipeline> {
    const dir = mkdtempSync(join(tmpdir(), 'wardstream-clinical-'));
    const clock = new ManualClock(startAt);
    const registry = await SqliteRegistry.open({ path: join(dir, 'registry.db') });
    const bindings = await BindingIndex.load(registry);
    const log = await FileTelemetryLog.open({ dir: join(dir, 'log'), partitionCount: 2, clock });
    const pipeline = new IngestPipeline({ log, bindings, metrics: new CountingGatewayMetrics() });
    const store = SqliteClinicalStore.open({ path: join(dir, 'clinical.db') });
    const events: AlarmEvent[] = [];
    const service = ClinicalService.start(
      // Ticks are driven by the test, in simulated time.
      { ...DEFAULT_CLINICAL_SERVICE_OPTIONS, tickIntervalMs: 3_600_000, fetchWaitMs: 5 },
      {
        log,
        store,
        clock,
        policy: DEFAULT_ENGINE_POLICY,
        wardOf: () => null,
        onAlarmEvent: (event, fresh) => {
          if (fresh) events.push(event);
        },
        onScore: () => undefined,
        onFatal: (err) => {
          throw err;
        },
        onWarning: () => undefined,
      },
    );
    return new ClinicalPipeline(events, dir, clock, registry, bindings, log, pipeline, store, service);
  }

  /** Registers the patient and device and binds them from `at`. */
  admit(device: string, patient: string, at: number): Promise<PatientId> {
    return admitDevice(this.registry, device, patient, at);
  }

  chart(patient: PatientId, observation: ChartedValue, at: number): void {
    this.service.commands.chart({ patientId: patient, observation, observedAt: at, recordedBy: 'nurse.test' });
  }

  /**
   * Runs the devices from `from` to `to` (exclusive) in steps of `stepMs`: every device's messages of a
   * step go through the gateway with that step's instant as their receipt time. Every `tickEveryMs` the
   * steps so far are appended together (one group commit), the service catches up, and its wall-clock
   * work runs at the simulated time.
   */
  async run(
    devices: readonly MessageSource[],
    from: number,
    to: number,
    stepMs: number,
    tickEveryMs = 10_000,
  ): Promise<void> {
    await runWaves(devices, from, to, stepMs, tickEveryMs, {
      ingest: (m, at) => this.pipeline.ingest(m.deviceId, m.payload, at),
      afterWave: async (at) => {
        this.clock.set(at);
        await this.service.drain();
        this.service.engine.tick(at);
      },
    });
  }

  /** Every alarm raised, oldest first. */
  alarms(): Alarm[] {
    return this.store.listAlarms({ limit: 100_000 }).reverse();
  }

  async close(): Promise<void> {
    await this.service.stop();
    this.store.close();
    await this.log.close();
    this.bindings.close();
    await this.registry.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What the harness drives: a simulated device, or a recording played as one (`WaveformDevice`). */
export interface MessageSource {
  /** The messages due at `at` (simulated ms). */
  tick(at: number): { readonly messages: readonly OutgoingMessage[] };
}

/** Registers the patient and device in `registry` and binds them from `at`. */
export async function admitDevice(registry: Registry, device: string, patient: string, at: number): Promise<PatientId> {
  const p = patientId(patient);
  await registry.putPatient({ id: p }, at);
  await registry.putDevice({ id: deviceId(device) }, at);
  await registry.admit(deviceId(device), p, at);
  return p;
}

/**
 * Drives simulated devices over [from, to) in steps of `stepMs`: each step's messages are ingested with
 * the step's instant as receipt time; every `tickEveryMs` (and at the end) the wave so far is awaited
 * — a refusal is an error — and `afterWave(at)` runs (move the clock, catch up, tick).
 */
export async function runWaves(
  devices: readonly MessageSource[],
  from: number,
  to: number,
  stepMs: number,
  tickEveryMs: number,
  hooks: {
    readonly ingest: (message: OutgoingMessage, at: number) => Promise<IngestAnswer>;
    readonly afterWave: (at: number) => Promise<void>;
  },
): Promise<void> {
  let wave: Promise<IngestAnswer>[] = [];
  let waveStart = from;
  const flush = async (at: number) => {
    for (const answer of await Promise.all(wave)) {
      if (answer.kind === 'rejected' || answer.kind === 'unavailable') {
        throw new Error(`the gateway refused a simulated message: ${JSON.stringify(answer)}`);
      }
    }
    wave = [];
    await hooks.afterWave(at);
  };
  for (let at = from; at < to; at += stepMs) {
    for (const d of devices) for (const m of d.tick(at).messages) wave.push(hooks.ingest(m, at));
    if (at - waveStart >= tickEveryMs) {
      await flush(at);
      waveStart = at;
    }
  }
  await flush(to - stepMs);
}
