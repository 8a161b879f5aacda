import type { LocalIssuer } from './local-issuer.js';
import type { OAuthError, OAuthErrorCode, TokenResponse } from './token-results.js';

/** Why a token request was refused: each is counted in `stats().refused`. */
export type TokenRefusal =
  | 'bad-credentials'
  | 'bad-code'
  | 'disabled'
  | 'locked-out'
  | 'invalid-client'
  | 'unsupported-grant'
  | 'invalid-request';

/** A sign-in for the audit trail: `subject` is the username or client id given, `client` the OAuth client (if any). */
export interface LoginEvent {
  readonly kind: 'login' | 'login-failed' | 'locked';
  readonly subject: string | null;
  readonly client: string | null;
  readonly grant: string | null;
  /** Why it failed (a TokenRefusal), or the lock's duration; null on success. */
  readonly reason: string | null;
}

/** Tokens issued and requests refused (by reason). */
export interface TokenStats {
  readonly issued: number;
  readonly refused: Readonly<Record<TokenRefusal, number>>;
}

export interface TokenOutcomesOptions {
  readonly issuer: LocalIssuer;
  /** Hears every success and failure; must not throw. */
  readonly onEvent?: (event: LoginEvent) => void;
}

/**
 * Where every token request ends: a signed token or an RFC 6749 error, each counted and reported to
 * `onEvent` (which must not throw).
 */
export class TokenOutcomes {
  private issued = 0;
  private readonly refused: Record<TokenRefusal, number> = {
    'bad-credentials': 0,
    'bad-code': 0,
    disabled: 0,
    'locked-out': 0,
    'invalid-client': 0,
    'unsupported-grant': 0,
    'invalid-request': 0,
  };

  constructor(private readonly options: TokenOutcomesOptions) {}

  stats(): TokenStats {
    return { issued: this.issued, refused: { ...this.refused } };
  }

  /** Signs a token for `claims`, counts it and reports the `login`. */
  async issue(
    claims: Parameters<LocalIssuer['sign']>[0],
    ttlSec: number,
    grant: string,
    client: string | null,
  ): Promise<TokenResponse> {
    const accessToken = await this.options.issuer.sign(claims, ttlSec);
    this.issued++;
    this.emit({ kind: 'login', subject: claims.sub, client, grant, reason: null });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: ttlSec };
  }

  /** Counts a refusal, reports the `login-failed` and returns the error to answer with. */
  refuse(
    why: TokenRefusal,
    error: OAuthErrorCode,
    description: string,
    grant: string | null,
    subject: string | null,
    client: string | null,
  ): OAuthError {
    this.refused[why]++;
    this.emit({ kind: 'login-failed', subject, client, grant, reason: why });
    return { error, error_description: description };
  }

  emit(event: LoginEvent): void {
    this.options.onEvent?.(event);
  }
}
