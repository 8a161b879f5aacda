import type { IdentityStore, User } from './identity-store.js';
import { LoginThrottle, type AttemptRefusal, type LoginThrottleOptions } from './login-throttle.js';
import type { TokenOutcomes } from './token-outcomes.js';
import type { OAuthError } from './token-results.js';

/** What a `locked-out` refusal tells the caller. */
function refusalDescription(refusal: AttemptRefusal): string {
  switch (refusal.kind) {
    case 'locked':
      return `too many failed sign-ins for this username; try again after ${new Date(refusal.until).toISOString()}`;
    case 'busy':
      return 'too many sign-ins for this username at once; try again shortly';
    case 'full':
      return 'too many failed sign-ins at present; try again later';
  }
}

/**
 * A user's password, checked behind the lockout. Shared by the password grant and the browser
 * sign-in, so one quota covers both.
 */
export class PasswordCheck {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly identity: IdentityStore,
    private readonly outcomes: TokenOutcomes,
    private readonly now: () => number,
    throttle?: LoginThrottleOptions,
  ) {
    this.throttle = new LoginThrottle(throttle);
  }

  /** The user, or the refusal (already counted and reported). */
  async check(
    username: string | undefined,
    password: string | undefined,
    grant: string,
    client: string | null,
  ): Promise<User | OAuthError> {
    if (username === undefined || username === '' || password === undefined) {
      return this.outcomes.refuse(
        'invalid-request',
        'invalid_request',
        'username and password are required',
        grant,
        username ?? null,
        client,
      );
    }
    // The attempt takes its place in the lockout quota before the (slow, asynchronous) password check.
    const refusal = this.throttle.begin(username, this.now());
    if (refusal !== undefined) {
      return this.outcomes.refuse('locked-out', 'invalid_grant', refusalDescription(refusal), grant, username, client);
    }
    let user: User | undefined;
    try {
      user = await this.identity.authenticateUser(username, password);
    } catch (error) {
      this.throttle.abandon(username);
      throw error;
    }
    if (user === undefined) {
      const lockedNow = this.throttle.fail(username, this.now());
      // the same answer for an unknown user and a wrong password: no user enumeration
      const refusal = this.outcomes.refuse(
        'bad-credentials',
        'invalid_grant',
        'wrong username or password',
        grant,
        username,
        client,
      );
      if (lockedNow)
        this.outcomes.emit({
          kind: 'locked',
          subject: username,
          client,
          grant,
          reason: 'too many failures: locked for 15 min',
        });
      return refusal;
    }
    if (user.disabled) {
      this.throttle.abandon(username);
      return this.outcomes.refuse('disabled', 'invalid_grant', 'this account is disabled', grant, username, client);
    }
    this.throttle.succeed(username);
    return user;
  }
}
