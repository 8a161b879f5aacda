import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { WardstreamError } from '@wardstream/domain';

export interface SqliteClinicalStoreOptions {
  /** The database file (created if missing, its directory must exist); `:memory:` for tests. */
  readonly path: string;
}

/** Checks the options, listing every problem at once; throws `INVALID_INPUT`. */
export function checkOptions(options: SqliteClinicalStoreOptions): void {
  const problems: string[] = [];
  if (typeof options.path !== 'string' || options.path.trim() === '') {
    problems.push('path must be a database file path or ":memory:"');
  } else if (options.path !== ':memory:' && isDirectory(options.path)) {
    problems.push(
      `path ${options.path} is a directory; give the database file inside it, e.g. ${options.path}/clinical.db`,
    );
  }
  if (problems.length > 0) {
    throw new WardstreamError('INVALID_INPUT', `SqliteClinicalStore options: ${problems.join('; ')}`);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Opens the file with WAL and `synchronous = FULL`. Alarm events are what a hospital audits: with
 * FULL, SQLite syncs the WAL at every commit, so an alarm event that `recordAlarmEvent` reported
 * stored survives a power loss (with NORMAL, the last commits before a power loss can be lost). The
 * store commits once per alarm change or score, a rate at which a sync per commit costs little.
 * Throws `UNAVAILABLE` (with the cause) when SQLite cannot open the file, `CORRUPT` when it is not a
 * database.
 */
export function openDatabase(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new WardstreamError('UNAVAILABLE', `clinical store ${path} cannot be opened: ${reason}`, { cause });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return db;
  } catch (cause) {
    db.close();
    const reason = cause instanceof Error ? cause.message : String(cause);
    const damaged = cause instanceof Database.SqliteError && DAMAGED.has(cause.code);
    throw new WardstreamError(damaged ? 'CORRUPT' : 'UNAVAILABLE', `clinical store ${path}: ${reason}`, { cause });
  }
}

/** SQLite result codes saying the file is not a (sound) database. */
const DAMAGED: ReadonlySet<string> = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);
