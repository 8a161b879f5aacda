import type { BreakGlassGrant } from './break-glass.js';
import { BREAK_GLASS_ROLES, type Role } from './roles.js';
import type { ProtectedPolicy } from './route-policies.js';

/** A patient a request is about, with the ward the registry has for them (null: none). */
export interface PatientWard {
  readonly patientId: string;
  readonly wardId: string | null;
}

/**
 * What the guard found a request to be about. `patients.complete` is false when part of the target
 * could not be established (a device bound to no patient, a transfer's unknown destination):
 * ward-bounded roles are then refused, since no ward of theirs can be shown to hold it.
 * `patients.missing`: the one object the route names (patient, alarm, binding) does not exist or its
 * id is malformed; nothing is there to protect, and the handler answers 404 (or 400).
 */
export type Target =
  | { readonly kind: 'none' }
  | { readonly kind: 'list' }
  | { readonly kind: 'ward'; readonly wardId: string }
  | {
      readonly kind: 'patients';
      readonly patients: readonly PatientWard[];
      readonly complete: boolean;
      readonly missing?: true;
    };

/** What a list route may show: everything, or only the patients of these wards. */
export type ListScope = { readonly kind: 'all' } | { readonly kind: 'wards'; readonly wards: ReadonlySet<string> };

export type AllowReason = 'role' | 'ward' | 'ward-filter' | 'break-glass' | 'not-found';
export type DenyReason =
  'role-not-allowed' | 'break-glass-required' | 'break-glass-read-only' | 'not-your-ward' | 'no-ward' | 'no-patient';

export type Decision =
  | {
      readonly allowed: true;
      readonly reason: AllowReason;
      readonly scope: ListScope;
      readonly grant?: BreakGlassGrant;
    }
  | {
      readonly allowed: false;
      readonly reason: DenyReason;
      /** For the caller: says what would be allowed, never the patient's ward. */
      readonly detail: string;
    };

export interface Caller {
  readonly roles: readonly Role[];
  readonly wards: readonly string[];
}

const ALL: ListScope = { kind: 'all' };

const deny = (reason: DenyReason, detail: string): Decision => ({ allowed: false, reason, detail });

function allowedRoles(policy: ProtectedPolicy): string {
  const parts = [
    ...policy.anyWard,
    ...policy.inWard.map((r) => `${r} (own wards)`),
    ...(policy.breakGlass ? ['break-glass holders'] : []),
  ];
  return parts.length === 0 ? 'no role' : parts.join(', ');
}

/**
 * The access decision for a request by `caller` under `policy` about `target`; `grant` is the
 * caller's active break-glass grant for the target patient, if any. Pure: the guard resolves the
 * target and the grant first. A role in `anyWard` admits whatever the target; a ward-bounded role
 * needs every patient of the target on one of its wards (a ward route: the ward itself; a list:
 * filtered); a grant admits reads, and writes of care staff.
 */
export function decide(policy: ProtectedPolicy, caller: Caller, target: Target, grant?: BreakGlassGrant): Decision {
  const has = (roles: readonly Role[]) => roles.some((r) => caller.roles.includes(r));
  if (has(policy.anyWard)) return { allowed: true, reason: 'role', scope: ALL };
  const care = has(policy.inWard);
  const mayBreakGlass = policy.breakGlass && has(BREAK_GLASS_ROLES);
  const roleDenied = deny(
    'role-not-allowed',
    `allowed to: ${allowedRoles(policy)}; the token's roles: ${caller.roles.join(', ') || 'none known'}`,
  );
  if (!care && !mayBreakGlass) return roleDenied;

  switch (target.kind) {
    case 'none':
      return roleDenied;
    case 'list':
      return care
        ? { allowed: true, reason: 'ward-filter', scope: { kind: 'wards', wards: new Set(caller.wards) } }
        : roleDenied;
    case 'ward':
      return care && caller.wards.includes(target.wardId)
        ? { allowed: true, reason: 'ward', scope: ALL }
        : deny('not-your-ward', `ward ${target.wardId} is not among the token's wards`);
    case 'patients': {
      const { patients, complete } = target;
      // Eligible callers hear 404 for what does not exist, as anyone would: there is no patient to hide.
      if (target.missing === true) return { allowed: true, reason: 'not-found', scope: ALL };
      const onMyWards = (p: PatientWard) => p.wardId !== null && caller.wards.includes(p.wardId);
      if (care && complete && patients.length > 0 && patients.every(onMyWards)) {
        return { allowed: true, reason: 'ward', scope: ALL };
      }
      if (grant !== undefined && mayBreakGlass) {
        if (policy.action === 'read' || care) return { allowed: true, reason: 'break-glass', scope: ALL, grant };
        return deny(
          'break-glass-read-only',
          'a break-glass grant opens reads of its patient; this write needs care staff',
        );
      }
      const hint = mayBreakGlass ? ' (POST /api/v1/break-glass opens one patient for a while, audited)' : '';
      if (!care)
        return deny('break-glass-required', `patient data is open to this role through break-glass only${hint}`);
      if (!complete) {
        return deny(
          'no-patient',
          `the request is about no patient of the token's wards (unknown, or a device bound to no patient)${hint}`,
        );
      }
      const named = `patient ${[...new Set(patients.map((p) => p.patientId))].join(', ')}`;
      const reason: DenyReason = patients.some((p) => p.wardId === null) ? 'no-ward' : 'not-your-ward';
      return deny(reason, `${named} is not on the token's wards${hint}`);
    }
  }
}
