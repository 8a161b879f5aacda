import { randomBytes } from 'node:crypto';

/** What a code stands for: who signed in, for which client and redirect URI, with which PKCE challenge. */
export interface CodeGrant {
  readonly clientId: string;
  readonly redirectUri: string;
  /** [RFC 7636 §4.2] The S256 code_challenge of the authorization request. */
  readonly codeChallenge: string;
  /** The username that signed in. */
  readonly subject: string;
}

export interface AuthorizationCodesOptions {
  /** How long a code may be exchanged, ms (default 60 s). */
  readonly ttlMs?: number;
  /** Codes kept at most (default 10 000); at the limit the oldest goes first. */
  readonly maxCodes?: number;
}

export const DEFAULT_CODE_TTL_MS = 60_000;
export const DEFAULT_MAX_CODES = 10_000;

interface Entry {
  readonly grant: CodeGrant;
  readonly expiresAt: number;
}

/**
 * Authorization codes [RFC 6749 §4.1.2], in memory: 256 random bits each, single use, short-lived
 * (RFC 6749 §4.1.2 recommends at most 10 min; 60 s here). A restart forgets them: the browser signs
 * in again. Bounded: when full, the oldest code is dropped (its sign-in must start again), so a flood
 * of sign-ins cannot fill memory.
 */
export class AuthorizationCodes {
  /** Insertion order is issue order, so the first entry is the oldest. */
  private readonly codes = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxCodes: number;

  constructor(options: AuthorizationCodesOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_CODE_TTL_MS;
    this.maxCodes = options.maxCodes ?? DEFAULT_MAX_CODES;
    if (!(this.ttlMs > 0) || !Number.isInteger(this.maxCodes) || this.maxCodes < 1) {
      throw new RangeError('AuthorizationCodes: ttlMs must be > 0 and maxCodes a positive integer');
    }
  }

  get size(): number {
    return this.codes.size;
  }

  /** A new code for the grant, valid from `now` (epoch ms) for the TTL. */
  issue(grant: CodeGrant, now: number): string {
    this.sweep(now);
    while (this.codes.size >= this.maxCodes) {
      const oldest = this.codes.keys().next();
      if (oldest.done === true) break;
      this.codes.delete(oldest.value);
    }
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, { grant, expiresAt: now + this.ttlMs });
    return code;
  }

  /**
   * The code's grant, removing the code whatever follows (single use [RFC 6749 §4.1.2]: a second
   * redemption finds nothing); `expired` when its time has passed, `unknown` when never issued, used
   * or dropped.
   */
  redeem(code: string, now: number): CodeGrant | 'expired' | 'unknown' {
    const entry = this.codes.get(code);
    if (entry === undefined) return 'unknown';
    this.codes.delete(code);
    return now >= entry.expiresAt ? 'expired' : entry.grant;
  }

  /** Drops expired codes from the oldest on; stops at the first live one (codes expire in issue order). */
  private sweep(now: number): void {
    for (const [code, entry] of this.codes) {
      if (now < entry.expiresAt) return;
      this.codes.delete(code);
    }
  }
}
