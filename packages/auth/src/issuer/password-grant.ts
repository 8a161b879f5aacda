import type { IdentityStore } from './identity-store.js';
import type { PasswordCheck } from './password-check.js';
import type { TokenOutcomes } from './token-outcomes.js';
import type { BasicCredentials, OAuthError, TokenForm, TokenResponse } from './token-results.js';

export interface PasswordGrantDeps {
  readonly identity: IdentityStore;
  readonly outcomes: TokenOutcomes;
  readonly passwords: PasswordCheck;
  /** Lifetime of a user's token, seconds. */
  readonly userTtlSec: number;
}

/**
 * [RFC 6749 §4.3] The password grant, for first use and scripts, behind the shared lockout. A
 * confidential client may authenticate along with the user; a public one (the dashboard) just names itself.
 */
export async function passwordGrant(
  deps: PasswordGrantDeps,
  form: TokenForm,
  basic?: BasicCredentials,
): Promise<TokenResponse | OAuthError> {
  const { username, password } = form;
  const client: string | null = basic?.id ?? form['client_id'] ?? null;
  // only a client that proved itself is named in the token; a public one is only reported to onEvent
  let authenticatedClient: string | null = null;
  if (username === undefined || username === '' || password === undefined) {
    return deps.outcomes.refuse(
      'invalid-request',
      'invalid_request',
      'username and password are required',
      'password',
      username ?? null,
      client,
    );
  }
  const secret = basic?.secret ?? form['client_secret'];
  if (secret !== undefined) {
    const known = client === null ? undefined : await deps.identity.authenticateClient(client, secret);
    if (known === undefined || known.disabled) {
      return deps.outcomes.refuse(
        'invalid-client',
        'invalid_client',
        'client authentication failed',
        'password',
        username,
        client,
      );
    }
    authenticatedClient = known.clientId;
  }
  const user = await deps.passwords.check(username, password, 'password', client);
  if ('error' in user) return user;
  return deps.outcomes.issue(
    {
      sub: user.username,
      roles: [user.role],
      wards: user.wards,
      name: user.displayName,
      ...(authenticatedClient === null ? {} : { clientId: authenticatedClient }),
    },
    deps.userTtlSec,
    'password',
    client,
  );
}
