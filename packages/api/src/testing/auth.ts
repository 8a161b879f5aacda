import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { JwtVerifier, type AuthFailure, type KeySource } from '@wardstream/auth';
import type { Clock } from '@wardstream/domain';
import { MemoryAccessAudit, type AccessAudit } from '../access/access-audit.js';
import type { BreakGlassGrant } from '../access/break-glass.js';
import type { DenyReason } from '../access/decide.js';
import type { ApiSecurity } from '../deps.js';

export const TEST_ISSUER = 'https://issuer.wardstream.test/';
export const TEST_AUDIENCE = 'wardstream-api';

export type Jwks = Extract<KeySource, { kind: 'local' }>['jwks'];

/** The claims of a test token; each defaults to something valid. Times in seconds from the clock's now. */
export interface TokenClaims {
  readonly sub?: string;
  readonly roles?: readonly string[];
  readonly wards?: readonly string[];
  readonly name?: string;
  /** Lifetime (default 900 s = 15 min); negative: already expired. */
  readonly ttlSec?: number;
  /** `nbf` offset from now (default: none). */
  readonly nbfSec?: number;
  readonly iss?: string;
  readonly aud?: string;
}

interface SigningKey {
  readonly kid: string;
  readonly alg: 'ES256' | 'RS256';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A token issuer for tests, built on node:crypto alone (so the tokens do not come from the library
 * that verifies them): ES256 (or RS256) keys, their JWKS, valid tokens and the forged kinds a
 * verifier must refuse. Times come from `clock`, the same clock the verifier uses.
 */
export class TestIssuer {
  private readonly keys: SigningKey[] = [];
  private verifierOf: { keys: number; verifier: JwtVerifier } | undefined;

  constructor(private readonly clock: Clock) {
    this.addKey('ES256');
  }

  /** A new signing key, used from now on (the earlier ones stay in the JWKS); returns its kid. */
  addKey(alg: 'ES256' | 'RS256' = 'ES256'): string {
    const pair =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = `test-${alg.toLowerCase()}-${this.keys.length + 1}`;
    this.keys.push({ kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey });
    return kid;
  }

  /** The public keys, as the issuer's jwks_uri would serve them. */
  jwks(): Jwks {
    return {
      keys: this.keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })),
    };
  }

  /** The PEM of a key's public half (what an attacker would use as an HMAC secret). */
  publicPem(kid: string): string {
    return this.key(kid).publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  /** A verifier of this issuer's tokens with its keys as they are now, and the clock's time. */
  verifier(): JwtVerifier {
    if (this.verifierOf?.keys !== this.keys.length) {
      const verifier = new JwtVerifier(
        { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, now: () => this.clock.now() },
        { kind: 'local', jwks: this.jwks() },
      );
      this.verifierOf = { keys: this.keys.length, verifier };
    }
    return this.verifierOf.verifier;
  }

  /** The payload of a token with `claims`, times from the clock. */
  payload(claims: TokenClaims = {}): Record<string, unknown> {
    const now = Math.floor(this.clock.now() / 1000);
    return {
      iss: claims.iss ?? TEST_ISSUER,
      aud: claims.aud ?? TEST_AUDIENCE,
      sub: claims.sub ?? 'test.user',
      roles: claims.roles ?? [],
      wards: claims.wards ?? [],
      ...(claims.name === undefined ? {} : { name: claims.name }),
      iat: now,
      exp: now + (claims.ttlSec ?? 900),
      ...(claims.nbfSec === undefined ? {} : { nbf: now + claims.nbfSec }),
      jti: randomUUID(),
    };
  }

  /** A valid token signed with the newest key (or `kid`). */
  token(claims: TokenClaims = {}, kid?: string): string {
    const key = kid === undefined ? this.current() : this.key(kid);
    return this.signWith(key, { alg: key.alg, typ: 'JWT', kid: key.kid }, this.payload(claims));
  }

  /** `{authorization: 'Bearer …'}` for `claims`. */
  auth(claims: TokenClaims = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token(claims)}` };
  }

  /** A token signed by a key this issuer never published, under a kid it does not know. */
  tokenOfUnknownKey(claims: TokenClaims = {}): string {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return this.signWith(
      { kid: 'unknown', alg: 'ES256', privateKey, publicKey },
      { alg: 'ES256', kid: 'stranger' },
      this.payload(claims),
    );
  }

  /** A token claiming the newest key's kid whose signature was made by another key. */
  tokenWithBadSignature(claims: TokenClaims = {}): string {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = this.current().kid;
    return this.signWith({ kid, alg: 'ES256', privateKey, publicKey }, { alg: 'ES256', kid }, this.payload(claims));
  }

  /** An unsigned token (`alg: none`). */
  unsignedToken(claims: TokenClaims = {}): string {
    return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(this.payload(claims))}.`;
  }

  /** The classic key-confusion forgery: HS256 "signed" with the PEM of the issuer's RSA public key `kid`. */
  hs256WithPublicKey(kid: string, claims: TokenClaims = {}): string {
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(this.payload(claims))}`;
    return `${input}.${createHmac('sha256', this.publicPem(kid)).update(input).digest('base64url')}`;
  }

  private signWith(key: SigningKey, header: Record<string, unknown>, payload: Record<string, unknown>): string {
    const input = `${b64(header)}.${b64(payload)}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: key.privateKey,
      ...(key.alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {}),
    });
    return `${input}.${signature.toString('base64url')}`;
  }

  private current(): SigningKey {
    const key = this.keys.at(-1);
    if (key === undefined) throw new Error('the test issuer has no key');
    return key;
  }

  private key(kid: string): SigningKey {
    const key = this.keys.find((k) => k.kid === kid);
    if (key === undefined) throw new Error(`no test key ${kid}`);
    return key;
  }
}

/** ApiSecurity for tests, with what each hook heard. */
export interface TestSecurity {
  readonly issuer: TestIssuer;
  readonly audit: MemoryAccessAudit;
  readonly security: ApiSecurity;
  readonly authFailures: AuthFailure[];
  readonly denials: { route: string; reason: DenyReason }[];
  readonly auditFailures: unknown[];
  readonly breakGlass: BreakGlassGrant[];
}

/**
 * ApiSecurity that verifies TestIssuer tokens (at `clock`'s time) and keeps access records in a
 * MemoryAccessAudit, unless `options.accessAudit` or `options.authenticate` replace them.
 */
export function testSecurity(
  clock: Clock,
  options: { accessAudit?: AccessAudit; authenticate?: ApiSecurity['authenticate'] } = {},
): TestSecurity {
  const issuer = new TestIssuer(clock);
  const audit = new MemoryAccessAudit();
  const heard = {
    authFailures: [] as AuthFailure[],
    denials: [] as { route: string; reason: DenyReason }[],
    auditFailures: [] as unknown[],
    breakGlass: [] as BreakGlassGrant[],
  };
  const security: ApiSecurity = {
    authenticate: options.authenticate ?? ((header) => issuer.verifier().verifyHeader(header)),
    accessAudit: options.accessAudit ?? audit,
    onAuthFailure: (reason) => heard.authFailures.push(reason),
    onDenied: (route, reason) => heard.denials.push({ route, reason }),
    onAuditFailure: (error) => heard.auditFailures.push(error),
    onBreakGlass: (grant) => heard.breakGlass.push(grant),
  };
  return { issuer, audit, security, ...heard };
}
