import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { PkiError } from './errors.js';

export type CertificateKind = 'device' | 'server';

/** A certificate the CA signed, as `list()` and `revoke()` report it. Times are epoch ms. */
export interface IssuedCertificate {
  /** Normalized serial (see normalizeSerial). */
  readonly serial: string;
  readonly kind: CertificateKind;
  /** The subject's CN: the device id, or a server's first hostname. */
  readonly subject: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly revokedAt: number | null;
  readonly revocationReason: string | null;
}

/** One line of issued.json: what was signed, never a private key. */
export interface IssuedRecord {
  readonly serial: string;
  readonly kind: CertificateKind;
  readonly subject: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly issuedAt: number;
  /** SHA-256 of the certificate's DER, colon-separated hex (as Node's `fingerprint256`). */
  readonly fingerprint256: string;
}

export interface Revocation {
  readonly revokedAt: number;
  readonly reason: string;
}

export const ISSUED_FILE = 'issued.json';
export const REVOKED_FILE = 'revoked.json';

/** The certificates issued so far (none when issued.json does not exist yet). */
export function readIssued(dir: string): IssuedRecord[] {
  const path = join(dir, ISSUED_FILE);
  const text = readOptional(path);
  if (text === null) return [];
  const parsed = parseJson(path, text) as { version?: unknown; certificates?: unknown };
  if (parsed.version !== 1 || !Array.isArray(parsed.certificates))
    corrupt(path, 'expected {version: 1, certificates: [...]}');
  return (parsed.certificates as unknown[]).map((entry, index) => {
    const r = entry as Partial<Record<keyof IssuedRecord, unknown>>;
    const ok =
      typeof r.serial === 'string' &&
      (r.kind === 'device' || r.kind === 'server') &&
      typeof r.subject === 'string' &&
      typeof r.notBefore === 'number' &&
      typeof r.notAfter === 'number' &&
      typeof r.issuedAt === 'number' &&
      typeof r.fingerprint256 === 'string';
    if (!ok) corrupt(path, `certificate ${index} lacks a field`);
    return r as IssuedRecord;
  });
}

export async function writeIssued(dir: string, records: readonly IssuedRecord[]): Promise<void> {
  await writeFileAtomic(join(dir, ISSUED_FILE), `${JSON.stringify({ version: 1, certificates: records }, null, 1)}\n`);
}

/** The revocation list (empty when revoked.json does not exist). */
export function readRevoked(dir: string): Map<string, Revocation> {
  const path = join(dir, REVOKED_FILE);
  const text = readOptional(path);
  return text === null ? new Map<string, Revocation>() : parseRevocationList(path, text);
}

/**
 * Parses revoked.json: `{ version: 1, updatedAt, serials: { [serial]: { revokedAt, reason } } }`.
 * Throws a PkiError `inventory-corrupt` naming the file for anything else, so that a reader keeps
 * its last good list instead of taking a damaged file for "nothing revoked".
 */
export function parseRevocationList(path: string, text: string): Map<string, Revocation> {
  const parsed = parseJson(path, text) as { version?: unknown; serials?: unknown };
  if (parsed.version !== 1 || typeof parsed.serials !== 'object' || parsed.serials === null) {
    corrupt(path, 'expected {version: 1, updatedAt, serials: {...}}');
  }
  const list = new Map<string, Revocation>();
  for (const [serial, value] of Object.entries(parsed.serials as Record<string, unknown>)) {
    const entry = value as { revokedAt?: unknown; reason?: unknown } | null;
    if (!/^[0-9A-F]+$/.test(serial) || typeof entry?.revokedAt !== 'number' || typeof entry.reason !== 'string') {
      corrupt(
        path,
        `entry "${serial.slice(0, 40)}" is not {revokedAt: number, reason: string} under a normalized serial`,
      );
    }
    list.set(serial, { revokedAt: entry.revokedAt, reason: entry.reason });
  }
  return list;
}

export async function writeRevoked(
  dir: string,
  list: ReadonlyMap<string, Revocation>,
  updatedAt: number,
): Promise<void> {
  const serials = Object.fromEntries([...list].sort(([a], [b]) => a.localeCompare(b)));
  await writeFileAtomic(join(dir, REVOKED_FILE), `${JSON.stringify({ version: 1, updatedAt, serials }, null, 1)}\n`);
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PkiError('inventory-corrupt', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function parseJson(path: string, text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) corrupt(path, 'not a JSON object');
    return value;
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError('inventory-corrupt', `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function corrupt(path: string, detail: string): never {
  throw new PkiError('inventory-corrupt', `${path} is damaged: ${detail}`);
}
