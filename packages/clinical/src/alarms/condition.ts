/**
 * Where a sample puts an alarm condition: past the limit (`alarm`), back inside but within the
 * hysteresis margin (`hold`), or clearly back inside (`clear`).
 */
export type ConditionZone = 'alarm' | 'hold' | 'clear';

export interface ConditionTiming {
  /** Alarm condition delay: the condition must hold this long (event time) before it is raised. */
  readonly delayMs: number;
  /** The condition must be clear this long before it ends. */
  readonly clearDelayMs: number;
  /** A pending condition with a gap in its samples longer than this starts over: persistence needs evidence. */
  readonly maxGapMs: number;
  /**
   * The sample is a spot measurement (e.g. NIBP every 15 min): the parameter is sampled less often
   * than the delays, so one sample stands for its interval and raises or clears the condition at once.
   */
  readonly spot?: boolean;
}

/**
 * One alarm condition followed in event time: `idle` → `pending` (in the alarm zone, waiting out the
 * delay) → `active` (raised) → `idle` once clear for the clear delay. Plain data, so the engine's state
 * can be saved and restored.
 */
export interface ConditionTracker {
  phase: 'idle' | 'pending' | 'active';
  /** Event time of the first sample of the current episode. */
  onsetAt: number;
  lastAt: number;
  /** While active: the first sample of the current clear run, or -1. */
  clearSince: number;
  /** The alarm raised for the current episode, once raised. */
  alarmId: string | null;
}

export type ConditionStep =
  | { readonly kind: 'none' }
  | { readonly kind: 'raise'; readonly onsetAt: number; readonly at: number }
  | { readonly kind: 'end'; readonly at: number; readonly alarmId: string | null };

const NONE: ConditionStep = { kind: 'none' };

export function idleTracker(): ConditionTracker {
  return { phase: 'idle', onsetAt: -1, lastAt: -1, clearSince: -1, alarmId: null };
}

/**
 * Advances `tracker` (in place) by one sample at event time `at` and says whether the alarm is to be
 * raised or ended. Samples older than the last one seen are ignored (late data cannot rewrite an
 * episode). A data gap never ends an active condition: missing data is the stale-data technical
 * alarm's business, not evidence that the patient recovered.
 */
export function stepCondition(
  tracker: ConditionTracker,
  at: number,
  zone: ConditionZone,
  timing: ConditionTiming,
): ConditionStep {
  if (at < tracker.lastAt) return NONE;
  const gap = tracker.lastAt < 0 ? 0 : at - tracker.lastAt;
  tracker.lastAt = at;
  switch (tracker.phase) {
    case 'idle':
      if (zone !== 'alarm') return NONE;
      tracker.phase = 'pending';
      tracker.onsetAt = at;
      return maybeRaise(tracker, at, timing);
    case 'pending':
      if (zone !== 'alarm') {
        tracker.phase = 'idle';
        return NONE;
      }
      if (gap > timing.maxGapMs) tracker.onsetAt = at;
      return maybeRaise(tracker, at, timing);
    case 'active':
      if (zone !== 'clear') {
        tracker.clearSince = -1;
        return NONE;
      }
      if (tracker.clearSince < 0) tracker.clearSince = at;
      if (at - tracker.clearSince < timing.clearDelayMs && timing.spot !== true) return NONE;
      return end(tracker, at);
  }
}

/** Ends an active condition now (its rule was disabled or a higher band superseded it). */
export function forceEnd(tracker: ConditionTracker, at: number): ConditionStep {
  if (tracker.phase !== 'active') {
    tracker.phase = 'idle';
    return NONE;
  }
  return end(tracker, at);
}

function maybeRaise(tracker: ConditionTracker, at: number, timing: ConditionTiming): ConditionStep {
  if (at - tracker.onsetAt < timing.delayMs && timing.spot !== true) return NONE;
  tracker.phase = 'active';
  tracker.clearSince = -1;
  return { kind: 'raise', onsetAt: tracker.onsetAt, at };
}

function end(tracker: ConditionTracker, at: number): ConditionStep {
  const alarmId = tracker.alarmId;
  tracker.phase = 'idle';
  tracker.clearSince = -1;
  tracker.alarmId = null;
  return { kind: 'end', at, alarmId };
}
