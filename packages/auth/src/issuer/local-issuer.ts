import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WardstreamError } from '@wardstream/domain';
import { SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { createFileOnce, replaceFile } from './key-files.js';

/** The token-signing keys, private: `<key-dir>/oidc/signing-keys.json`, mode 0600. */
export const SIGNING_KEYS_FILE = 'signing-keys.json';
/** The issuer and audience the platform last opened the keys with (public), for `wardstream token`. */
export const ISSUER_RECORD_FILE = 'issuer.json';
/** The longest lifetime of a token this issuer signs, seconds (service clients get 60 min). */
export const DEFAULT_MAX_TOKEN_TTL_SEC = 3600;
/** A retired key outlives the last token it signed by this much: the verifiers' clock leeway and then some. */
const RETIRED_KEY_MARGIN_SEC = 120;

export interface LocalIssuerOptions {
  /** The platform's key directory (outside the data directory); the keys live in its `oidc/`. */
  readonly keyDir: string;
  /** The `iss` of the tokens: this platform's URL as clients reach it. */
  readonly issuer: string;
  /** The `aud` of the tokens. */
  readonly audience: string;
  /** Longest token lifetime, seconds; a retired key verifies for this long after rotation (default 3600). */
  readonly maxTokenTtlSec?: number;
  /** Now, epoch ms (tests). */
  readonly now?: () => number;
}

/** What a token says about its subject. */
export interface TokenClaims {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly wards: readonly string[];
  readonly name?: string;
  /** The OAuth client the token was issued to (RFC 9068 `client_id`), when there was one. */
  readonly clientId?: string;
}

interface StoredKey {
  readonly kid: string;
  readonly createdAt: number;
  readonly retiredAt: number | null;
  readonly privateJwk: JWK;
}

interface LoadedKey extends StoredKey {
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

interface KeyFile {
  readonly version: 1;
  readonly keys: readonly StoredKey[];
}

/**
 * The embedded OIDC issuer's signing keys (ES256) and the tokens they sign. The key set is one
 * file, replaced atomically on rotation; a running platform notices a rotation made by another
 * process (`reloadIfChanged`, called by `jwks()` and `sign()`) and follows it without a restart.
 * A retired key stays in the published key set until every token it signed has expired.
 */
export class LocalIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly maxTokenTtlSec: number;
  private readonly path: string;
  private readonly now: () => number;
  private keys: readonly LoadedKey[] = [];
  private fileStamp = '';
  private published: { kids: string; set: JSONWebKeySet } = { kids: '', set: { keys: [] } };

  private constructor(options: LocalIssuerOptions) {
    this.issuer = options.issuer;
    this.audience = options.audience;
    this.maxTokenTtlSec = options.maxTokenTtlSec ?? DEFAULT_MAX_TOKEN_TTL_SEC;
    if (!Number.isSafeInteger(this.maxTokenTtlSec) || this.maxTokenTtlSec < 1) {
      throw new RangeError('maxTokenTtlSec must be a positive integer');
    }
    this.path = join(oidcDir(options.keyDir), SIGNING_KEYS_FILE);
    this.now = options.now ?? Date.now;
  }

  /**
   * Opens the key set in `<keyDir>/oidc`, creating the directory (0700) and a first key (file 0600)
   * when there is none, and records the issuer and audience beside it. Throws a WardstreamError
   * (CORRUPT) when the file cannot be read as a key set, or when others may read it.
   */
  static openOrCreate(options: LocalIssuerOptions): LocalIssuer {
    const issuer = new LocalIssuer(options);
    const dir = oidcDir(options.keyDir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    createFileOnce(issuer.path, serialize([newKey(issuer.now())]), 0o600);
    issuer.reloadIfChanged();
    const record = readIssuerRecord(options.keyDir);
    if (record?.issuer !== options.issuer || record.audience !== options.audience) {
      const text = `${JSON.stringify({ issuer: options.issuer, audience: options.audience }, null, 2)}\n`;
      replaceFile(join(dir, ISSUER_RECORD_FILE), text, 0o644);
    }
    return issuer;
  }

  /** Opens an existing key set (the CLI minting a token); WardstreamError NOT_FOUND when there is none. */
  static open(options: LocalIssuerOptions): LocalIssuer {
    const issuer = new LocalIssuer(options);
    if (!existsSync(issuer.path)) {
      throw new WardstreamError(
        'NOT_FOUND',
        `no token-signing keys at ${issuer.path} (the platform creates them at first start)`,
      );
    }
    issuer.reloadIfChanged();
    return issuer;
  }

  /** The key id (RFC 7638 thumbprint) tokens are signed with now. */
  get currentKid(): string {
    return this.current().kid;
  }

  /**
   * The public keys a verifier needs: the current one and those retired less than the longest token
   * lifetime ago. The same object is returned while that set is unchanged.
   */
  jwks(): JSONWebKeySet {
    this.reloadIfChanged();
    const live = this.keys.filter((k) => this.stillVerifies(k));
    const kids = live.map((k) => k.kid).join(',');
    if (kids !== this.published.kids) this.published = { kids, set: { keys: live.map((k) => ({ ...k.publicJwk })) } };
    return this.published.set;
  }

  /**
   * Signs an access token (JWT, ES256, `typ: at+jwt`) with `iss`, `aud`, `iat`, `nbf`, `exp`, `jti`
   * and the claims. `ttlSec` is a whole number of seconds up to `maxTokenTtlSec` (RangeError
   * otherwise: a longer token would outlive its key's retirement).
   */
  async sign(claims: TokenClaims, ttlSec: number): Promise<string> {
    if (!Number.isSafeInteger(ttlSec) || ttlSec < 1 || ttlSec > this.maxTokenTtlSec) {
      throw new RangeError(`a token lifetime is 1 to ${this.maxTokenTtlSec} s (got ${ttlSec})`);
    }
    this.reloadIfChanged();
    const key = this.current();
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({
      roles: [...claims.roles],
      wards: [...claims.wards],
      ...(claims.name === undefined ? {} : { name: claims.name }),
      ...(claims.clientId === undefined ? {} : { client_id: claims.clientId }),
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(claims.sub)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + ttlSec)
      .setJti(randomUUID())
      .sign(key.privateKey);
  }

  /**
   * Makes a new current key and retires the current one (kept for verification until its last
   * token expires); keys past that are dropped. The file is replaced atomically, so a platform
   * running in another process picks the change up at its next `jwks()` or `sign()`.
   */
  rotate(): Promise<void> {
    this.reloadIfChanged();
    const at = this.now();
    const kept = this.keys
      .map((k): StoredKey => (k.retiredAt === null ? { ...stored(k), retiredAt: at } : stored(k)))
      .filter((k) => this.stillVerifies(k, at));
    replaceFile(this.path, serialize([...kept, newKey(at)]), 0o600);
    this.reloadIfChanged();
    return Promise.resolve();
  }

  /**
   * Re-reads the key file when it was replaced since the last read (inode, mtime and size differ):
   * a stat, cheap enough per request. True when it re-read.
   */
  reloadIfChanged(): boolean {
    const stat = statSync(this.path);
    const stamp = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    if (stamp === this.fileStamp) return false;
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new WardstreamError(
        'CORRUPT',
        `${this.path} may be read by others (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 it, and rotate the keys if it was exposed`,
      );
    }
    this.keys = parse(this.path, readFileSync(this.path, 'utf8'));
    this.fileStamp = stamp;
    return true;
  }

  private current(): LoadedKey {
    const current = this.keys.find((k) => k.retiredAt === null);
    if (current === undefined) throw new WardstreamError('CORRUPT', `${this.path} has no current key`);
    return current;
  }

  private stillVerifies(key: StoredKey, at = this.now()): boolean {
    return key.retiredAt === null || at < key.retiredAt + (this.maxTokenTtlSec + RETIRED_KEY_MARGIN_SEC) * 1000;
  }
}

/** The issuer and audience the platform recorded in `<keyDir>/oidc`, or undefined. */
export function readIssuerRecord(keyDir: string): { issuer: string; audience: string } | undefined {
  const path = join(oidcDir(keyDir), ISSUER_RECORD_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as { issuer?: unknown; audience?: unknown };
    if (typeof record.issuer === 'string' && typeof record.audience === 'string') {
      return { issuer: record.issuer, audience: record.audience };
    }
  } catch {
    // an unreadable record is as good as none: the caller falls back to its defaults
  }
  return undefined;
}

export function oidcDir(keyDir: string): string {
  return join(keyDir, 'oidc');
}

/** [RFC 7638 §3.2] The thumbprint of an EC key: SHA-256 over its required members in lexical order. */
export function jwkThumbprint(jwk: JWK): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function newKey(at: number): StoredKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { kid: jwkThumbprint(privateJwk), createdAt: at, retiredAt: null, privateJwk };
}

function stored(k: LoadedKey): StoredKey {
  return { kid: k.kid, createdAt: k.createdAt, retiredAt: k.retiredAt, privateJwk: k.privateJwk };
}

function serialize(keys: readonly StoredKey[]): string {
  const file: KeyFile = { version: 1, keys };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function parse(path: string, text: string): LoadedKey[] {
  const corrupt = (why: string, cause?: unknown): WardstreamError =>
    new WardstreamError('CORRUPT', `${path} is not a token-signing key set: ${why}`, { cause });
  let file: { version?: unknown; keys?: unknown } | null;
  try {
    file = JSON.parse(text) as { version?: unknown; keys?: unknown } | null;
  } catch (error) {
    throw corrupt('not JSON', error);
  }
  if (file?.version !== 1 || !Array.isArray(file.keys)) throw corrupt('expected {"version": 1, "keys": [...]}');
  const keys = (file.keys as unknown[]).map((entry, i): LoadedKey => {
    try {
      const k = storedKey(entry);
      const privateKey = createPrivateKey({ key: k.privateJwk, format: 'jwk' });
      const { crv, kty, x, y } = k.privateJwk;
      if (kty !== 'EC' || crv !== 'P-256' || x === undefined || y === undefined) throw new Error('not a P-256 key');
      const publicJwk: JWK = { kty, crv, x, y, kid: k.kid, alg: 'ES256', use: 'sig' };
      if (jwkThumbprint(publicJwk) !== k.kid) throw new Error('its kid is not its thumbprint');
      return { ...k, privateKey, publicJwk };
    } catch (error) {
      throw corrupt(`key ${i}: ${(error as Error).message}`, error);
    }
  });
  if (keys.filter((k) => k.retiredAt === null).length !== 1) throw corrupt('exactly one key must be current');
  return keys;
}

function storedKey(entry: unknown): StoredKey {
  const k = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const { kid, createdAt, retiredAt, privateJwk } = k;
  if (
    typeof kid !== 'string' ||
    typeof createdAt !== 'number' ||
    (retiredAt !== null && typeof retiredAt !== 'number') ||
    typeof privateJwk !== 'object' ||
    privateJwk === null
  ) {
    throw new Error('expected {"kid", "createdAt", "retiredAt", "privateJwk"}');
  }
  return { kid, createdAt, retiredAt, privateJwk };
}
