import type { AlarmPriority } from '../alarm.js';

/**
 * A physiological threshold alarm: raised when a parameter stays past its limit for `delayMs`
 * (IEC 60601-1-8 alarm condition delay), cleared when it has been back past `limit ∓ hysteresis`
 * for `clearDelayMs`. Readings flagged implausible or artifact never count (artifact gating).
 */
export interface ThresholdRule {
  readonly kind: 'threshold';
  /** Stable id, e.g. `news2.pulse.high`; a patient override replaces the rule with the same id. */
  readonly id: string;
  readonly label: string;
  /** MDC codes whose readings feed the rule; the newest valid reading of any of them counts. */
  readonly codes: readonly string[];
  /** `atOrAbove`: value ≥ limit is the alarm condition; `atOrBelow`: value ≤ limit. */
  readonly direction: 'atOrAbove' | 'atOrBelow';
  readonly limit: number;
  /** In the parameter's canonical unit: the condition clears once the value is this far back inside. */
  readonly hysteresis: number;
  readonly delayMs: number;
  readonly clearDelayMs: number;
  readonly priority: AlarmPriority;
  readonly latching: boolean;
  readonly enabled: boolean;
  /** Where the limit comes from (chart, paper, standard clause) or `local policy: …`. */
  readonly source: string;
}

/**
 * A NEWS2 escalation rule: raised while the patient's NEWS2 risk band is `band` — RCP 2017 Chart 2
 * ties each band to a clinical response. A partial score counts when the parameters present already
 * put the patient in the band (the missing ones can only add points); moving to a higher band ends
 * this alarm and raises that band's.
 */
export interface ScoreBandRule {
  readonly kind: 'news2Band';
  readonly id: string;
  readonly label: string;
  readonly band: 'low-medium' | 'medium' | 'high';
  /** The response the chart asks for, shown with the alarm. */
  readonly response: string;
  /** The band must hold this long before the alarm is raised, and be left this long before it clears. */
  readonly delayMs: number;
  readonly clearDelayMs: number;
  readonly priority: AlarmPriority;
  readonly latching: boolean;
  readonly enabled: boolean;
  readonly source: string;
}

export type AlarmRule = ThresholdRule | ScoreBandRule;

/**
 * Escalation and silence policy (local policy, not clinical thresholds): a high-priority alarm
 * unacknowledged for `escalateAfterMs` is escalated (event + re-notification), again every
 * `escalateAfterMs` until acknowledged; a silence lasts at most `maxSilenceMs`.
 */
export interface LifecyclePolicy {
  readonly escalateAfterMs: Readonly<Record<'high' | 'medium' | 'low', number | null>>;
  readonly maxSilenceMs: number;
}

/** Technical alarm policy (local policy). */
export interface TechnicalPolicy {
  /** A device parameter is stale (communication failure) after this long without a reading. */
  readonly staleAfterMs: number;
  readonly stalePriority: AlarmPriority;
  /** Battery fraction (0..1) at or below which a device raises a low-battery alarm. */
  readonly batteryLowFraction: number;
  readonly batteryPriority: AlarmPriority;
  /** Clock-skewed, implausible and artifact-flagged readings raise a technical alarm per device and code. */
  readonly dataQualityPriority: AlarmPriority;
  /** A quality technical alarm clears after this long without a flagged reading. */
  readonly dataQualityClearMs: number;
}

/** The rules one patient is evaluated by: ward defaults with the patient's overrides applied. */
export interface RuleSet {
  readonly rules: readonly AlarmRule[];
}

/** Where a rule set applies: the shipped defaults, a ward's defaults, or one patient's overrides. */
export type RuleScope =
  | { readonly kind: 'default' }
  | { readonly kind: 'ward'; readonly wardId: string }
  | { readonly kind: 'patient'; readonly patientId: string };

/**
 * A stored rule set of one scope. A ward's rules replace the defaults with the same id and add new
 * ones; a patient's do the same over the ward's. `version` counts changes (1 = first).
 */
export interface StoredRuleSet {
  readonly scope: RuleScope;
  readonly rules: readonly AlarmRule[];
  readonly version: number;
  readonly updatedAt: number;
  readonly updatedBy: string;
}

/** Applies overrides in order (defaults, ward, patient): a rule replaces the earlier one with its id. */
export function effectiveRules(...layers: readonly (readonly AlarmRule[])[]): AlarmRule[] {
  const byId = new Map<string, AlarmRule>();
  for (const layer of layers) for (const rule of layer) byId.set(rule.id, rule);
  return [...byId.values()];
}
