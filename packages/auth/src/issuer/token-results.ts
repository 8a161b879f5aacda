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

/** A token request's parameters (the request body's form). */
export type TokenForm = Readonly<Record<string, string>>;

/** What a sign-in at the authorization endpoint comes to: back to the client, or the form again with why. */
export type AuthorizationResult =
  { readonly kind: 'redirect'; readonly location: string } | { readonly kind: 'refused'; readonly error: OAuthError };

/** The HTTP status of an OAuth error: 401 for failed client authentication, 400 otherwise [RFC 6749 §5.2]. */
export function oauthErrorStatus(error: OAuthError): 400 | 401 {
  return error.error === 'invalid_client' ? 401 : 400;
}

export function isOAuthError(result: TokenResponse | OAuthError): result is OAuthError {
  return 'error' in result;
}
