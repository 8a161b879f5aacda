import { deviceId, patientId, wardId } from '@wardstream/domain';
import { DEFAULT_SCENARIO_SETTINGS, runSimulation, type ScenarioSettings } from '@wardstream/simulator';
import type { DashboardPlatform } from './dashboard-platform.js';

/** Simulated bedside monitors publishing until `abort` (or their duration) ends them. */
export interface SimulatedMonitors {
  readonly abort: AbortController;
  /** Settles when the run has ended and drained. */
  readonly done: Promise<unknown>;
}

export interface MonitorOptions {
  /** Device ids are `${prefix}0001`, `${prefix}0002`, …; patient ids `${prefix}pt-0001`, … */
  readonly prefix: string;
  readonly count?: number;
  /** The patients' display names, by index; default `Bed N`. */
  readonly name?: (index: number) => string;
  /** The simulator's scenario spec, e.g. `stable`, `deteriorating`, `stable:50,deteriorating:14`. */
  readonly scenario: string;
  readonly settings?: Partial<ScenarioSettings>;
  /** Blood pressure and temperature every this often (the simulator's default is minutes apart). */
  readonly spotIntervalMs?: number;
  readonly durationMs?: number;
  /** false: the devices are registered but bound to no patient (their readings stay unassigned). */
  readonly admit?: boolean;
}

/** The patient admitted to the monitor `${prefix}000n`. */
export function monitorPatientId(prefix: string, n: number): string {
  return `${prefix}pt-${String(n).padStart(4, '0')}`;
}

/**
 * Admits `count` new patients of the demo ward, one monitor each (unless `admit` is false), and runs those monitors at 1 Hz
 * through the platform's loopback plaintext listener (`startDashboardPlatform(…, { plaintextMqtt })`).
 */
export async function startMonitors(fx: DashboardPlatform, options: MonitorOptions): Promise<SimulatedMonitors> {
  const { registry } = fx.platform;
  const count = options.count ?? 1;
  const now = Date.now();
  for (let n = 1; n <= count; n++) {
    const patient = patientId(monitorPatientId(options.prefix, n));
    const device = deviceId(`${options.prefix}${String(n).padStart(4, '0')}`);
    const displayName = options.name?.(n) ?? `Bed ${n}`;
    await registry.putDevice({ id: device, model: 'simulated bedside monitor' }, now);
    if (options.admit === false) continue;
    await registry.putPatient({ id: patient, displayName, wardId: wardId('demo-ward') }, now);
    await registry.admit(device, patient, now);
  }
  const abort = new AbortController();
  const done = runSimulation(
    {
      mqttUrl: fx.plaintextMqttUrl ?? '',
      protocolVersion: 5,
      devices: count,
      scenario: options.scenario,
      scenarioSettings: { ...DEFAULT_SCENARIO_SETTINGS, ...options.settings },
      deviceRatePerS: 1,
      devicePrefix: options.prefix,
      seed: options.prefix,
      ...(options.spotIntervalMs === undefined
        ? {}
        : { temperatureIntervalMs: options.spotIntervalMs, nibpIntervalMs: options.spotIntervalMs }),
      durationMs: options.durationMs ?? 10 * 60_000,
      drainTimeoutMs: 2_000,
    },
    { signal: abort.signal },
  );
  return { abort, done };
}
