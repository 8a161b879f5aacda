import type { TechnicalPolicy } from '@wardstream/clinical';
import type { DeviceFleetStatus } from '@wardstream/domain';
import type { EnrollmentState } from '@wardstream/registry';

/**
 * Why a device needs an operator's attention (the fleet view's tags). Stable strings: clients filter
 * on them.
 */
export type AttentionReason =
  | 'silent'
  | 'battery-low'
  | 'clock-skew'
  | 'certificate-expiring'
  | 'certificate-expired'
  | 'device-errors'
  | 'rejected-messages'
  | 'not-approved';

/** The limits a device is judged by; see `fleetAttentionPolicy` for where each comes from. */
export interface FleetAttentionPolicy {
  /** No stored message for longer than this: `silent`. */
  readonly staleAfterMs: number;
  /** Battery at or below this fraction: `battery-low`. */
  readonly batteryLowFraction: number;
  /** |clock skew| above this: `clock-skew`. */
  readonly clockSkewLimitMs: number;
  /** A client certificate expiring within this: `certificate-expiring`. */
  readonly certificateExpiringWithinMs: number;
}

const DAY_MS = 86_400_000;

/**
 * `certificate-expiring` from 30 days before notAfter. An operational margin, not a clinical
 * threshold: renewing a device certificate takes a person (`wardstream certs issue`, re-enrollment,
 * or the hospital PKI's own process, often with a change approval), and a month leaves room for a
 * maintenance round and one missed week. A device whose certificate expires is cut off (CONNACK
 * refusal): its monitoring stops.
 */
export const DEFAULT_CERTIFICATE_EXPIRY_WARNING_MS = 30 * DAY_MS;

/**
 * The fleet's limits from the clinical engine's technical policy (stale data, low battery: the same
 * limits that raise technical alarms) and the wire's clock-skew tolerance (the limit beyond which the
 * gateway flags readings `clockSkew`; the technical policy has no skew limit of its own).
 */
export function fleetAttentionPolicy(
  technical: Pick<TechnicalPolicy, 'staleAfterMs' | 'batteryLowFraction'>,
  clockSkewToleranceMs: number,
  certificateExpiringWithinMs: number = DEFAULT_CERTIFICATE_EXPIRY_WARNING_MS,
): FleetAttentionPolicy {
  return {
    staleAfterMs: technical.staleAfterMs,
    batteryLowFraction: technical.batteryLowFraction,
    clockSkewLimitMs: clockSkewToleranceMs,
    certificateExpiringWithinMs,
  };
}

/** What a device is judged on: its observed status (undefined: nothing observed) and registry facts. */
export interface AttentionInput {
  readonly status: DeviceFleetStatus | undefined;
  readonly enrollment: EnrollmentState | null;
}

/**
 * The reasons a device needs attention at `now`, in a fixed order (most urgent first). `since` is
 * when observation started: silence counts from no earlier than that, so a restart does not make
 * every device silent before it had the time to send (the TechnicalMonitor's rule too); a registered
 * device never seen since is `silent` once the stale limit has passed from `since`.
 */
export function attentionReasons(
  input: AttentionInput,
  policy: FleetAttentionPolicy,
  since: number,
  now: number,
): AttentionReason[] {
  const { status, enrollment } = input;
  const reasons: AttentionReason[] = [];
  const quietSince = Math.max(status?.lastSeenAt ?? since, since);
  if (now - quietSince > policy.staleAfterMs) reasons.push('silent');
  const notAfter = status?.certificateNotAfter ?? null;
  if (notAfter !== null && notAfter <= now) reasons.push('certificate-expired');
  else if (notAfter !== null && notAfter - now <= policy.certificateExpiringWithinMs)
    reasons.push('certificate-expiring');
  if (enrollment === 'pending' || enrollment === 'rejected') reasons.push('not-approved');
  const battery = status?.batteryFraction ?? null;
  if (battery !== null && battery <= policy.batteryLowFraction) reasons.push('battery-low');
  const skew = status?.clockSkewMs ?? null;
  if (skew !== null && Math.abs(skew) > policy.clockSkewLimitMs) reasons.push('clock-skew');
  if ((status?.deviceErrors.length ?? 0) > 0) reasons.push('device-errors');
  if ((status?.counters.refusedMessages ?? 0) + (status?.counters.refusedItems ?? 0) > 0)
    reasons.push('rejected-messages');
  return reasons;
}
