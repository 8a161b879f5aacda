import { readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { PkiError } from './errors.js';
import { parseRevocationList, REVOKED_FILE, type Revocation } from './inventory.js';
import { tryNormalizeSerial } from './serial.js';

export interface RevocationWatcherOptions {
  /**
   * How often revoked.json is checked, ms (default 5000). A revocation reaches the platform within
   * this interval, well inside the 60 s the platform promises; a check is one stat() unless the
   * file changed.
   */
  readonly intervalMs?: number;
  /**
   * A revocation list that cannot be used (unreadable, damaged, deleted after it existed). The last
   * good list stays in force. Default: a process warning, so it is never silent.
   */
  readonly onError?: (error: PkiError) => void;
  /** The list changed (after a successful read): the platform disconnects live sessions now revoked. */
  readonly onChange?: (serials: ReadonlySet<string>) => void;
}

export const DEFAULT_REVOCATION_INTERVAL_MS = 5000;

/**
 * Follows `<caDir>/revoked.json`, written by CertificateAuthority.revoke in this or another process
 * (`wardstream certs revoke`). It re-reads the file when its inode, size or mtime change: the CA
 * replaces it by rename, so every write is seen whole. It never un-revokes by accident: a damaged,
 * unreadable or vanished file keeps the last good list and is reported through onError.
 */
export class RevocationWatcher {
  private revoked: ReadonlyMap<string, Revocation> = new Map();
  private serials: ReadonlySet<string> = new Set();
  /** What the last check saw: a file version, 'missing', or nothing yet. */
  private seen: string | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly path: string;
  private readonly onError: (error: PkiError) => void;
  private readonly onChange: ((serials: ReadonlySet<string>) => void) | undefined;

  private constructor(caDir: string, options: RevocationWatcherOptions) {
    this.path = join(caDir, REVOKED_FILE);
    this.onError = options.onError ?? ((error) => process.emitWarning(error.message, 'RevocationWarning'));
    this.onChange = options.onChange;
    const intervalMs = options.intervalMs ?? DEFAULT_REVOCATION_INTERVAL_MS;
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError(`intervalMs must be a positive number, not ${intervalMs}`);
    }
    const first = this.read();
    if (first instanceof PkiError) throw first;
    this.timer = setInterval(() => {
      this.check();
    }, intervalMs);
    this.timer.unref();
  }

  /**
   * Starts watching. Reads the list now, so isRevoked is right from the first connection; a missing
   * file means nothing is revoked yet, a damaged one throws (PkiError `inventory-corrupt`): there is
   * no earlier list to keep, and starting with none would let revoked devices in.
   */
  static start(caDir: string, options: RevocationWatcherOptions = {}): RevocationWatcher {
    return new RevocationWatcher(caDir, options);
  }

  /** Whether the serial (any form normalizeSerial accepts, e.g. Node's serialNumber) is revoked. */
  isRevoked(serial: string): boolean {
    const normalized = tryNormalizeSerial(serial);
    return normalized !== null && this.serials.has(normalized);
  }

  /** The revocation of a serial, or null. */
  revocation(serial: string): Revocation | null {
    const normalized = tryNormalizeSerial(serial);
    return normalized === null ? null : (this.revoked.get(normalized) ?? null);
  }

  /** How many serials are revoked (for a gauge). */
  get size(): number {
    return this.serials.size;
  }

  /** Checks the file now instead of at the next interval; reports a problem through onError. */
  check(): void {
    const result = this.read();
    if (result instanceof PkiError) this.onError(result);
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Reads the file if it changed; returns the problem instead of throwing. */
  private read(): PkiError | undefined {
    let stats: Stats;
    try {
      stats = statSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return problem(`cannot stat ${this.path}`, error);
      const before = this.seen;
      this.seen = 'missing';
      if (before === null || before === 'missing' || this.serials.size === 0) return undefined;
      return new PkiError(
        'inventory-corrupt',
        `${this.path} has disappeared; the ${this.serials.size} revocations read before stay in force`,
      );
    }
    const version = `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    if (version === this.seen) return undefined;
    this.seen = version;
    let list: Map<string, Revocation>;
    try {
      list = parseRevocationList(this.path, readFileSync(this.path, 'utf8'));
    } catch (error) {
      const kept = `; the ${this.serials.size} revocations read before stay in force`;
      return error instanceof PkiError
        ? new PkiError(error.code, `${error.message}${kept}`, { cause: error })
        : problem(`cannot read ${this.path}${kept}`, error);
    }
    const changed = list.size !== this.serials.size || [...list.keys()].some((s) => !this.serials.has(s));
    this.revoked = list;
    this.serials = new Set(list.keys());
    if (changed) this.onChange?.(this.serials);
    return undefined;
  }
}

function problem(message: string, cause: unknown): PkiError {
  return new PkiError('inventory-corrupt', `${message}: ${(cause as Error).message}`, { cause });
}
