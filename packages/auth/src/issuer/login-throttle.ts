export interface LoginThrottleOptions {
  /** Failures within the window that lock a username (default 5). */
  readonly maxFailures?: number;
  /** The window failures are counted in, ms (default 15 min). */
  readonly windowMs?: number;
  /** How long a username stays locked, ms (default 15 min). */
  readonly lockMs?: number;
  /**
   * Usernames tracked at most (default 10 000), so guessing names cannot fill memory. To make room the
   * oldest idle entry goes first; a locked username or one with an attempt under way never goes.
   */
  readonly maxTracked?: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
  /** Attempts begun and not yet ended: each may still be a failure, so each takes a place in the quota. */
  pending: number;
}

/**
 * Why an attempt may not go ahead: `locked` until an instant; `busy` (the quota is taken by attempts
 * under way); `full`: the username is not tracked and every place is held by a locked username or
 * an attempt under way, so it is refused (fail closed) rather than evicting a lock.
 */
export type AttemptRefusal =
  { readonly kind: 'locked'; readonly until: number } | { readonly kind: 'busy' } | { readonly kind: 'full' };

/**
 * Refuses password logins for a username after repeated failures: 5 within 15 minutes lock it for
 * 15 minutes (OWASP Authentication Cheat Sheet, account lockout). Unknown usernames are counted the
 * same as known ones, so a lockout says nothing about which exist. State is in memory: a restart
 * forgets it, which costs an attacker a restart they cannot cause. A password check is slow and
 * asynchronous, so an attempt takes its place in the quota when it begins (`begin`), not when it
 * fails: guesses sent all at once cannot all pass the check before the first failure is counted.
 * Failing with many other usernames cannot push a lock out of the table: locked entries and those
 * with attempts under way are never evicted, and when only such entries remain, untracked usernames
 * are refused until a place frees.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockMs: number;
  private readonly maxTracked: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.lockMs = options.lockMs ?? 15 * 60_000;
    this.maxTracked = options.maxTracked ?? 10_000;
  }

  /** Until when (epoch ms) the username is locked, or undefined when it may try. */
  lockedUntil(username: string, now: number): number | undefined {
    const entry = this.entries.get(username);
    return entry !== undefined && entry.lockedUntil > now ? entry.lockedUntil : undefined;
  }

  /**
   * Begins an attempt: undefined when it may go ahead (end it with `fail`, `succeed` or `abandon`),
   * else why not. Failures in the window plus attempts under way never exceed the quota.
   */
  begin(username: string, now: number): AttemptRefusal | undefined {
    const until = this.lockedUntil(username, now);
    if (until !== undefined) return { kind: 'locked', until };
    if (!this.entries.has(username) && !this.makeRoom(now)) return { kind: 'full' };
    const entry = this.entries.get(username) ?? { failures: [], lockedUntil: 0, pending: 0 };
    entry.failures = entry.failures.filter((at) => at > now - this.windowMs);
    if (entry.failures.length + entry.pending >= this.maxFailures) return { kind: 'busy' };
    entry.pending++;
    this.track(username, entry);
    return undefined;
  }

  /**
   * Records a failure (ending an attempt begun, if any); true when this failure locks the username.
   * An attempt begun holds its place, so its failure is always recorded.
   */
  fail(username: string, now: number): boolean {
    if (!this.entries.has(username)) this.makeRoom(now);
    const entry = this.entries.get(username) ?? { failures: [], lockedUntil: 0, pending: 0 };
    entry.pending = Math.max(0, entry.pending - 1);
    entry.failures = entry.failures.filter((at) => at > now - this.windowMs);
    entry.failures.push(now);
    let locked = false;
    if (entry.failures.length >= this.maxFailures) {
      entry.lockedUntil = now + this.lockMs;
      entry.failures = [];
      locked = true;
    }
    this.track(username, entry);
    return locked;
  }

  /** A successful login clears the username's failures (and ends its attempt). */
  succeed(username: string): void {
    const entry = this.entries.get(username);
    if (entry === undefined) return;
    entry.pending = Math.max(0, entry.pending - 1);
    entry.failures = [];
    if (entry.pending === 0 && entry.lockedUntil === 0) this.entries.delete(username);
  }

  /** Ends an attempt that was neither a failure nor a success (a disabled account, an error). */
  abandon(username: string): void {
    const entry = this.entries.get(username);
    if (entry !== undefined) entry.pending = Math.max(0, entry.pending - 1);
  }

  /** How many usernames are tracked now. */
  get tracked(): number {
    return this.entries.size;
  }

  /** Stores the entry as the newest. */
  private track(username: string, entry: Entry): void {
    this.entries.delete(username);
    this.entries.set(username, entry);
  }

  /**
   * Frees a place for a new username when all `maxTracked` are taken: evicts the oldest entry with
   * nothing under way and no failure in the window, else the oldest with failures only. Never a
   * locked username, nor one with an attempt under way. False when every entry is such.
   */
  private makeRoom(now: number): boolean {
    if (this.entries.size < this.maxTracked) return true;
    let fallback: string | undefined;
    for (const [username, entry] of this.entries) {
      if (entry.pending > 0 || entry.lockedUntil > now) continue;
      if (!entry.failures.some((at) => at > now - this.windowMs)) {
        this.entries.delete(username);
        return true;
      }
      fallback ??= username;
    }
    if (fallback === undefined) return false;
    this.entries.delete(fallback);
    return true;
  }
}
