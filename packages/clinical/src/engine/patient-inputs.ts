import type { Consciousness } from '../charted.js';

/** A value with the event time it was observed and where it came from (an MDC code or `charted`). */
export interface Sample<T> {
  readonly value: T;
  readonly observedAt: number;
  readonly source: string;
}

/** What the engine knows of one patient's inputs: the newest valid value per code and the charted context. */
export interface PatientInputs {
  /** MDC code → newest valid reading (artifact, implausible and superseded readings excluded). */
  latest: Record<string, Sample<number>>;
  consciousness: Sample<Consciousness> | null;
  oxygen: Sample<boolean> | null;
  /** SpO2 scale 2 only when a clinician documented a target of 88–92 %; scale 1 otherwise. */
  spo2Scale: Sample<1 | 2> | null;
}

export function emptyInputs(): PatientInputs {
  return { latest: {}, consciousness: null, oxygen: null, spo2Scale: null };
}

/** The newest sample among `codes`, or undefined. */
export function newestOf(inputs: PatientInputs, codes: readonly string[]): Sample<number> | undefined {
  let best: Sample<number> | undefined;
  for (const code of codes) {
    const s = inputs.latest[code];
    if (s !== undefined && (best === undefined || s.observedAt > best.observedAt)) best = s;
  }
  return best;
}

/** Records `sample` under `code` unless a newer one is already there. Returns whether it was taken. */
export function observe(inputs: PatientInputs, code: string, sample: Sample<number>): boolean {
  const current = inputs.latest[code];
  if (current !== undefined && current.observedAt > sample.observedAt) return false;
  inputs.latest[code] = sample;
  return true;
}
