import { SCENARIO_NAMES, type ScenarioName } from './scenario.js';

/** One entry of a fleet's scenario spec: the scenarios combined on a device, and how many such devices. */
export interface ScenarioEntry {
  readonly names: readonly ScenarioName[];
  /** Undefined: share the devices left over by the counted entries. */
  readonly count?: number;
}

/** A scenario spec that cannot be used; the message names the problem and the fix. */
export class ScenarioSpecError extends Error {
  override readonly name = 'ScenarioSpecError';
}

function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}

/**
 * Parses `stable:16,deteriorating:4`, `malformed`, or `deteriorating+duplicates:2,stable`: comma-separated
 * entries, each one or more scenario names joined by `+`, optionally followed by `:count`.
 * Throws ScenarioSpecError for an unknown name or a bad count.
 */
export function parseScenarioSpec(spec: string): ScenarioEntry[] {
  const entries = spec.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) throw new ScenarioSpecError(`scenario spec "${spec}" has an empty entry`);
  return entries.map((entry) => {
    const [namesPart = '', countPart, extra] = entry.split(':');
    if (extra !== undefined) throw new ScenarioSpecError(`scenario entry "${entry}" has more than one ":"`);
    const names = namesPart.split('+').map((n) => n.trim());
    const unknown = names.filter((n) => !isScenarioName(n));
    if (unknown.length > 0) {
      throw new ScenarioSpecError(`unknown scenario "${unknown.join('", "')}" (known: ${SCENARIO_NAMES.join(', ')})`);
    }
    if (countPart === undefined) return { names: names as ScenarioName[] };
    const count = Number(countPart);
    if (!/^\d+$/.test(countPart.trim()) || !Number.isSafeInteger(count)) {
      throw new ScenarioSpecError(`scenario entry "${entry}": the count must be a whole number`);
    }
    return { names: names as ScenarioName[], count };
  });
}

/**
 * The scenario names of each device, in device order (contiguous blocks per entry). `devices` is the
 * fleet size; when undefined it is the sum of the counts, and then every entry needs a count. Entries
 * without a count share the devices the counted ones leave, as evenly as possible.
 * Throws ScenarioSpecError when the counts and the fleet size disagree.
 */
export function assignScenarios(entries: readonly ScenarioEntry[], devices?: number): ScenarioName[][] {
  const counted = entries.reduce((sum, e) => sum + (e.count ?? 0), 0);
  const uncounted = entries.filter((e) => e.count === undefined);
  let total: number;
  if (devices === undefined) {
    if (uncounted.length > 0) {
      throw new ScenarioSpecError('give every scenario a count (e.g. stable:16,deteriorating:4) or set --devices');
    }
    total = counted;
  } else {
    total = devices;
    if (uncounted.length === 0 && counted !== devices) {
      throw new ScenarioSpecError(`the scenario counts add up to ${counted} but the fleet has ${devices} devices`);
    }
    if (counted > devices) {
      throw new ScenarioSpecError(`the scenario counts add up to ${counted}, more than the ${devices} devices`);
    }
  }
  if (total < 1) throw new ScenarioSpecError('the fleet needs at least one device');
  const leftover = total - counted;
  const out: ScenarioName[][] = [];
  let shared = 0;
  for (const entry of entries) {
    let n = entry.count;
    if (n === undefined) {
      n = Math.floor(leftover / uncounted.length) + (shared < leftover % uncounted.length ? 1 : 0);
      shared++;
    }
    for (let i = 0; i < n; i++) out.push([...entry.names]);
  }
  return out;
}
