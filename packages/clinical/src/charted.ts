import type { PatientId } from '@wardstream/domain';

/** ACVPU: Alert, new Confusion, Voice, Pain, Unresponsive (NEWS2, RCP 2017). */
export type Consciousness = 'A' | 'C' | 'V' | 'P' | 'U';

/**
 * An observation a clinician records (NEWS2's inputs that do not come from devices): level of
 * consciousness, air or supplemental oxygen, the SpO2 scale (scale 2 only with a documented target of
 * 88–92 %), and spot vital signs entered by hand (`vital`, an MDC code and canonical value).
 */
export type ChartedValue =
  | { readonly kind: 'consciousness'; readonly value: Consciousness }
  | { readonly kind: 'oxygen'; readonly onOxygen: boolean }
  | { readonly kind: 'spo2Scale'; readonly scale: 1 | 2 }
  | { readonly kind: 'vital'; readonly code: string; readonly value: number };

export interface ChartedObservation {
  /** Deterministic from the request (or given by the client) so a retried POST is stored once. */
  readonly id: string;
  readonly patientId: PatientId;
  readonly observation: ChartedValue;
  /** When it was observed at the bedside. */
  readonly observedAt: number;
  /** When it was recorded, and by whom. */
  readonly recordedAt: number;
  readonly recordedBy: string;
}
