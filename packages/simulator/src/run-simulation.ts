import type { Clock, DeviceId } from '@wardstream/domain';
import type { NumericsRecord } from './bidmc.js';
import { defaultDataDir, loadNumericsRecords } from './bidmc-files.js';
import { Fleet, type FleetStats } from './fleet.js';
import { buildDevices } from './fleet-builder.js';
import { JsonlHistoryFile } from './history-file.js';
import type { HistorySink } from './history.js';
import { mqttTransportFactory } from './mqtt-transport.js';
import { Random } from './random.js';
import { DEFAULT_SIMULATION_OPTIONS, simulationProblems, type SimulationOptions } from './simulation-options.js';
import type { TransportFactory } from './transport.js';
import { sleep } from './wait.js';

/**
 * Why a simulation could not run: `config` (bad options), `admit` (binding the devices to patients
 * failed), `connect` (nothing connected), `history` (write failed).
 */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  constructor(
    readonly code: 'config' | 'admit' | 'connect' | 'history',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A progress report: the fleet's counters, plus the publish rate since the previous report. */
export interface SimulationProgress extends FleetStats {
  readonly elapsedMs: number;
  readonly ratePerS: number;
}

/** What a run did. */
export interface SimulationSummary {
  readonly stats: FleetStats;
  readonly elapsedMs: number;
  /** The run was stopped by its signal rather than by its duration or count. */
  readonly interrupted: boolean;
  /** Device count per scenario label. */
  readonly scenarios: Readonly<Record<string, number>>;
  readonly historyPath?: string;
}

/** The ids a fleet publishes under: `{devicePrefix}{n}`, n zero-padded to at least 4 digits. */
export interface FleetIds {
  readonly deviceIds: readonly DeviceId[];
  readonly devicePrefix: string;
}

/** Hooks for the caller's environment: progress, cancellation, time, and (in tests) the transport. */
export interface SimulationHooks {
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** Aborting stops the run cleanly: remaining answers are awaited (up to the drain timeout). */
  readonly signal?: AbortSignal;
  /** Aborting skips the drain: connections close at once (a second Ctrl-C). */
  readonly forceSignal?: AbortSignal;
  readonly clock?: Clock;
  readonly openTransport?: TransportFactory;
  /** Receives the history instead of (or, with `historyPath`, besides no) file. */
  readonly history?: HistorySink;
  /**
   * Runs once the devices are built, before the history is opened or anything connects, with the ids
   * the fleet will publish under (e.g. to admit them to patients). A rejection ends the run with it.
   */
  readonly beforeStart?: (fleet: FleetIds) => Promise<void>;
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
const DISCARD: HistorySink = { record: () => undefined };

/**
 * Runs a simulated fleet against an MQTT endpoint until its duration, count or signal ends it, then
 * drains and closes, with the history flushed and synced. Rejects with SimulationError: `config` listing
 * every problem with the options, `connect` when no device connected within `connectTimeoutMs`,
 * `history` when the history cannot be written.
 */
export async function runSimulation(
  input: Partial<SimulationOptions> = {},
  hooks: SimulationHooks = {},
): Promise<SimulationSummary> {
  const o: SimulationOptions = { ...DEFAULT_SIMULATION_OPTIONS, ...input };
  const problems = simulationProblems(o);
  if (problems.length > 0) throw new SimulationError('config', problems.join('; '));
  const clock = hooks.clock ?? SYSTEM_CLOCK;
  const records = o.baselines === 'bidmc' ? await loadRecords() : [];
  let devices;
  try {
    const size = o.devices ?? defaultFleetSize(o.scenario);
    devices = buildDevices({ ...o, records, ...(size === undefined ? {} : { devices: size }) }, clock.now());
  } catch (err) {
    throw new SimulationError('config', (err as Error).message, { cause: err });
  }
  await hooks.beforeStart?.({ deviceIds: devices.map((d) => d.deviceId), devicePrefix: o.devicePrefix });
  const perDeviceRatePerS = o.deviceRatePerS ?? (o.ratePerS === undefined ? 1 : o.ratePerS / devices.length);
  const file = o.historyPath === undefined ? undefined : await JsonlHistoryFile.open(o.historyPath);
  const history = hooks.history ?? file ?? DISCARD;
  const openTransport =
    hooks.openTransport ??
    mqttTransportFactory({
      url: o.mqttUrl,
      protocolVersion: o.protocolVersion,
      backoff: o.backoff,
      keepaliveS: o.keepaliveS,
      connectTimeoutMs: Math.max(1000, o.connectTimeoutMs),
      ...(o.tls === undefined ? {} : { tls: o.tls }),
    });
  const fleet = new Fleet({
    devices,
    openTransport,
    history,
    clock,
    random: new Random(`wardstream-simulator/${o.seed}/fleet`),
    intervalMs: 1000 / perDeviceRatePerS,
    maxInflightPerDevice: o.maxInflightPerDevice,
    ...(o.count === undefined ? {} : { messageLimit: o.count }),
    connectSpreadMs: o.connectSpreadMs ?? Math.min(30_000, devices.length * 4),
    rebootCloseGraceMs: 1_000,
    trailingReportsGraceMs: o.protocolVersion === 4 ? 500 : 0,
  });
  const scenarios: Record<string, number> = {};
  for (const d of devices) scenarios[d.scenario.label] = (scenarios[d.scenario.label] ?? 0) + 1;

  const startAt = clock.now();
  let failure: Error | undefined;
  let interrupted = false;
  fleet.start();
  try {
    let lastFlushAt = startAt;
    let lastProgress = { at: startAt, sent: 0 };
    const endAt = o.durationMs === undefined || o.durationMs === 0 ? Infinity : startAt + o.durationMs;
    for (;;) {
      if (hooks.signal?.aborted === true) {
        interrupted = true;
        break;
      }
      const now = clock.now();
      if (now >= endAt || fleet.done) break;
      fleet.step();
      const stats = fleet.stats();
      if (stats.everConnected === 0 && now - startAt > o.connectTimeoutMs) {
        const why = stats.lastError === undefined ? '' : `: ${stats.lastError}`;
        throw new SimulationError(
          'connect',
          `no device could connect to ${o.mqttUrl} within ${o.connectTimeoutMs / 1000} s${why}`,
        );
      }
      if (file !== undefined && now - lastFlushAt >= o.historyFlushIntervalMs) {
        lastFlushAt = now;
        await file.flush().catch((err: unknown) => {
          throw new SimulationError('history', (err as Error).message, { cause: err });
        });
      }
      if (hooks.onProgress !== undefined && now - lastProgress.at >= o.progressIntervalMs) {
        const ratePerS = ((stats.sent - lastProgress.sent) * 1000) / Math.max(1, now - lastProgress.at);
        hooks.onProgress({ ...stats, elapsedMs: now - startAt, ratePerS });
        lastProgress = { at: now, sent: stats.sent };
      }
      await sleep(o.tickMs, hooks.signal);
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  }
  const drainMs = failure !== undefined || hooks.forceSignal?.aborted === true ? 0 : o.drainTimeoutMs;
  const stats = await fleet.stop(drainMs, hooks.forceSignal);
  try {
    await file?.close();
  } catch (err) {
    failure ??= new SimulationError('history', (err as Error).message, { cause: err });
  }
  if (failure !== undefined) throw failure;
  return {
    stats,
    elapsedMs: clock.now() - startAt,
    interrupted,
    scenarios,
    ...(o.historyPath === undefined ? {} : { historyPath: o.historyPath }),
  };
}

async function loadRecords(): Promise<NumericsRecord[]> {
  try {
    return await loadNumericsRecords();
  } catch (err) {
    const why = `cannot read the BIDMC numerics in ${defaultDataDir()}: ${(err as Error).message}`;
    throw new SimulationError('config', `${why} (use --baselines random)`, { cause: err });
  }
}

/** Without --devices: the spec's counts when every entry has one, else 10. */
function defaultFleetSize(spec: string): number | undefined {
  const counts = spec.split(',').map((e) => e.split(':')[1]);
  return counts.every((c) => c !== undefined) ? undefined : 10;
}
