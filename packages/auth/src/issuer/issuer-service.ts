import type { JSONWebKeySet } from 'jose';
import { AuthorizationCodeFlow } from './authorization-code-flow.js';
import { AuthorizationCodes, type AuthorizationCodesOptions } from './authorization-codes.js';
import type { AuthorizationCheck, AuthorizationRequest } from './authorization-request.js';
import { clientCredentialsGrant, type ClientCredentialsGrantDeps } from './client-credentials-grant.js';
import { discoveryDocument, SUPPORTED_GRANTS } from './discovery.js';
import type { IdentityStore } from './identity-store.js';
import type { LocalIssuer } from './local-issuer.js';
import type { LoginThrottleOptions } from './login-throttle.js';
import { PasswordCheck } from './password-check.js';
import { passwordGrant, type PasswordGrantDeps } from './password-grant.js';
import { dashboardClient, publicClientProblems, type PublicClient } from './public-clients.js';
import { TokenOutcomes, type LoginEvent, type TokenStats } from './token-outcomes.js';
import type { AuthorizationResult, BasicCredentials, OAuthError, TokenForm, TokenResponse } from './token-results.js';

export { isOAuthError, oauthErrorStatus } from './token-results.js';
export type {
  AuthorizationResult,
  BasicCredentials,
  OAuthError,
  OAuthErrorCode,
  TokenResponse,
} from './token-results.js';
export type { LoginEvent, TokenRefusal } from './token-outcomes.js';

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
  private readonly outcomes: TokenOutcomes;
  private readonly codeFlow: AuthorizationCodeFlow;
  private readonly passwordDeps: PasswordGrantDeps;
  private readonly clientDeps: ClientCredentialsGrantDeps;

  constructor(private readonly options: IssuerServiceOptions) {
    const now = options.now ?? Date.now;
    const userTtlSec = options.userTokenTtlSec ?? DEFAULT_USER_TOKEN_TTL_SEC;
    const clientTtlSec = options.clientTokenTtlSec ?? DEFAULT_CLIENT_TOKEN_TTL_SEC;
    const { identity } = options;
    const outcomes = new TokenOutcomes(options);
    const passwords = new PasswordCheck(identity, outcomes, now, options.throttle);
    const codes = new AuthorizationCodes(options.codes);
    const clients = options.publicClients ?? [dashboardClient(options.issuer.issuer)];
    const problems = publicClientProblems(options.issuer.issuer, clients);
    if (problems.length > 0) throw new Error(`IssuerService: ${problems.join('; ')}`);
    const publicClients = new Map(clients.map((c) => [c.clientId, c]));
    this.outcomes = outcomes;
    this.passwordDeps = { identity, outcomes, passwords, userTtlSec };
    this.clientDeps = { identity, outcomes, clientTtlSec };
    this.codeFlow = new AuthorizationCodeFlow({
      issuer: options.issuer.issuer,
      identity,
      outcomes,
      passwords,
      publicClients,
      userTtlSec,
      codes,
      now,
    });
  }

  /** Tokens issued and requests refused (by reason) since start. */
  stats(): TokenStats {
    return this.outcomes.stats();
  }

  /** The public keys (`/oauth/jwks.json`); follows rotation. */
  jwks(): JSONWebKeySet {
    return this.options.issuer.jwks();
  }

  /** [OpenID Connect Discovery 1.0 §3] The provider metadata. */
  discovery(): Record<string, unknown> {
    return discoveryDocument(this.options.issuer.issuer);
  }

  /** Handles a token request: `form` is the request body's parameters, `basic` the Basic credentials if sent. */
  async token(form: TokenForm, basic?: BasicCredentials): Promise<TokenResponse | OAuthError> {
    const grant = form['grant_type'];
    const postedId = form['client_id'];
    if (
      basic !== undefined &&
      (form['client_secret'] !== undefined || (postedId !== undefined && postedId !== basic.id))
    ) {
      // [RFC 6749 §2.3] one authentication method per request
      return this.outcomes.refuse(
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
        return this.codeFlow.exchange(form, basic);
      case 'password':
        return passwordGrant(this.passwordDeps, form, basic);
      case 'client_credentials':
        return clientCredentialsGrant(this.clientDeps, form, basic);
      case undefined:
        return this.outcomes.refuse('invalid-request', 'invalid_request', 'grant_type is required', null, null, null);
      default:
        return this.outcomes.refuse(
          'unsupported-grant',
          'unsupported_grant_type',
          `grant_type ${grant.slice(0, 40)} is not supported (supported: ${SUPPORTED_GRANTS.join(', ')})`,
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
    return this.outcomes.refuse(
      error === 'invalid_client' ? 'invalid-client' : 'invalid-request',
      error,
      description,
      null,
      null,
      client,
    );
  }

  /**
   * [RFC 6749 §4.1.1] Checks an authorization request: whether the client and redirect URI are
   * registered (else an error page, never a redirect), then the rest (errors go back to the client).
   */
  checkAuthorization(params: Readonly<Record<string, string>>): AuthorizationCheck {
    return this.codeFlow.check(params);
  }

  /**
   * Signs a user in for a checked authorization request (the password check and lockout of the
   * password grant) and on success sends the browser back to the client with a single-use code.
   */
  async authorize(
    request: AuthorizationRequest,
    username: string | undefined,
    password: string | undefined,
  ): Promise<AuthorizationResult> {
    return this.codeFlow.authorize(request, username, password);
  }
}
