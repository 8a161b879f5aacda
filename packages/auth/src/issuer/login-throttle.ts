export interface LoginThrottleOptions {
  /** Failures within the window that lock a username (default 5). */
  readonly maxFailures?: number;
  /** The window failures are counted in, ms (default 15 min). */
  readonly windowMs?: number;
  /** How long a username stays locked, ms (default 15 min). */
  readonly lockMs?: number;
  /** Usernames tracked at most; the oldest entries go first (default 10 000), so guessing names cannot fill memory. */
  readonly maxTracked?: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/**
 * Refuses password logins for a username after repeated failures: 5 within 15 minutes lock it for
 * 15 minutes (OWASP Authentication Cheat Sheet, account lockout). Unknown usernames are counted the
 * same as known ones, so a lockout says nothing about which exist. State is in memory: a restart
 * forgets it, which costs an attacker a restart they cannot cause.
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

  /** Records a failure; true when this failure locks the username. */
  fail(username: string, now: number): boolean {
    const entry = this.entries.get(username) ?? { failures: [], lockedUntil: 0 };
    this.entries.delete(username);
    entry.failures = entry.failures.filter((at) => at > now - this.windowMs);
    entry.failures.push(now);
    let locked = false;
    if (entry.failures.length >= this.maxFailures) {
      entry.lockedUntil = now + this.lockMs;
      entry.failures = [];
      locked = true;
    }
    this.entries.set(username, entry);
    if (this.entries.size > this.maxTracked) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    return locked;
  }

  /** A successful login clears the username's failures. */
  succeed(username: string): void {
    this.entries.delete(username);
  }
}
