import { WardstreamError } from './errors.js';

/** What a schema migration needs of an SQLite connection (better-sqlite3's `Database` has it). */
export interface MigratableDatabase {
  pragma(source: string, options?: { simple: boolean }): unknown;
  transaction(fn: () => void): () => void;
}

/**
 * Brings an SQLite file to version `migrations.length` (its `user_version`), each step in its own
 * transaction together with the new `user_version`, so a crash mid-upgrade leaves the file at the
 * last complete version. Throws `WardstreamError('CORRUPT')` for a file written by a newer build;
 * `what` names the file in that message (e.g. `registry /data/registry.db`).
 */
export function migrateUserVersion<Db extends MigratableDatabase>(
  db: Db,
  what: string,
  migrations: readonly ((db: Db) => void)[],
): void {
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > migrations.length) {
    throw new WardstreamError(
      'CORRUPT',
      `${what}: schema version ${found}, this build reads up to ${migrations.length}`,
    );
  }
  for (let version = found; version < migrations.length; version++) {
    const step = migrations[version];
    if (step === undefined) continue;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
