import type { IdentityStore } from './identity-store.js';
import type { TokenOutcomes } from './token-outcomes.js';
import type { BasicCredentials, OAuthError, TokenForm, TokenResponse } from './token-results.js';

export interface ClientCredentialsGrantDeps {
  readonly identity: IdentityStore;
  readonly outcomes: TokenOutcomes;
  /** Lifetime of a client's token, seconds. */
  readonly clientTtlSec: number;
}

/** [RFC 6749 §4.4] The client_credentials grant, for services (client_secret_basic or client_secret_post). */
export async function clientCredentialsGrant(
  deps: ClientCredentialsGrantDeps,
  form: TokenForm,
  basic?: BasicCredentials,
): Promise<TokenResponse | OAuthError> {
  const id = basic?.id ?? form['client_id'];
  const secret = basic?.secret ?? form['client_secret'];
  if (id === undefined || secret === undefined) {
    return deps.outcomes.refuse(
      'invalid-client',
      'invalid_client',
      'client authentication is required (client_secret_basic or client_secret_post)',
      'client_credentials',
      id ?? null,
      id ?? null,
    );
  }
  const client = await deps.identity.authenticateClient(id, secret);
  if (client === undefined)
    return deps.outcomes.refuse(
      'invalid-client',
      'invalid_client',
      'client authentication failed',
      'client_credentials',
      id,
      id,
    );
  if (client.disabled)
    return deps.outcomes.refuse('disabled', 'invalid_client', 'this client is disabled', 'client_credentials', id, id);
  return deps.outcomes.issue(
    { sub: client.clientId, roles: [client.role], wards: client.wards, clientId: client.clientId },
    deps.clientTtlSec,
    'client_credentials',
    client.clientId,
  );
}
