import type { PatientId } from '@wardstream/domain';

/** The scores computed on the stream. */
export type ScoreName = 'news2' | 'qsofa' | 'mews';

/** One input a stream score used: where it came from and how old it was. */
export interface ScoreInput {
  readonly value: number | string | boolean;
  /** Event time of the reading or charted observation. */
  readonly observedAt: number;
  /** The MDC code of the reading, or `charted` / `context` for clinician-recorded inputs. */
  readonly source: string;
}

/**
 * A score of one patient at one instant, as stored (a time series) and served. A partial score
 * (`complete: false`) lists the parameters it lacks; it is never presented as complete.
 */
export interface ScoreRecord {
  readonly patientId: PatientId;
  readonly score: ScoreName;
  /** Event time of the evaluation (the newest input's observedAt). */
  readonly at: number;
  /** The aggregate over the parameters present. */
  readonly value: number;
  readonly complete: boolean;
  /** Parameters with no value at all. */
  readonly missing: readonly string[];
  /** Parameters whose latest value is older than its validity window. */
  readonly stale: readonly string[];
  /** Per-parameter points (the explanation); null for a missing or stale parameter. */
  readonly subscores: Readonly<Record<string, number | null>>;
  /** NEWS2 clinical risk band (RCP Chart 2), qSOFA `positive`/`negative`, MEWS band; null when partial. */
  readonly band: string | null;
  readonly inputs: Readonly<Record<string, ScoreInput>>;
}
