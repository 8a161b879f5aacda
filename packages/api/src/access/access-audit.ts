/**
 * One record per access to patient data (reads included), per refusal and per failed
 * authentication. Written before the handler runs: it records the access decision, not the
 * response (a 404 or 422 after an allowed decision is still an `allowed` record).
 */
export interface AccessAuditRecord {
  /** Epoch ms, from the API's clock. */
  readonly at: number;
  /** The token's `sub`; null when no token was verified. */
  readonly subject: string | null;
  /** The token's roles known to Wardstream (others grant nothing and are left out). */
  readonly roles: readonly string[];
  /** The peer address of the connection (proxies' X-Forwarded-For is not trusted) and User-Agent. */
  readonly client: { readonly address: string | null; readonly userAgent: string | null };
  /**
   * The patients the request is about: one for most routes, two for a transfer (destination first),
   * `['*']` for a list (see `wards`), none when no patient could be established or none is concerned.
   */
  readonly patients: readonly string[];
  /** A ward route's ward; for a list the wards it was filtered to, or `['*']` unfiltered. */
  readonly wards: readonly string[];
  /** `read`, `write`, `break-glass` (a grant asked for); `deny` for every refusal, unauthenticated included. */
  readonly action: 'read' | 'write' | 'break-glass' | 'deny';
  /** The route as mounted, e.g. `GET /api/v1/patients/:patientId`. */
  readonly route: string;
  /** The request's method and path (no query string: a live feed's `access_token` is never recorded). */
  readonly object: { readonly method: string; readonly path: string };
  readonly outcome: 'allowed' | 'denied' | 'unauthenticated';
  /** Why: `role`, `ward`, `ward-filter`, `break-glass`; a DenyReason; an AuthFailure. */
  readonly reason: string;
  /** `high` for break-glass: its grant and every access made under it. */
  readonly severity: 'normal' | 'high';
  /** The break-glass grant used (or, for `action: break-glass`, created). */
  readonly grantId?: string;
  /** For `action: break-glass`: the reason given, and when the grant ends. */
  readonly justification?: string;
  readonly expiresAt?: number;
}

/**
 * The access audit port. `append` is synchronous and throws when the record could not be stored:
 * the request then fails (503 `audit-unavailable`) without running its handler (fail-closed).
 */
export interface AccessAudit {
  append(record: AccessAuditRecord): void;
}

/** The audit port failed; the request is refused with 503 `audit-unavailable`. */
export class AuditUnavailableError extends Error {
  override readonly name = 'AuditUnavailableError';
  constructor(cause: unknown) {
    super(`the access audit could not be written: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** `audit.append(record)`, any failure wrapped in AuditUnavailableError. */
export function appendAccessRecord(audit: AccessAudit, record: AccessAuditRecord): void {
  try {
    audit.append(record);
  } catch (err) {
    throw new AuditUnavailableError(err);
  }
}

/** The in-memory AccessAudit (tests, and a fake for the port): keeps every record; `failing` makes it throw. */
export class MemoryAccessAudit implements AccessAudit {
  readonly records: AccessAuditRecord[] = [];
  failing: Error | null = null;

  append(record: AccessAuditRecord): void {
    if (this.failing !== null) throw this.failing;
    this.records.push(record);
  }

  /** Forgets the records kept so far (a test's next step starts from none). */
  clear(): void {
    this.records.length = 0;
  }
}
