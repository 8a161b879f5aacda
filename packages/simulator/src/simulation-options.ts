import { isValidId } from '@wardstream/domain';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { TlsSource } from './mqtt-transport.js';
import { DEFAULT_SCENARIO_SETTINGS, type ScenarioSettings } from './scenario.js';

/** Everything a simulation run is configured by; `DEFAULT_SIMULATION_OPTIONS` fills what is not given. */
export interface SimulationOptions {
  /** `mqtt://host:port`, or `mqtts://host:port` with `tls`. */
  readonly mqttUrl: string;
  /** 4 = MQTT 3.1.1 (rejections arrive on the errors topic), 5 = MQTT 5 (PUBACK reason codes). */
  readonly protocolVersion: 4 | 5;
  /** Client certificates: one for every device, or each device's own by id. */
  readonly tls?: TlsSource;
  /** Fleet size; undefined: the sum of the scenario spec's counts, or 10. */
  readonly devices?: number;
  readonly scenario: string;
  readonly scenarioSettings: ScenarioSettings;
  /** Messages per second over the whole fleet. Give this or `deviceRatePerS`; neither: 1 per device. */
  readonly ratePerS?: number;
  readonly deviceRatePerS?: number;
  /** Stop after this long; with `count` unset and this unset, run until the signal aborts. */
  readonly durationMs?: number;
  /** Stop after this many new messages (over the fleet). */
  readonly count?: number;
  /** Append the history here; unset: keep no history. */
  readonly historyPath?: string;
  readonly seed: string;
  readonly devicePrefix: string;
  /** Add ECG lead II and pleth segments (250 Hz) to every message. */
  readonly waveforms: boolean;
  /** Send some readings in °F, kPa or as fractions. */
  readonly unitVariants: boolean;
  /** Seed patients from the BIDMC numerics in the package's data folder, or draw them at random. */
  readonly baselines: 'bidmc' | 'random';
  readonly temperatureIntervalMs: number;
  readonly nibpIntervalMs: number;
  readonly maxInflightPerDevice: number;
  /** At the end, wait this long for outstanding answers. */
  readonly drainTimeoutMs: number;
  readonly progressIntervalMs: number;
  /** Fail when no device has connected this long after the start. */
  readonly connectTimeoutMs: number;
  /** Spread the first connects over this long; undefined: 4 ms per device, at most 30 s. */
  readonly connectSpreadMs?: number;
  readonly historyFlushIntervalMs: number;
  /** The pacing loop's period. */
  readonly tickMs: number;
  readonly backoff: BackoffPolicy;
  readonly keepaliveS: number;
}

/** Defaults that suit a laptop and `wardstream up`'s MQTT port. */
export const DEFAULT_SIMULATION_OPTIONS: SimulationOptions = {
  mqttUrl: 'mqtt://127.0.0.1:1884',
  protocolVersion: 4,
  scenario: 'stable',
  scenarioSettings: DEFAULT_SCENARIO_SETTINGS,
  seed: '1',
  devicePrefix: 'sim-',
  waveforms: false,
  unitVariants: false,
  baselines: 'bidmc',
  temperatureIntervalMs: 60_000,
  nibpIntervalMs: 300_000,
  maxInflightPerDevice: 100,
  drainTimeoutMs: 10_000,
  progressIntervalMs: 2_000,
  connectTimeoutMs: 10_000,
  historyFlushIntervalMs: 200,
  tickMs: 10,
  backoff: DEFAULT_BACKOFF,
  keepaliveS: 30,
};

const positive = (v: number | undefined): boolean => v === undefined || (Number.isFinite(v) && v > 0);
const share = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 1;

/** Every problem with a set of options, each a short sentence; empty when they are usable. */
export function simulationProblems(o: SimulationOptions): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  // Several gateways, comma-separated: each device starts on one and moves to the next on a reconnect.
  for (const raw of o.mqttUrl.split(',')) {
    let url: URL | undefined;
    try {
      url = new URL(raw.trim());
    } catch {
      problems.push(`the MQTT URL "${raw}" is not a URL`);
    }
    if (url !== undefined) {
      check(
        ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:'].includes(url.protocol),
        `unsupported MQTT URL scheme ${url.protocol}`,
      );
      const secure = ['mqtts:', 'tls:', 'wss:'].includes(url.protocol);
      check(o.tls === undefined || secure, 'TLS client certificates need an mqtts:// URL');
    }
  }
  check([4, 5].includes(o.protocolVersion), 'the protocol must be 4 (MQTT 3.1.1) or 5');
  check(
    o.devices === undefined || (Number.isSafeInteger(o.devices) && o.devices > 0),
    'devices must be a positive integer',
  );
  check(
    !(o.ratePerS !== undefined && o.deviceRatePerS !== undefined),
    'give a total rate or a per-device rate, not both',
  );
  check(positive(o.ratePerS) && positive(o.deviceRatePerS), 'rates must be positive numbers of messages per second');
  check(!(o.durationMs !== undefined && o.count !== undefined), 'give a duration or a count, not both');
  check(o.durationMs === undefined || (Number.isFinite(o.durationMs) && o.durationMs >= 0), 'the duration must be ≥ 0');
  check(
    o.count === undefined || (Number.isSafeInteger(o.count) && o.count > 0),
    'the count must be a positive integer',
  );
  check(o.devicePrefix === '' || isValidId(o.devicePrefix), 'the device prefix may only use A-Z a-z 0-9 . _ -');
  check(o.devicePrefix.length <= 54, 'the device prefix is too long (at most 54 characters)');
  check(
    Number.isSafeInteger(o.maxInflightPerDevice) && o.maxInflightPerDevice > 0,
    'max in-flight must be a positive integer',
  );
  for (const [name, v] of [
    ['drain timeout', o.drainTimeoutMs],
    ['progress interval', o.progressIntervalMs],
    ['connect timeout', o.connectTimeoutMs],
    ['history flush interval', o.historyFlushIntervalMs],
    ['tick', o.tickMs],
  ] as const) {
    check(Number.isFinite(v) && v >= 0, `the ${name} must be ≥ 0`);
  }
  const s = o.scenarioSettings;
  check(share(s.duplicateShare), 'the duplicate share must be between 0 and 1');
  check(share(s.malformedShare), 'the malformed share must be between 0 and 1');
  check(Number.isSafeInteger(s.outOfOrderWindow) && s.outOfOrderWindow >= 1, 'the out-of-order window must be ≥ 1');
  check(s.rebootEveryMs > 0, 'the reboot period must be positive');
  check(s.deteriorationDurationMs >= 0, 'the deterioration duration must be ≥ 0');
  check(s.dropoutDurationMs > 0 && s.dropoutEveryMs > 0, 'dropout duration and period must be positive');
  return problems;
}
