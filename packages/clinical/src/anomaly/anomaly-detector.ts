import type { AnomalyEvaluation } from './anomaly-evaluation.js';
import type { AnomalyPolicy } from './anomaly-policy.js';
import { BaselineTracker } from './baseline-tracker.js';
import type { BaselineTrackerState } from './baseline-tracker-state.js';

/** State keys are `${patientId}/${code}`: valid patient ids never contain `/` (see domain ids). */
const SEPARATOR = '/';

/**
 * Per-patient anomaly detection: one BaselineTracker per (patient, MDC code) for the codes the
 * policy lists; readings of other codes are ignored. Pure and deterministic — the same readings in
 * the same order give the same evaluations, also across state()/restore().
 */
export class AnomalyDetector {
  private readonly trackers = new Map<string, Map<string, BaselineTracker>>();
  private readonly codes: ReadonlySet<string>;

  constructor(private readonly policy: AnomalyPolicy) {
    this.codes = new Set(policy.codes);
  }

  /**
   * Feeds one validated reading (canonical unit, event time in epoch ms). Returns the evaluation of
   * the bucket it closed for that patient and code, or undefined (see BaselineTracker.observe).
   */
  observe(patientId: string, code: string, observedAt: number, value: number): AnomalyEvaluation | undefined {
    if (!this.codes.has(code)) return undefined;
    let byCode = this.trackers.get(patientId);
    if (byCode === undefined) {
      byCode = new Map();
      this.trackers.set(patientId, byCode);
    }
    let tracker = byCode.get(code);
    if (tracker === undefined) {
      tracker = new BaselineTracker(code, this.policy);
      byCode.set(code, tracker);
    }
    return tracker.observe(observedAt, value);
  }

  /** Drops every baseline of a patient (discharge, or a deliberate re-baseline). */
  forget(patientId: string): void {
    this.trackers.delete(patientId);
  }

  /** The tracker of one patient and code, if readings have been seen (for counters and tests). */
  tracker(patientId: string, code: string): BaselineTracker | undefined {
    return this.trackers.get(patientId)?.get(code);
  }

  /** Plain JSON state keyed `${patientId}/${code}`. */
  state(): Record<string, BaselineTrackerState> {
    const out: Record<string, BaselineTrackerState> = {};
    for (const [patientId, byCode] of this.trackers) {
      for (const [code, tracker] of byCode) out[`${patientId}${SEPARATOR}${code}`] = tracker.state();
    }
    return out;
  }

  /**
   * Rebuilds a detector from state(). Entries for codes the policy no longer lists are dropped;
   * a malformed key or tracker state throws a RangeError.
   */
  static restore(policy: AnomalyPolicy, state: Readonly<Record<string, BaselineTrackerState>>): AnomalyDetector {
    const detector = new AnomalyDetector(policy);
    for (const [key, trackerState] of Object.entries(state)) {
      const at = key.indexOf(SEPARATOR);
      if (at <= 0 || at === key.length - 1) throw new RangeError(`anomaly detector state: bad key "${key}"`);
      const patientId = key.slice(0, at);
      const code = key.slice(at + 1);
      if (!detector.codes.has(code)) continue;
      let byCode = detector.trackers.get(patientId);
      if (byCode === undefined) {
        byCode = new Map();
        detector.trackers.set(patientId, byCode);
      }
      byCode.set(code, BaselineTracker.restore(code, policy, trackerState));
    }
    return detector;
  }
}
