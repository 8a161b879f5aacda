import { randomBytes } from 'node:crypto';

/** A time-boxed permission for one person to read one patient outside their wards. Instants epoch ms. */
export interface BreakGlassGrant {
  readonly id: string;
  readonly patientId: string;
  /** The token subject it was granted to; only that subject can use it. */
  readonly subject: string;
  readonly roles: readonly string[];
  readonly reason: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface BreakGlassLimits {
  /** Active grants in the process (default 1,000). */
  readonly maxActive?: number;
  /** Active grants of one subject (default 10). */
  readonly maxPerSubject?: number;
}

export const DEFAULT_BREAK_GLASS_LIMITS = { maxActive: 1_000, maxPerSubject: 10 } as const;

/** Refused because a bound on active grants was reached; the API answers 429. */
export class BreakGlassLimitError extends Error {
  override readonly name = 'BreakGlassLimitError';
}

/**
 * The active break-glass grants, in memory: a restart ends every grant, which fails safe (access
 * narrows, never widens). Bounded in total and per subject so a caller cannot grow it without
 * limit. A new grant for the same subject and patient replaces the old one.
 */
export class BreakGlassGrants {
  private readonly grants = new Map<string, BreakGlassGrant>();
  private readonly maxActive: number;
  private readonly maxPerSubject: number;

  constructor(limits: BreakGlassLimits = {}) {
    this.maxActive = limits.maxActive ?? DEFAULT_BREAK_GLASS_LIMITS.maxActive;
    this.maxPerSubject = limits.maxPerSubject ?? DEFAULT_BREAK_GLASS_LIMITS.maxPerSubject;
  }

  /**
   * The grant `request` would get at `now`, not yet in force (the caller audits it, then `add`s it);
   * BreakGlassLimitError when a bound is reached.
   */
  prepare(
    request: { subject: string; roles: readonly string[]; patientId: string; reason: string; minutes: number },
    now: number,
  ): BreakGlassGrant {
    this.prune(now);
    if (!this.grants.has(keyOf(request.subject, request.patientId))) {
      if (this.grants.size >= this.maxActive) {
        throw new BreakGlassLimitError(`${this.maxActive} break-glass grants are active; wait for one to end`);
      }
      const mine = [...this.grants.values()].filter((g) => g.subject === request.subject).length;
      if (mine >= this.maxPerSubject) {
        throw new BreakGlassLimitError(`you hold ${mine} active break-glass grants, the most one person may`);
      }
    }
    return {
      id: `bg-${randomBytes(8).toString('hex')}`,
      patientId: request.patientId,
      subject: request.subject,
      roles: request.roles,
      reason: request.reason,
      createdAt: now,
      expiresAt: now + request.minutes * 60_000,
    };
  }

  /** Puts a prepared grant in force, replacing the subject's earlier grant for the same patient. */
  add(grant: BreakGlassGrant): void {
    const key = keyOf(grant.subject, grant.patientId);
    this.grants.delete(key);
    this.grants.set(key, grant);
  }

  /** The subject's grant for the patient, if it has not expired at `now`. */
  active(subject: string, patientId: string, now: number): BreakGlassGrant | undefined {
    const grant = this.grants.get(keyOf(subject, patientId));
    return grant !== undefined && grant.expiresAt > now ? grant : undefined;
  }

  /** Every grant active at `now`, oldest first. */
  list(now: number): BreakGlassGrant[] {
    this.prune(now);
    return [...this.grants.values()];
  }

  private prune(now: number): void {
    for (const [key, grant] of this.grants) if (grant.expiresAt <= now) this.grants.delete(key);
  }
}

const keyOf = (subject: string, patientId: string) => JSON.stringify([subject, patientId]);
