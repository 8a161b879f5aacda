import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { WardstreamError } from '@wardstream/domain';
import {
  checkClientFields,
  checkUserFields,
  type ClientRole,
  type IdentityStore,
  type NewClient,
  type NewUser,
  type ServiceClient,
  type User,
  type UserPatch,
  type UserRole,
} from './identity-store.js';
import {
  hashClientSecret,
  hashPassword,
  newClientSecret,
  verifyClientSecret,
  verifyPassword,
} from './password-hash.js';

/** The identity database in a data directory. */
export const IDENTITY_DB_FILE = 'identity.db';

export interface SqliteIdentityStoreOptions {
  /** Database file (`<data-dir>/identity.db`); ':memory:' for tests. */
  readonly path: string;
  /** Now, epoch ms (tests). */
  readonly now?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY, role TEXT NOT NULL, wards TEXT NOT NULL, display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
  client_id TEXT PRIMARY KEY, role TEXT NOT NULL, wards TEXT NOT NULL, secret_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
`;

interface UserRow {
  username: string;
  role: string;
  wards: string;
  display_name: string;
  password_hash: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

interface ClientRow {
  client_id: string;
  role: string;
  wards: string;
  secret_hash: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

const toUser = (r: UserRow): User => ({
  username: r.username,
  role: r.role as UserRole,
  wards: JSON.parse(r.wards) as string[],
  displayName: r.display_name,
  disabled: r.disabled !== 0,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toClient = (r: ClientRow): ServiceClient => ({
  clientId: r.client_id,
  role: r.role as ClientRole,
  wards: JSON.parse(r.wards) as string[],
  disabled: r.disabled !== 0,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const isUniqueViolation = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';

/**
 * Users and clients in an SQLite file. WAL and a busy timeout let `wardstream users …` write while
 * the platform runs; synchronous=FULL because an account change must survive a crash.
 */
export class SqliteIdentityStore implements IdentityStore {
  /** Checked against when the username is unknown, so the answer's timing does not reveal it. */
  private decoy: Promise<string> | undefined;

  private constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  /** Opens (creating it, mode 0600: it holds password hashes) the database at `options.path`. */
  static open(options: SqliteIdentityStoreOptions): SqliteIdentityStore {
    // SQLite gives its -wal and -shm files the mode of the database file, so they are private too
    if (options.path !== ':memory:') closeSync(openSync(options.path, 'a', 0o600));
    const db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return new SqliteIdentityStore(db, options.now ?? Date.now);
  }

  close(): void {
    this.db.close();
  }

  listUsers(): Promise<readonly User[]> {
    return run(() => this.db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username').all().map(toUser));
  }

  getUser(username: string): Promise<User | undefined> {
    return run(() => {
      const row = this.userRow(username);
      return row === undefined ? undefined : toUser(row);
    });
  }

  async createUser(input: NewUser): Promise<User> {
    checkUserFields(input);
    if (this.userRow(input.username) !== undefined) throw taken('user', input.username);
    const hash = await hashPassword(input.password);
    const at = this.now();
    try {
      this.db
        .prepare(
          'INSERT INTO users (username, role, wards, display_name, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)',
        )
        .run(
          input.username,
          input.role,
          JSON.stringify(input.wards ?? []),
          input.displayName ?? input.username,
          hash,
          at,
          at,
        );
    } catch (error) {
      // another process took the name while the hash was being computed
      if (isUniqueViolation(error)) throw taken('user', input.username);
      throw error;
    }
    return toUser(this.userRow(input.username) ?? missing('user', input.username));
  }

  async updateUser(username: string, patch: UserPatch): Promise<User> {
    checkUserFields(patch);
    if (this.userRow(username) === undefined) throw unknown('user', username);
    const hash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    const row = this.userRow(username) ?? missing('user', username);
    const staysAdmin = (patch.role ?? row.role) === 'admin' && !(patch.disabled ?? row.disabled !== 0);
    if (row.role === 'admin' && row.disabled === 0 && !staysAdmin && this.enabledAdmins() <= 1) {
      // nobody could then manage users through the API; `wardstream users create-admin` would be the way back
      throw new WardstreamError('CONFLICT', `"${username}" is the last enabled admin: create another admin first`);
    }
    this.db
      .prepare(
        'UPDATE users SET role = ?, wards = ?, display_name = ?, disabled = ?, password_hash = ?, updated_at = ? WHERE username = ?',
      )
      .run(
        patch.role ?? row.role,
        patch.wards === undefined ? row.wards : JSON.stringify(patch.wards),
        patch.displayName ?? row.display_name,
        patch.disabled === undefined ? row.disabled : Number(patch.disabled),
        hash ?? row.password_hash,
        this.now(),
        username,
      );
    return toUser(this.userRow(username) ?? missing('user', username));
  }

  async authenticateUser(username: string, password: string): Promise<User | undefined> {
    const row = this.userRow(username);
    if (row === undefined) {
      this.decoy ??= hashPassword(newClientSecret());
      await verifyPassword(password, await this.decoy);
      return undefined;
    }
    return (await verifyPassword(password, row.password_hash)) ? toUser(row) : undefined;
  }

  listClients(): Promise<readonly ServiceClient[]> {
    return run(() => this.db.prepare<[], ClientRow>('SELECT * FROM clients ORDER BY client_id').all().map(toClient));
  }

  getClient(clientId: string): Promise<ServiceClient | undefined> {
    return run(() => {
      const row = this.clientRow(clientId);
      return row === undefined ? undefined : toClient(row);
    });
  }

  createClient(input: NewClient): Promise<{ readonly client: ServiceClient; readonly secret: string }> {
    return run(() => {
      checkClientFields(input);
      const secret = newClientSecret();
      const at = this.now();
      try {
        this.db
          .prepare(
            'INSERT INTO clients (client_id, role, wards, secret_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)',
          )
          .run(input.clientId, input.role, JSON.stringify(input.wards ?? []), hashClientSecret(secret), at, at);
      } catch (error) {
        if (isUniqueViolation(error)) throw taken('client', input.clientId);
        throw error;
      }
      return { client: toClient(this.clientRow(input.clientId) ?? missing('client', input.clientId)), secret };
    });
  }

  setClientDisabled(clientId: string, disabled: boolean): Promise<ServiceClient> {
    return run(() => {
      const changed = this.db
        .prepare('UPDATE clients SET disabled = ?, updated_at = ? WHERE client_id = ?')
        .run(Number(disabled), this.now(), clientId).changes;
      if (changed === 0) throw unknown('client', clientId);
      return toClient(this.clientRow(clientId) ?? missing('client', clientId));
    });
  }

  authenticateClient(clientId: string, secret: string): Promise<ServiceClient | undefined> {
    return run(() => {
      const row = this.clientRow(clientId);
      return row !== undefined && verifyClientSecret(secret, row.secret_hash) ? toClient(row) : undefined;
    });
  }

  private enabledAdmins(): number {
    return (
      this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0").get()
        ?.n ?? 0
    );
  }

  private userRow(username: string): UserRow | undefined {
    return this.db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?').get(username);
  }

  private clientRow(clientId: string): ClientRow | undefined {
    return this.db.prepare<[string], ClientRow>('SELECT * FROM clients WHERE client_id = ?').get(clientId);
  }
}

/** Runs a synchronous database step; a throw becomes a rejected promise, as callers of a port expect. */
function run<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

const taken = (kind: string, name: string): WardstreamError =>
  new WardstreamError('CONFLICT', `a ${kind} named "${name}" exists already`);
const unknown = (kind: string, name: string): WardstreamError =>
  new WardstreamError('NOT_FOUND', `no ${kind} named "${name}"`);
/** A row just written and gone: another process deleted it in between. */
function missing(kind: string, name: string): never {
  throw new WardstreamError('CONFLICT', `the ${kind} "${name}" changed while being written; try again`);
}
