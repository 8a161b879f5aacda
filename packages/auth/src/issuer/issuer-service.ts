import type { JSONWebKeySet } from 'jose';
import type { IdentityStore, User } from './identity-store.js';
import type { LocalIssuer } from './local-issuer.js';
import { LoginThrottle, type AttemptRefusal, type LoginThrottleOptions } from './login-throttle.js';

/** [RFC 6749 §5.1] A successful token response. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  /** Seconds. */
  readonly expires_in: number;
  readonly scope?: string;
}

/** [RFC 6749 §5.2] The error codes this endpoint answers with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';

export interface OAuthError {
  readonly error: OAuthErrorCode;
  readonly error_description: string;
}

/** Client credentials from an `Authorization: Basic` header (client_secret_basic), already decoded. */
export interface BasicCredentials {
  readonly id: string;
  readonly secret: string;
}

/** Why a token request was refused: each is counted in `stats().refused`. */
export type TokenRefusal =
  'bad-credentials' | 'disabled' | 'locked-out' | 'invalid-client' | 'unsupported-grant' | 'invalid-request';

/** A sign-in for the audit trail: `subject` is the username or client id given, `client` the OAuth client (if any). */
export interface LoginEvent {
  readonly kind: 'login' | 'login-failed' | 'locked';
  readonly subject: string | null;
  readonly client: string | null;
  readonly grant: string | null;
  /** Why it failed (a TokenRefusal), or the lock's duration; null on success. */
  readonly reason: string | null;
}

export interface IssuerServiceOptions {
  readonly issuer: LocalIssuer;
  readonly identity: IdentityStore;
  /** Lifetime of a user's token, seconds (default 900). */
  readonly userTokenTtlSec?: number;
  /** Lifetime of a client's token, seconds (default 3600). */
  readonly clientTokenTtlSec?: number;
  readonly throttle?: LoginThrottleOptions;
  /** Hears every success and failure (the platform audits them); must not throw. */
  readonly onEvent?: (event: LoginEvent) => void;
  /** Now, epoch ms (tests). */
  readonly now?: () => number;
}

export const DEFAULT_USER_TOKEN_TTL_SEC = 15 * 60;
export const DEFAULT_CLIENT_TOKEN_TTL_SEC = 60 * 60;

const GRANTS = ['password', 'client_credentials'] as const;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/** The HTTP status of an OAuth error: 401 for failed client authentication, 400 otherwise [RFC 6749 §5.2]. */
export function oauthErrorStatus(error: OAuthError): 400 | 401 {
  return error.error === 'invalid_client' ? 401 : 400;
}

export function isOAuthError(result: TokenResponse | OAuthError): result is OAuthError {
  return 'error' in result;
}

/** What a `locked-out` refusal tells the caller. */
function refusalDescription(refusal: AttemptRefusal): string {
  switch (refusal.kind) {
    case 'locked':
      return `too many failed sign-ins for this username; try again after ${new Date(refusal.until).toISOString()}`;
    case 'busy':
      return 'too many sign-ins for this username at once; try again shortly';
    case 'full':
      return 'too many failed sign-ins at present; try again later';
  }
}

/**
 * The embedded issuer's token endpoint, free of HTTP: a form in, a token or an RFC 6749 error out.
 *
 * Grants: `password` — for first use and scripts; the dashboard signs in with it too until an
 * authorization-code flow (with PKCE) exists, which is why it is kept behind a lockout — and
 * `client_credentials` for services (secret by client_secret_basic or client_secret_post). No
 * refresh tokens: a user signs in again when the token expires.
 */
export class IssuerService {
  private readonly throttle: LoginThrottle;
  private readonly now: () => number;
  private readonly userTtlSec: number;
  private readonly clientTtlSec: number;
  private issued = 0;
  private readonly refused: Record<TokenRefusal, number> = {
    'bad-credentials': 0,
    disabled: 0,
    'locked-out': 0,
    'invalid-client': 0,
    'unsupported-grant': 0,
    'invalid-request': 0,
  };

  constructor(private readonly options: IssuerServiceOptions) {
    this.throttle = new LoginThrottle(options.throttle);
    this.now = options.now ?? Date.now;
    this.userTtlSec = options.userTokenTtlSec ?? DEFAULT_USER_TOKEN_TTL_SEC;
    this.clientTtlSec = options.clientTokenTtlSec ?? DEFAULT_CLIENT_TOKEN_TTL_SEC;
  }

  /** Tokens issued and requests refused (by reason) since start. */
  stats(): { readonly issued: number; readonly refused: Readonly<Record<TokenRefusal, number>> } {
    return { issued: this.issued, refused: { ...this.refused } };
  }

  /** The public keys (`/oauth/jwks.json`); follows rotation. */
  jwks(): JSONWebKeySet {
    return this.options.issuer.jwks();
  }

  /** [OpenID Connect Discovery 1.0 §3] The provider metadata. */
  discovery(): Record<string, unknown> {
    const base = this.options.issuer.issuer.replace(/\/+$/, '');
    return {
      issuer: this.options.issuer.issuer,
      jwks_uri: `${base}/oauth/jwks.json`,
      token_endpoint: `${base}/oauth/token`,
      grant_types_supported: [...GRANTS],
      token_endpoint_auth_methods_supported: [...AUTH_METHODS],
      response_types_supported: [],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'roles', 'wards', 'name', 'client_id'],
    };
  }

  /** Handles a token request: `form` is the request body's parameters, `basic` the Basic credentials if sent. */
  async token(form: Readonly<Record<string, string>>, basic?: BasicCredentials): Promise<TokenResponse | OAuthError> {
    const grant = form['grant_type'];
    const postedId = form['client_id'];
    if (
      basic !== undefined &&
      (form['client_secret'] !== undefined || (postedId !== undefined && postedId !== basic.id))
    ) {
      // [RFC 6749 §2.3] one authentication method per request
      return this.refuse(
        'invalid-request',
        'invalid_request',
        'use one client authentication method, not two',
        grant ?? null,
        null,
        basic.id,
      );
    }
    switch (grant) {
      case 'password':
        return this.passwordGrant(form, basic);
      case 'client_credentials':
        return this.clientGrant(form, basic);
      case undefined:
        return this.refuse('invalid-request', 'invalid_request', 'grant_type is required', null, null, null);
      default:
        return this.refuse(
          'unsupported-grant',
          'unsupported_grant_type',
          `grant_type ${grant.slice(0, 40)} is not supported (supported: ${GRANTS.join(', ')})`,
          grant,
          null,
          postedId ?? basic?.id ?? null,
        );
    }
  }

  /**
   * Refuses a request the HTTP layer could not read (wrong content type, repeated parameter, bad
   * Basic header): counted and reported like the others. `client` when the request named one.
   */
  refuseMalformed(
    error: 'invalid_request' | 'invalid_client',
    description: string,
    client: string | null = null,
  ): OAuthError {
    return this.refuse(
      error === 'invalid_client' ? 'invalid-client' : 'invalid-request',
      error,
      description,
      null,
      null,
      client,
    );
  }

  private async passwordGrant(
    form: Readonly<Record<string, string>>,
    basic?: BasicCredentials,
  ): Promise<TokenResponse | OAuthError> {
    const { username, password } = form;
    const client: string | null = basic?.id ?? form['client_id'] ?? null;
    // only a client that proved itself is named in the token; a public one is only reported to onEvent
    let authenticatedClient: string | null = null;
    if (username === undefined || username === '' || password === undefined) {
      return this.refuse(
        'invalid-request',
        'invalid_request',
        'username and password are required',
        'password',
        username ?? null,
        client,
      );
    }
    // A confidential client may authenticate along with the user; a public one (the dashboard) just names itself.
    const secret = basic?.secret ?? form['client_secret'];
    if (secret !== undefined) {
      const known = client === null ? undefined : await this.options.identity.authenticateClient(client, secret);
      if (known === undefined || known.disabled) {
        return this.refuse(
          'invalid-client',
          'invalid_client',
          'client authentication failed',
          'password',
          username,
          client,
        );
      }
      authenticatedClient = known.clientId;
    }
    // The attempt takes its place in the lockout quota before the (slow, asynchronous) password check.
    const refusal = this.throttle.begin(username, this.now());
    if (refusal !== undefined) {
      return this.refuse('locked-out', 'invalid_grant', refusalDescription(refusal), 'password', username, client);
    }
    let user: User | undefined;
    try {
      user = await this.options.identity.authenticateUser(username, password);
    } catch (error) {
      this.throttle.abandon(username);
      throw error;
    }
    if (user === undefined) {
      const lockedNow = this.throttle.fail(username, this.now());
      // the same answer for an unknown user and a wrong password: no user enumeration
      const refusal = this.refuse(
        'bad-credentials',
        'invalid_grant',
        'wrong username or password',
        'password',
        username,
        client,
      );
      if (lockedNow)
        this.emit({
          kind: 'locked',
          subject: username,
          client,
          grant: 'password',
          reason: 'too many failures: locked for 15 min',
        });
      return refusal;
    }
    if (user.disabled) {
      this.throttle.abandon(username);
      return this.refuse('disabled', 'invalid_grant', 'this account is disabled', 'password', username, client);
    }
    this.throttle.succeed(username);
    return this.issue(
      {
        sub: user.username,
        roles: [user.role],
        wards: user.wards,
        name: user.displayName,
        ...(authenticatedClient === null ? {} : { clientId: authenticatedClient }),
      },
      this.userTtlSec,
      'password',
      client,
    );
  }

  private async clientGrant(
    form: Readonly<Record<string, string>>,
    basic?: BasicCredentials,
  ): Promise<TokenResponse | OAuthError> {
    const id = basic?.id ?? form['client_id'];
    const secret = basic?.secret ?? form['client_secret'];
    if (id === undefined || secret === undefined) {
      return this.refuse(
        'invalid-client',
        'invalid_client',
        'client authentication is required (client_secret_basic or client_secret_post)',
        'client_credentials',
        id ?? null,
        id ?? null,
      );
    }
    const client = await this.options.identity.authenticateClient(id, secret);
    if (client === undefined)
      return this.refuse(
        'invalid-client',
        'invalid_client',
        'client authentication failed',
        'client_credentials',
        id,
        id,
      );
    if (client.disabled)
      return this.refuse('disabled', 'invalid_client', 'this client is disabled', 'client_credentials', id, id);
    return this.issue(
      { sub: client.clientId, roles: [client.role], wards: client.wards, clientId: client.clientId },
      this.clientTtlSec,
      'client_credentials',
      client.clientId,
    );
  }

  private async issue(
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

  private refuse(
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

  private emit(event: LoginEvent): void {
    this.options.onEvent?.(event);
  }
}
