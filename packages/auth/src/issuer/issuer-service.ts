import type { JSONWebKeySet } from 'jose';
import { AuthorizationCodes, type AuthorizationCodesOptions } from './authorization-codes.js';
import {
  authorizationResponse,
  checkAuthorizationRequest,
  type AuthorizationCheck,
  type AuthorizationRequest,
} from './authorization-request.js';
import type { IdentityStore, User } from './identity-store.js';
import type { LocalIssuer } from './local-issuer.js';
import { LoginThrottle, type AttemptRefusal, type LoginThrottleOptions } from './login-throttle.js';
import { isCodeVerifier, verifiesS256 } from './pkce.js';
import { dashboardClient, publicClientProblems, type PublicClient } from './public-clients.js';

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

export interface IssuerServiceOptions {
  readonly issuer: LocalIssuer;
  readonly identity: IdentityStore;
  /** Lifetime of a user's token, seconds (default 900). */
  readonly userTokenTtlSec?: number;
  /** Lifetime of a client's token, seconds (default 3600). */
  readonly clientTokenTtlSec?: number;
  readonly throttle?: LoginThrottleOptions;
  /**
   * The public clients that may use the authorization-code flow (configuration, not users); default:
   * the dashboard, returning to `<issuer>/app/callback`. Refused at construction when unsound.
   */
  readonly publicClients?: readonly PublicClient[];
  /** Lifetime and bound of authorization codes (defaults 60 s, 10 000). */
  readonly codes?: AuthorizationCodesOptions;
  /** Hears every success and failure (the platform audits them); must not throw. */
  readonly onEvent?: (event: LoginEvent) => void;
  /** Now, epoch ms (tests). */
  readonly now?: () => number;
}

export const DEFAULT_USER_TOKEN_TTL_SEC = 15 * 60;
export const DEFAULT_CLIENT_TOKEN_TTL_SEC = 60 * 60;

const GRANTS = ['authorization_code', 'password', 'client_credentials'] as const;
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

/** What a sign-in at the authorization endpoint comes to: back to the client, or the form again with why. */
export type AuthorizationResult =
  { readonly kind: 'redirect'; readonly location: string } | { readonly kind: 'refused'; readonly error: OAuthError };

/**
 * The embedded issuer's endpoints, free of HTTP: a form in, a token or an RFC 6749 error out.
 *
 * Grants: `authorization_code` with PKCE (S256) for the registered public clients (the dashboard's
 * browser sign-in: `checkAuthorization`, `authorize`, then the code exchange); `password` — for first
 * use and scripts, kept behind a lockout that the browser sign-in shares; and `client_credentials`
 * for services (secret by client_secret_basic or client_secret_post). No refresh tokens: a user
 * signs in again when the token expires.
 */
export class IssuerService {
  private readonly throttle: LoginThrottle;
  private readonly codes: AuthorizationCodes;
  private readonly publicClients: ReadonlyMap<string, PublicClient>;
  private readonly now: () => number;
  private readonly userTtlSec: number;
  private readonly clientTtlSec: number;
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

  constructor(private readonly options: IssuerServiceOptions) {
    this.throttle = new LoginThrottle(options.throttle);
    this.now = options.now ?? Date.now;
    this.userTtlSec = options.userTokenTtlSec ?? DEFAULT_USER_TOKEN_TTL_SEC;
    this.clientTtlSec = options.clientTokenTtlSec ?? DEFAULT_CLIENT_TOKEN_TTL_SEC;
    this.codes = new AuthorizationCodes(options.codes);
    const clients = options.publicClients ?? [dashboardClient(options.issuer.issuer)];
    const problems = publicClientProblems(options.issuer.issuer, clients);
    if (problems.length > 0) throw new Error(`IssuerService: ${problems.join('; ')}`);
    this.publicClients = new Map(clients.map((c) => [c.clientId, c]));
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
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      grant_types_supported: [...GRANTS],
      // public clients send client_id and no secret [RFC 8414 §2]
      token_endpoint_auth_methods_supported: [...AUTH_METHODS, 'none'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
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
      case 'authorization_code':
        return this.codeGrant(form, basic);
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
    const user = await this.checkPassword(username, password, 'password', client);
    if ('error' in user) return user;
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

  /**
   * [RFC 6749 §4.1.1] Checks an authorization request: whether the client and redirect URI are
   * registered (else an error page, never a redirect), then the rest (errors go back to the client).
   */
  checkAuthorization(params: Readonly<Record<string, string>>): AuthorizationCheck {
    return checkAuthorizationRequest(params, this.publicClients, this.options.issuer.issuer);
  }

  /**
   * Signs a user in for a checked authorization request, through the same password check, lockout
   * and `onEvent` reports as the password grant, and on success sends the browser back to the client
   * with a single-use code [RFC 6749 §4.1.2]. The `login` event comes with the code's exchange.
   */
  async authorize(
    request: AuthorizationRequest,
    username: string | undefined,
    password: string | undefined,
  ): Promise<AuthorizationResult> {
    const user = await this.checkPassword(username, password, 'authorization_code', request.clientId);
    if ('error' in user) return { kind: 'refused', error: user };
    const code = this.codes.issue(
      {
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        subject: user.username,
      },
      this.now(),
    );
    const params = { code, ...(request.state === undefined ? {} : { state: request.state }) };
    return {
      kind: 'redirect',
      location: authorizationResponse(request.redirectUri, this.options.issuer.issuer, params),
    };
  }

  /**
   * [RFC 6749 §4.1.3, RFC 7636 §4.5-4.6] Exchanges a code: for a registered public client only (no
   * secret), with the redirect URI and client it was issued to, once, within its lifetime, and with
   * the verifier whose S256 hash is its challenge. Roles and wards are read from the identity store
   * now, so a change since the sign-in counts.
   */
  private async codeGrant(
    form: Readonly<Record<string, string>>,
    basic?: BasicCredentials,
  ): Promise<TokenResponse | OAuthError> {
    const grant = 'authorization_code';
    const { code, redirect_uri: redirectUri, code_verifier: verifier } = form;
    const clientId = basic?.id ?? form['client_id'] ?? null;
    if (basic !== undefined || form['client_secret'] !== undefined) {
      return this.refuse(
        'invalid-client',
        'invalid_client',
        'the authorization_code grant is for public clients, which send no secret',
        grant,
        null,
        clientId,
      );
    }
    if (clientId === null || !this.publicClients.has(clientId)) {
      return this.refuse(
        'invalid-client',
        'invalid_client',
        clientId === null ? 'client_id is required' : 'this client_id is not registered',
        grant,
        null,
        clientId,
      );
    }
    if (code === undefined || redirectUri === undefined || verifier === undefined) {
      return this.refuse(
        'invalid-request',
        'invalid_request',
        'code, redirect_uri and code_verifier are required',
        grant,
        null,
        clientId,
      );
    }
    if (!isCodeVerifier(verifier)) {
      // [RFC 7636 §4.1]
      return this.refuse(
        'invalid-request',
        'invalid_request',
        'code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~',
        grant,
        null,
        clientId,
      );
    }
    // Redeemed (and so spent) before any other check: a code gets one try.
    const granted = this.codes.redeem(code, this.now());
    if (granted === 'unknown' || granted === 'expired') {
      const why = granted === 'expired' ? 'the code has expired' : 'the code is unknown or already used';
      return this.refuse('bad-code', 'invalid_grant', why, grant, null, clientId);
    }
    const subject = granted.subject;
    if (granted.clientId !== clientId || granted.redirectUri !== redirectUri) {
      return this.refuse(
        'bad-code',
        'invalid_grant',
        'the code was issued to another client or redirect_uri',
        grant,
        subject,
        clientId,
      );
    }
    if (!verifiesS256(verifier, granted.codeChallenge)) {
      return this.refuse(
        'bad-code',
        'invalid_grant',
        'code_verifier does not match the code_challenge',
        grant,
        subject,
        clientId,
      );
    }
    const user = await this.options.identity.getUser(subject);
    if (user === undefined || user.disabled) {
      return this.refuse('disabled', 'invalid_grant', 'this account is disabled', grant, subject, clientId);
    }
    return this.issue(
      { sub: user.username, roles: [user.role], wards: user.wards, name: user.displayName },
      this.userTtlSec,
      grant,
      clientId,
    );
  }

  /**
   * A user's password, checked behind the lockout: the user, or the refusal (already counted and
   * reported). Shared by the password grant and the browser sign-in, so one quota covers both.
   */
  private async checkPassword(
    username: string | undefined,
    password: string | undefined,
    grant: string,
    client: string | null,
  ): Promise<User | OAuthError> {
    if (username === undefined || username === '' || password === undefined) {
      return this.refuse(
        'invalid-request',
        'invalid_request',
        'username and password are required',
        grant,
        username ?? null,
        client,
      );
    }
    // The attempt takes its place in the lockout quota before the (slow, asynchronous) password check.
    const refusal = this.throttle.begin(username, this.now());
    if (refusal !== undefined) {
      return this.refuse('locked-out', 'invalid_grant', refusalDescription(refusal), grant, username, client);
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
        grant,
        username,
        client,
      );
      if (lockedNow)
        this.emit({ kind: 'locked', subject: username, client, grant, reason: 'too many failures: locked for 15 min' });
      return refusal;
    }
    if (user.disabled) {
      this.throttle.abandon(username);
      return this.refuse('disabled', 'invalid_grant', 'this account is disabled', grant, username, client);
    }
    this.throttle.succeed(username);
    return user;
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
