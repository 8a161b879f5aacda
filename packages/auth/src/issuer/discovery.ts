/** The grant types the token endpoint accepts. */
export const SUPPORTED_GRANTS = ['authorization_code', 'password', 'client_credentials'] as const;

/** How confidential clients authenticate at the token endpoint. */
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/** [OpenID Connect Discovery 1.0 §3] The provider metadata for the issuer at `issuer`. */
export function discoveryDocument(issuer: string): Record<string, unknown> {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    jwks_uri: `${base}/oauth/jwks.json`,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    grant_types_supported: [...SUPPORTED_GRANTS],
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
