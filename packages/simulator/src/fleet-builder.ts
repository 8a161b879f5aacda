import { deviceId } from '@wardstream/domain';
import { baselineFromNumerics, type NumericsRecord } from './bidmc.js';
import { SimulatedDevice } from './device.js';
import { Random } from './random.js';
import { resolveScenario, type ScenarioSettings } from './scenario.js';
import { assignScenarios, parseScenarioSpec } from './scenario-spec.js';
import { drawBaseline } from './vitals.js';

/** What the devices of a fleet are made from. */
export interface FleetPlan {
  /** Fleet size; undefined: the sum of the scenario spec's counts. */
  readonly devices?: number;
  /** e.g. `stable:16,deteriorating:4` (see `parseScenarioSpec`). */
  readonly scenario: string;
  readonly scenarioSettings: ScenarioSettings;
  readonly seed: string;
  /** Device ids are `{prefix}{n}`, n zero-padded to at least 4 digits. */
  readonly devicePrefix: string;
  readonly waveforms: boolean;
  readonly unitVariants: boolean;
  readonly temperatureIntervalMs: number;
  readonly nibpIntervalMs: number;
  /** BIDMC records to seed baselines from; empty: random adult baselines. */
  readonly records: readonly NumericsRecord[];
}

/**
 * Builds the simulated devices of a fleet starting at `startAt`. Deterministic for a plan and start
 * time; the start time is part of every boot id, so two runs never reuse a (device, boot, seq).
 * Throws ScenarioSpecError for a bad spec and RangeError for a prefix that makes invalid device ids.
 */
export function buildDevices(plan: FleetPlan, startAt: number): SimulatedDevice[] {
  const assignments = assignScenarios(parseScenarioSpec(plan.scenario), plan.devices);
  const root = new Random(`wardstream-simulator/${plan.seed}`);
  const runToken = `${Math.max(0, Math.trunc(startAt)).toString(36)}${root.token(3)}`;
  const width = Math.max(4, String(assignments.length).length);
  const recordOffset = root.int(0, Math.max(1, plan.records.length));
  return assignments.map((names, i) => {
    const random = root.fork(`device/${i}`);
    const record = plan.records[(recordOffset + i) % Math.max(1, plan.records.length)];
    const baselineRandom = random.fork('baseline');
    return new SimulatedDevice({
      deviceId: deviceId(`${plan.devicePrefix}${String(i + 1).padStart(width, '0')}`),
      random,
      scenario: resolveScenario(names, plan.scenarioSettings, random.fork('scenario')),
      baseline: record === undefined ? drawBaseline(baselineRandom) : baselineFromNumerics(record, baselineRandom),
      startAt,
      runToken,
      codeStyle: random.fork('codes').chance(0.5) ? 'mdc' : 'alias',
      unitVariants: plan.unitVariants,
      waveforms: plan.waveforms,
      temperatureIntervalMs: plan.temperatureIntervalMs,
      nibpIntervalMs: plan.nibpIntervalMs,
    });
  });
}
