import type { AuthorizationCodes } from './authorization-codes.js';
import {
  authorizationResponse,
  checkAuthorizationRequest,
  type AuthorizationCheck,
  type AuthorizationRequest,
} from './authorization-request.js';
import type { IdentityStore } from './identity-store.js';
import type { PasswordCheck } from './password-check.js';
import { isCodeVerifier, verifiesS256 } from './pkce.js';
import type { PublicClient } from './public-clients.js';
import type { TokenOutcomes } from './token-outcomes.js';
import type { AuthorizationResult, BasicCredentials, OAuthError, TokenForm, TokenResponse } from './token-results.js';

export interface AuthorizationCodeFlowOptions {
  /** The issuer URL, as in the tokens' `iss`. */
  readonly issuer: string;
  readonly identity: IdentityStore;
  readonly outcomes: TokenOutcomes;
  readonly passwords: PasswordCheck;
  /** The registered public clients, by client id (already checked sound). */
  readonly publicClients: ReadonlyMap<string, PublicClient>;
  /** Lifetime of a user's token, seconds. */
  readonly userTtlSec: number;
  /** Where issued codes wait for their exchange. */
  readonly codes: AuthorizationCodes;
  /** Now, epoch ms. */
  readonly now: () => number;
}

/**
 * [RFC 6749 §4.1, RFC 7636] The authorization-code grant with PKCE (S256) for the registered public
 * clients (the dashboard's browser sign-in): check the request, sign the user in for a code, then
 * exchange the code for a token.
 */
export class AuthorizationCodeFlow {
  constructor(private readonly options: AuthorizationCodeFlowOptions) {}

  /**
   * [RFC 6749 §4.1.1] Checks an authorization request: whether the client and redirect URI are
   * registered (else an error page, never a redirect), then the rest (errors go back to the client).
   */
  check(params: Readonly<Record<string, string>>): AuthorizationCheck {
    return checkAuthorizationRequest(params, this.options.publicClients, this.options.issuer);
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
    const user = await this.options.passwords.check(username, password, 'authorization_code', request.clientId);
    if ('error' in user) return { kind: 'refused', error: user };
    const code = this.options.codes.issue(
      {
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        subject: user.username,
      },
      this.options.now(),
    );
    const params = { code, ...(request.state === undefined ? {} : { state: request.state }) };
    return {
      kind: 'redirect',
      location: authorizationResponse(request.redirectUri, this.options.issuer, params),
    };
  }

  /**
   * [RFC 6749 §4.1.3, RFC 7636 §4.5-4.6] Exchanges a code: for a registered public client only (no
   * secret), with the redirect URI and client it was issued to, once, within its lifetime, and with
   * the verifier whose S256 hash is its challenge. Roles and wards are read from the identity store
   * now, so a change since the sign-in counts.
   */
  async exchange(form: TokenForm, basic?: BasicCredentials): Promise<TokenResponse | OAuthError> {
    const grant = 'authorization_code';
    const { outcomes } = this.options;
    const { code, redirect_uri: redirectUri, code_verifier: verifier } = form;
    const clientId = basic?.id ?? form['client_id'] ?? null;
    if (basic !== undefined || form['client_secret'] !== undefined) {
      return outcomes.refuse(
        'invalid-client',
        'invalid_client',
        'the authorization_code grant is for public clients, which send no secret',
        grant,
        null,
        clientId,
      );
    }
    if (clientId === null || !this.options.publicClients.has(clientId)) {
      return outcomes.refuse(
        'invalid-client',
        'invalid_client',
        clientId === null ? 'client_id is required' : 'this client_id is not registered',
        grant,
        null,
        clientId,
      );
    }
    if (code === undefined || redirectUri === undefined || verifier === undefined) {
      return outcomes.refuse(
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
      return outcomes.refuse(
        'invalid-request',
        'invalid_request',
        'code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~',
        grant,
        null,
        clientId,
      );
    }
    // Redeemed (and so spent) before any other check: a code gets one try.
    const granted = this.options.codes.redeem(code, this.options.now());
    if (granted === 'unknown' || granted === 'expired') {
      const why = granted === 'expired' ? 'the code has expired' : 'the code is unknown or already used';
      return outcomes.refuse('bad-code', 'invalid_grant', why, grant, null, clientId);
    }
    const subject = granted.subject;
    if (granted.clientId !== clientId || granted.redirectUri !== redirectUri) {
      return outcomes.refuse(
        'bad-code',
        'invalid_grant',
        'the code was issued to another client or redirect_uri',
        grant,
        subject,
        clientId,
      );
    }
    if (!verifiesS256(verifier, granted.codeChallenge)) {
      return outcomes.refuse(
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
      return outcomes.refuse('disabled', 'invalid_grant', 'this account is disabled', grant, subject, clientId);
    }
    return outcomes.issue(
      { sub: user.username, roles: [user.role], wards: user.wards, name: user.displayName },
      this.options.userTtlSec,
      grant,
      clientId,
    );
  }
}
