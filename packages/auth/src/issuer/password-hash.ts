import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** The shortest password accepted (NIST SP 800-63B §5.1.1.2 asks for at least 8; we ask for 12). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longer inputs are refused rather than hashed: a megabyte "password" is a denial of service. */
export const MAX_PASSWORD_LENGTH = 1024;

/** [RFC 7914] scrypt cost: N = 2^15, r = 8, p = 1 (OWASP's password-storage minimum), 32-byte key. */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
/** 128·N·r bytes are needed (32 MiB at this cost): node's default ceiling is exactly that, so leave room. */
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // async on purpose: a hash takes tens of milliseconds of CPU, off the event loop
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...cost, maxmem: MAX_MEMORY }, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/** Why a password is refused by the policy, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password has at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

/**
 * A password's scrypt hash with a fresh 16-byte salt, as a PHC string:
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64url), so the cost can be raised later per hash.
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return `$scrypt$ln=${Math.log2(COST.N)},r=${COST.r},p=${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches a hash from `hashPassword`, compared in constant time; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([\w-]+)\$([\w-]+)$/.exec(hash);
  if (match === null || password.length > MAX_PASSWORD_LENGTH) return false;
  const [, ln, r, p, salt, expected] = match;
  const want = Buffer.from(expected ?? '', 'base64url');
  if (want.length !== KEY_LENGTH) return false;
  const key = await derive(password, Buffer.from(salt ?? '', 'base64url'), {
    N: 2 ** Number(ln),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(key, want);
}

/**
 * A client secret's hash. Secrets are 256 random bits, not chosen by people, so a plain SHA-256 is
 * as strong as scrypt against guessing and keeps `client_credentials` cheap.
 */
export function hashClientSecret(secret: string): string {
  return `$sha256$${createHash('sha256').update(secret).digest('base64url')}`;
}

export function verifyClientSecret(secret: string, hash: string): boolean {
  const given = Buffer.from(hashClientSecret(secret));
  const want = Buffer.from(hash);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** A new client secret: 32 random bytes, base64url (43 characters). */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}
