import { AuthError, type AuthFailure, type Principal } from '@wardstream/auth';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiDeps } from '../deps.js';
import { problem } from '../problem.js';
import { appendAccessRecord, type AccessAuditRecord } from './access-audit.js';
import type { BreakGlassGrant, BreakGlassGrants } from './break-glass.js';
import { decide, type ListScope, type Target } from './decide.js';
import { BREAK_GLASS_ROLES, knownRoles } from './roles.js';
import type { ProtectedPolicy, RoutePolicy } from './route-policies.js';
import { pathTarget, resolveTarget } from './targets.js';

const PROBLEM_JSON = { 'content-type': 'application/problem+json' };
const MAX_USER_AGENT = 256;

/** The peer address of the connection (set by @hono/node-server; absent under `app.request`). */
function peerAddress(c: Context): string | null {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}

/**
 * The `Authorization` header, or on a live feed `?access_token=` as a bearer header. Both at once is
 * refused (RFC 6750 §2: one method per request), so a proxy's header cannot mask a URL token.
 */
function credentials(c: Context, policy: ProtectedPolicy): string | undefined {
  const header = c.req.header('authorization');
  const query = policy.queryToken ? c.req.query('access_token') : undefined;
  if (query === undefined) return header;
  if (header !== undefined) {
    throw new AuthError('malformed-token', 'the token was given both in Authorization and in access_token');
  }
  return `Bearer ${query}`;
}

function unauthorized(c: Context, reason: AuthFailure): Response {
  // RFC 6750 §3.1: a request without credentials gets the challenge without an error code.
  const challenge =
    reason === 'missing-token'
      ? 'Bearer realm="wardstream"'
      : `Bearer realm="wardstream", error="invalid_token", error_description="${reason}"`;
  return c.json({ ...problem('unauthorized', 401, reason), instance: c.req.path }, 401, {
    ...PROBLEM_JSON,
    'www-authenticate': challenge,
  });
}

/** The patients and wards an audit record names for a target (see AccessAuditRecord). */
function named(target: Target, scope: ListScope | undefined): { patients: string[]; wards: string[] } {
  switch (target.kind) {
    case 'none':
      return { patients: [], wards: [] };
    case 'list':
      return { patients: ['*'], wards: scope === undefined ? [] : scope.kind === 'all' ? ['*'] : [...scope.wards] };
    case 'ward':
      return { patients: [], wards: [target.wardId] };
    case 'patients':
      return {
        patients: [...new Set(target.patients.map((p) => p.patientId))],
        wards: [...new Set(target.patients.flatMap((p) => (p.wardId === null ? [] : [p.wardId])))],
      };
  }
}

export interface RecordFields {
  readonly route: string;
  readonly principal: Principal | undefined;
  readonly target: Target;
  readonly scope?: ListScope;
  readonly action: AccessAuditRecord['action'];
  readonly outcome: AccessAuditRecord['outcome'];
  readonly reason: string;
  readonly grant?: BreakGlassGrant;
  readonly extra?: Pick<AccessAuditRecord, 'justification' | 'expiresAt'>;
}

/**
 * Authenticates, decides and audits each request of a protected route before its handler runs.
 * One instance per API; `grants` are the break-glass grants it honours.
 */
export class AccessGuard {
  constructor(
    private readonly deps: ApiDeps,
    readonly grants: BreakGlassGrants,
  ) {}

  /** Writes one access record; AuditUnavailableError (→ 503) when the port throws. */
  record(c: Context, fields: RecordFields): void {
    const { patients, wards } = named(fields.target, fields.scope);
    const userAgent = c.req.header('user-agent');
    appendAccessRecord(this.deps.security.accessAudit, {
      at: this.deps.clock.now(),
      subject: fields.principal?.subject ?? null,
      roles: fields.principal === undefined ? [] : knownRoles(fields.principal.roles),
      client: {
        address: peerAddress(c),
        userAgent: userAgent === undefined ? null : userAgent.slice(0, MAX_USER_AGENT),
      },
      patients,
      wards,
      action: fields.action,
      route: fields.route,
      object: { method: c.req.method, path: c.req.path },
      outcome: fields.outcome,
      reason: fields.reason,
      severity: fields.grant === undefined && fields.action !== 'break-glass' ? 'normal' : 'high',
      ...(fields.grant === undefined ? {} : { grantId: fields.grant.id }),
      ...fields.extra,
    });
  }

  /** The middleware that runs before the handlers of `route` (as mounted) under `policy`. */
  middleware(route: string, policy: RoutePolicy): MiddlewareHandler {
    if (policy.kind === 'public') return (_c, next) => next();
    const { security, clock } = this.deps;
    return async (c, next) => {
      let principal: Principal;
      try {
        principal = await security.authenticate(credentials(c, policy));
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        security.onAuthFailure(err.reason);
        const target = pathTarget(policy.target, c);
        this.record(c, {
          route,
          principal: undefined,
          target,
          action: 'deny',
          outcome: 'unauthenticated',
          reason: err.reason,
        });
        return unauthorized(c, err.reason);
      }

      const caller = { roles: knownRoles(principal.roles), wards: principal.wards };
      // The caller's break-glass grant for the target's one patient, if the policy honours grants.
      const grantFor = (target: Target, now: number): BreakGlassGrant | undefined => {
        const ids = target.kind === 'patients' ? [...new Set(target.patients.map((p) => p.patientId))] : [];
        return policy.breakGlass && ids.length === 1
          ? this.grants.active(principal.subject, ids[0] ?? '', now)
          : undefined;
      };
      const eligible = [...policy.anyWard, ...policy.inWard, ...(policy.breakGlass ? BREAK_GLASS_ROLES : [])].some(
        (r) => caller.roles.includes(r),
      );
      // Callers with no role the policy names are refused without a lookup (and without a grant check).
      const target = eligible ? await resolveTarget(policy.target, c, this.deps) : pathTarget(policy.target, c);
      const decision = decide(policy, caller, target, grantFor(target, clock.now()));

      if (!decision.allowed) {
        security.onDenied(route, decision.reason);
        this.record(c, { route, principal, target, action: 'deny', outcome: 'denied', reason: decision.reason });
        return c.json({ ...problem('forbidden', 403, decision.detail), instance: c.req.path }, 403, PROBLEM_JSON);
      }
      if (policy.audit === 'always') {
        this.record(c, {
          route,
          principal,
          target,
          scope: decision.scope,
          action: policy.action,
          outcome: 'allowed',
          reason: decision.reason,
          ...(decision.grant === undefined ? {} : { grant: decision.grant }),
        });
      }
      const bound = decision.reason === 'ward' || decision.reason === 'break-glass';
      // Access by role does not depend on the target; access through its ward or a grant does.
      const recheck = async (): Promise<boolean> => {
        const now = await resolveTarget(policy.target, c, this.deps);
        const again = decide(policy, caller, now, grantFor(now, clock.now()));
        return again.allowed && (again.reason === 'ward' || again.reason === 'break-glass');
      };
      c.set('principal', principal);
      c.set('access', {
        principal,
        scope: decision.scope,
        bound,
        endsAt: Math.min(principal.expiresAt, decision.grant?.expiresAt ?? Infinity),
        ...(decision.grant === undefined ? {} : { grant: decision.grant }),
        ...(bound ? { recheck } : {}),
      });
      await next();
      return undefined;
    };
  }
}
