import type { Principal } from '@wardstream/auth';
import type { Context } from 'hono';
import type { BreakGlassGrant } from './break-glass.js';
import type { ListScope } from './decide.js';

/** What the guard established for a handler: who calls, what a list may show, until when. */
export interface Access {
  readonly principal: Principal;
  readonly scope: ListScope;
  /**
   * Whether access was given for the target's patients only (their ward, or a break-glass grant)
   * rather than by role: a device route then shows the device's data for its current patient only.
   */
  readonly bound: boolean;
  /** The break-glass grant the request was allowed by, if any. */
  readonly grant?: BreakGlassGrant;
  /** Epoch ms when this access ends: the token's expiry, or the grant's if sooner (live feeds stop then). */
  readonly endsAt: number;
  /**
   * Present when `bound`: decides again, on the target as the registry has it now, whether the
   * caller may still see it (a device moved to another patient, a patient to another ward, a grant
   * revoked). A live feed asks it on a timer and ends when it answers false.
   */
  readonly recheck?: () => Promise<boolean>;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the guard on every protected route; absent on public ones. */
    principal: Principal;
    access: Access;
  }
}

/** The guard's Access of this request; a protected route's handler can rely on it. */
export function accessOf(c: Context): Access {
  const access = c.get('access') as Access | undefined;
  if (access === undefined)
    throw new Error(`no access decision for ${c.req.method} ${c.req.path}: is the route public?`);
  return access;
}
