import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/**
 * Why a bearer token was refused. Each maps to a 401 with this reason in the problem document and
 * the audit record; none of them says more than the reason (no key material, no claim values).
 */
export type AuthFailure =
  | 'missing-token'
  | 'malformed-token'
  | 'algorithm-not-allowed'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'missing-claim'
  | 'keys-unavailable';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly reason: AuthFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Who a verified token speaks for. */
export interface Principal {
  readonly subject: string;
  readonly issuer: string;
  /** Roles from the roles claim (strings only; others are ignored). */
  readonly roles: readonly string[];
  /** Wards from the wards claim: the patients a nurse or physician may see. */
  readonly wards: readonly string[];
  readonly name: string | null;
  /** Token expiry, epoch ms. */
  readonly expiresAt: number;
}

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /**
   * The only algorithms accepted (pinned; `none` and HMAC are never accepted from an issuer whose
   * keys are public). Default RS256, ES256.
   */
  readonly algorithms?: readonly AsymmetricAlgorithm[];
  /** Clock skew allowed on `exp` and `nbf`, seconds (default 30). */
  readonly leewaySec?: number;
  /** Claim holding the roles (default `roles`) and the wards (default `wards`). */
  readonly rolesClaim?: string;
  readonly wardsClaim?: string;
  /** Now, epoch ms (tests). */
  readonly now?: () => number;
}

export type AsymmetricAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** Where the issuer's public keys come from. */
export type KeySource =
  /** The issuer's JWKS URL: fetched when a token names a key id not seen yet (rotation without restart). */
  | { readonly kind: 'remote'; readonly url: string; readonly cooldownMs?: number; readonly timeoutMs?: number }
  /** A fixed key set held in process (tests, a pinned key). */
  | { readonly kind: 'local'; readonly jwks: JSONWebKeySet }
  /**
   * A key set asked for at every verification: the embedded issuer's `jwks()`, which follows a
   * rotation (even one made by another process) without a restart. It should return the same object
   * while the keys are unchanged; a new object is re-imported.
   */
  | { readonly kind: 'provider'; readonly keys: () => JSONWebKeySet };

const DEFAULT_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256'];

/**
 * Verifies bearer JWTs (RFC 7519) from an OIDC issuer: the signature against the issuer's JWKS, the
 * algorithm against a pinned list (so `alg: none` and an HS256 token "signed" with the public RSA
 * key are refused before any key is used), `iss`, `aud`, `exp` and `nbf` with a small leeway, and
 * `sub`. A key rotated by the issuer is fetched on first sight of its `kid`.
 */
export class JwtVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly algorithms: readonly AsymmetricAlgorithm[];

  constructor(
    private readonly options: JwtVerifierOptions,
    source: KeySource,
  ) {
    this.algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
    this.keys = keyGetter(source);
  }

  /** The principal of an `Authorization` header value (`Bearer <jwt>`), or AuthError. */
  async verifyHeader(header: string | undefined): Promise<Principal> {
    if (header === undefined || header.trim() === '') throw new AuthError('missing-token', 'no bearer token');
    const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
    if (token === undefined) throw new AuthError('malformed-token', 'the Authorization header is not "Bearer <token>"');
    return this.verify(token);
  }

  async verify(token: string): Promise<Principal> {
    this.checkHeader(token);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.algorithms],
        clockTolerance: this.options.leewaySec ?? 30,
        requiredClaims: ['sub', 'exp'],
        ...(this.options.now === undefined ? {} : { currentDate: new Date(this.options.now()) }),
      }));
    } catch (error) {
      throw translate(error);
    }
    const rolesClaim = payload[this.options.rolesClaim ?? 'roles'];
    const wardsClaim = payload[this.options.wardsClaim ?? 'wards'];
    return {
      subject: payload.sub ?? '',
      issuer: payload.iss ?? '',
      roles: strings(rolesClaim),
      wards: strings(wardsClaim),
      name: typeof payload['name'] === 'string' ? payload['name'] : null,
      expiresAt: (payload.exp ?? 0) * 1000,
    };
  }

  /** The protected header, checked before any key is touched: a JWS with a pinned algorithm. */
  private checkHeader(token: string): void {
    const [encoded, ...rest] = token.split('.');
    if (encoded === undefined || rest.length !== 2) {
      throw new AuthError('malformed-token', 'a JWT has three dot-separated parts');
    }
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    } catch {
      throw new AuthError('malformed-token', 'the JWT header is not base64url JSON');
    }
    const alg = (header as { alg?: unknown } | null)?.alg;
    if (typeof alg !== 'string' || !(this.algorithms as readonly string[]).includes(alg)) {
      throw new AuthError(
        'algorithm-not-allowed',
        `algorithm ${typeof alg === 'string' ? alg : '(none)'} is not accepted (accepted: ${this.algorithms.join(', ')})`,
      );
    }
  }
}

function keyGetter(source: KeySource): JWTVerifyGetKey {
  switch (source.kind) {
    case 'local':
      return createLocalJWKSet(source.jwks);
    case 'remote':
      return createRemoteJWKSet(new URL(source.url), {
        cooldownDuration: source.cooldownMs ?? 30_000,
        timeoutDuration: source.timeoutMs ?? 5_000,
      });
    case 'provider': {
      // Importing a key set costs a little; the provider hands back the same object until it changes.
      let seen: JSONWebKeySet | undefined;
      let getKey: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });
      return (header, token) => {
        const current = source.keys();
        if (current !== seen) {
          seen = current;
          getKey = createLocalJWKSet(current);
        }
        return getKey(header, token);
      };
    }
  }
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function translate(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) return new AuthError('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return new AuthError('wrong-issuer', 'the token is from another issuer');
      case 'aud':
        return new AuthError('wrong-audience', 'the token is for another audience');
      case 'nbf':
        return new AuthError('not-yet-valid', 'the token is not valid yet');
      default:
        return new AuthError('missing-claim', `claim ${error.claim} is missing or invalid`);
    }
  }
  if (error instanceof errors.JWKSNoMatchingKey)
    return new AuthError('unknown-key', 'no key of the issuer matches the token');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new AuthError('bad-signature', 'the signature does not verify');
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new AuthError('algorithm-not-allowed', 'the algorithm is not accepted');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new AuthError('keys-unavailable', "the issuer's keys could not be fetched");
  }
  if (error instanceof errors.JOSEError)
    return new AuthError('malformed-token', `the token is not valid: ${error.code}`);
  return new AuthError('keys-unavailable', `the token could not be verified: ${(error as Error).message}`);
}
