import { isS256Challenge } from './pkce.js';
import type { PublicClient } from './public-clients.js';

/** A validated authorization request [RFC 6749 §4.1.1, RFC 7636 §4.3]: safe to show a sign-in form for. */
export interface AuthorizationRequest {
  readonly clientId: string;
  /** One of the client's registered redirect URIs, exactly. */
  readonly redirectUri: string;
  /** The S256 code_challenge. */
  readonly codeChallenge: string;
  /** Opaque to the issuer; returned as given. */
  readonly state?: string;
  /** Accepted and carried along; the token does not depend on it (its roles and wards do). */
  readonly scope?: string;
}

/**
 * What an authorization request comes to:
 * - `valid`: show the sign-in form (or, with credentials, sign in);
 * - `error-page`: the client or its redirect URI cannot be trusted, so the browser is told, never
 *   redirected [RFC 6749 §4.1.2.1, first paragraph];
 * - `redirect`: any other error, returned to the client's (validated) redirect URI [RFC 6749 §4.1.2.1].
 */
export type AuthorizationCheck =
  | { readonly kind: 'valid'; readonly request: AuthorizationRequest }
  | { readonly kind: 'error-page'; readonly description: string }
  | { readonly kind: 'redirect'; readonly location: string };

/** Longest state and scope taken (they are echoed into a URL and a page). */
export const MAX_STATE_LENGTH = 1024;

/** Checks an authorization request's parameters: the client and redirect URI first, then the rest. */
export function checkAuthorizationRequest(
  params: Readonly<Record<string, string>>,
  clients: ReadonlyMap<string, PublicClient>,
  issuer: string,
): AuthorizationCheck {
  const { client_id: clientId, redirect_uri: redirectUri, state, scope } = params;
  if (clientId === undefined) return { kind: 'error-page', description: 'client_id is required' };
  const client = clients.get(clientId);
  if (client === undefined) return { kind: 'error-page', description: 'this client_id is not registered' };
  if (redirectUri === undefined) return { kind: 'error-page', description: 'redirect_uri is required' };
  // [RFC 6749 §3.1.2.2, OAuth 2.1 §2.3.1] exact string comparison, no pattern and no prefix
  if (!client.redirectUris.includes(redirectUri)) {
    return { kind: 'error-page', description: 'this redirect_uri is not registered for the client' };
  }

  const toClient = (error: string, description: string): AuthorizationCheck => ({
    kind: 'redirect',
    location: authorizationResponse(redirectUri, issuer, {
      error,
      error_description: description,
      ...(state === undefined || state.length > MAX_STATE_LENGTH ? {} : { state }),
    }),
  });
  if (state !== undefined && state.length > MAX_STATE_LENGTH) {
    return toClient('invalid_request', `state is longer than ${MAX_STATE_LENGTH} characters`);
  }
  if (scope !== undefined && scope.length > MAX_STATE_LENGTH) {
    return toClient('invalid_request', `scope is longer than ${MAX_STATE_LENGTH} characters`);
  }
  const responseType = params['response_type'];
  if (responseType === undefined) return toClient('invalid_request', 'response_type is required');
  if (responseType !== 'code') {
    return toClient('unsupported_response_type', 'only response_type=code is supported');
  }
  const challenge = params['code_challenge'];
  // [RFC 7636 §4.4.1] a request without a challenge, where PKCE is required, is an invalid_request
  if (challenge === undefined) return toClient('invalid_request', 'code_challenge is required (PKCE, RFC 7636)');
  if (params['code_challenge_method'] !== 'S256') {
    return toClient('invalid_request', 'code_challenge_method must be S256 (plain is not supported)');
  }
  if (!isS256Challenge(challenge)) {
    return toClient('invalid_request', 'code_challenge must be 43 characters of base64url (S256)');
  }
  return {
    kind: 'valid',
    request: {
      clientId,
      redirectUri,
      codeChallenge: challenge,
      ...(state === undefined ? {} : { state }),
      ...(scope === undefined ? {} : { scope }),
    },
  };
}

/**
 * The redirect URI with the response's parameters added to its query (keeping any it had), plus
 * `iss` so the client can tell which issuer answered [RFC 9207 §2].
 */
export function authorizationResponse(
  redirectUri: string,
  issuer: string,
  params: Readonly<Record<string, string>>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  url.searchParams.append('iss', issuer);
  return url.href;
}
