import type { Random } from './random.js';

/** The behaviours a simulated device can show. A device may combine several (`deteriorating+duplicates`). */
export type ScenarioName =
  | 'stable'
  | 'deteriorating'
  | 'arrhythmia'
  | 'dropout'
  | 'clock-skew'
  | 'duplicates'
  | 'out-of-order'
  | 'malformed'
  | 'reboot';

/** Every scenario name, for help texts and validation. */
export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'stable',
  'deteriorating',
  'arrhythmia',
  'dropout',
  'clock-skew',
  'duplicates',
  'out-of-order',
  'malformed',
  'reboot',
];

/** How a device's clock is wrong (RELIABILITY: device clocks at +1 h, −1 day, 1970). */
export type ClockSkewKind = '+1h' | '-1d' | '1970';
/** Every clock-skew kind. */
export const CLOCK_SKEW_KINDS: readonly ClockSkewKind[] = ['+1h', '-1d', '1970'];

/** Fleet-wide knobs of the scenarios; `DEFAULT_SCENARIO_SETTINGS` holds the defaults. */
export interface ScenarioSettings {
  /** Deterioration starts this long after the device starts, and takes `deteriorationDurationMs`. */
  readonly deteriorationAfterMs: number;
  readonly deteriorationDurationMs: number;
  /**
   * Rhythm episodes (with `--waveforms`, on the ECG): first after `arrhythmiaAfterMs`, then one every
   * `arrhythmiaEveryMs`, in turn extreme tachycardia (165 /min, 45 s), asystole (8 s without a QRS)
   * and extreme bradycardia (32 /min, 45 s); the heart-rate reading follows.
   */
  readonly arrhythmiaAfterMs: number;
  readonly arrhythmiaEveryMs: number;
  /** The SpO2 probe drops out first after `dropoutAfterMs`, for `dropoutDurationMs`, again every `dropoutEveryMs`. */
  readonly dropoutAfterMs: number;
  readonly dropoutDurationMs: number;
  readonly dropoutEveryMs: number;
  /** `silent`: the probe's readings are missing; `artifact`: they are sent flagged; `mixed`: per device. */
  readonly dropoutMode: 'silent' | 'artifact' | 'mixed';
  /** `mixed` picks one kind per device. */
  readonly clockSkew: ClockSkewKind | 'mixed';
  /** Share of messages sent a second time, identical, with the same (boot, seq). */
  readonly duplicateShare: number;
  /** Messages are sent shuffled within windows of this many. */
  readonly outOfOrderWindow: number;
  /** Share of messages replaced by a malformed one. */
  readonly malformedShare: number;
  /** The device restarts (new boot id, seq from 1) every `rebootEveryMs` and is off for `rebootDowntimeMs`. */
  readonly rebootEveryMs: number;
  readonly rebootDowntimeMs: number;
}

/** Defaults sized for runs of minutes: deterioration over 10 min, a 45 s dropout every 5 min, a reboot a minute. */
export const DEFAULT_SCENARIO_SETTINGS: ScenarioSettings = {
  deteriorationAfterMs: 0,
  deteriorationDurationMs: 600_000,
  arrhythmiaAfterMs: 60_000,
  arrhythmiaEveryMs: 120_000,
  dropoutAfterMs: 30_000,
  dropoutDurationMs: 45_000,
  dropoutEveryMs: 300_000,
  dropoutMode: 'mixed',
  clockSkew: 'mixed',
  duplicateShare: 0.1,
  outOfOrderWindow: 8,
  malformedShare: 0.2,
  rebootEveryMs: 60_000,
  rebootDowntimeMs: 3_000,
};

/** One device's resolved behaviour. Absent parts are off. */
export interface DeviceScenario {
  /** The names it was built from, joined with `+` (`stable` when none applies). */
  readonly label: string;
  readonly deterioration?: { readonly afterMs: number; readonly durationMs: number };
  readonly arrhythmia?: { readonly afterMs: number; readonly everyMs: number };
  readonly dropout?: {
    readonly afterMs: number;
    readonly durationMs: number;
    readonly everyMs: number;
    readonly mode: 'silent' | 'artifact';
  };
  readonly clockSkew?: ClockSkewKind;
  /** 0 when the device sends no deliberate duplicates. */
  readonly duplicateShare: number;
  /** 1 when the device sends in order. */
  readonly outOfOrderWindow: number;
  /** 0 when every message is well formed. */
  readonly malformedShare: number;
  readonly reboot?: { readonly everyMs: number; readonly downtimeMs: number };
}

/** Builds one device's behaviour from its scenario names; `random` picks per-device variants. */
export function resolveScenario(
  names: readonly ScenarioName[],
  settings: ScenarioSettings,
  random: Random,
): DeviceScenario {
  const has = (n: ScenarioName): boolean => names.includes(n);
  const effective = names.filter((n) => n !== 'stable');
  const s = settings;
  return {
    label: effective.length === 0 ? 'stable' : effective.join('+'),
    ...(has('deteriorating')
      ? { deterioration: { afterMs: s.deteriorationAfterMs, durationMs: s.deteriorationDurationMs } }
      : {}),
    ...(has('arrhythmia')
      ? {
          arrhythmia: {
            afterMs: s.arrhythmiaAfterMs,
            everyMs: Math.max(s.arrhythmiaEveryMs, ARRHYTHMIA_LONGEST_MS + 30_000),
          },
        }
      : {}),
    ...(has('dropout')
      ? {
          dropout: {
            afterMs: s.dropoutAfterMs,
            durationMs: s.dropoutDurationMs,
            everyMs: Math.max(s.dropoutEveryMs, s.dropoutDurationMs + 1),
            mode: s.dropoutMode === 'mixed' ? random.pick(['silent', 'artifact'] as const) : s.dropoutMode,
          },
        }
      : {}),
    ...(has('clock-skew') ? { clockSkew: s.clockSkew === 'mixed' ? random.pick(CLOCK_SKEW_KINDS) : s.clockSkew } : {}),
    duplicateShare: has('duplicates') ? s.duplicateShare : 0,
    outOfOrderWindow: has('out-of-order') ? Math.max(2, s.outOfOrderWindow) : 1,
    malformedShare: has('malformed') ? s.malformedShare : 0,
    ...(has('reboot') ? { reboot: { everyMs: s.rebootEveryMs, downtimeMs: s.rebootDowntimeMs } } : {}),
  };
}

/** A rhythm episode of the `arrhythmia` scenario: a heart rate, or `null` for asystole (no QRS). */
export interface RhythmEpisode {
  readonly kind: 'tachycardia' | 'asystole' | 'bradycardia';
  readonly heartRateBpm: number | null;
}

const ARRHYTHMIA_EPISODES: readonly (RhythmEpisode & { readonly durationMs: number })[] = [
  { kind: 'tachycardia', heartRateBpm: 165, durationMs: 45_000 },
  { kind: 'asystole', heartRateBpm: null, durationMs: 8_000 },
  { kind: 'bradycardia', heartRateBpm: 32, durationMs: 45_000 },
];
const ARRHYTHMIA_LONGEST_MS = Math.max(...ARRHYTHMIA_EPISODES.map((e) => e.durationMs));

/** The rhythm episode of the device at `at`, or null outside one. */
export function rhythmEpisode(scenario: DeviceScenario, startAt: number, at: number): RhythmEpisode | null {
  const a = scenario.arrhythmia;
  if (a === undefined) return null;
  const elapsed = at - startAt - a.afterMs;
  if (elapsed < 0) return null;
  const episode = ARRHYTHMIA_EPISODES[Math.floor(elapsed / a.everyMs) % ARRHYTHMIA_EPISODES.length];
  return episode !== undefined && elapsed % a.everyMs < episode.durationMs ? episode : null;
}
