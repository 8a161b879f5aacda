/**
 * A public OAuth client [RFC 6749 §2.1]: it cannot keep a secret (a browser application), so it is
 * registered in configuration, never created by users, and proves itself only by PKCE and by being
 * sent back to one of its registered redirect URIs.
 */
export interface PublicClient {
  readonly clientId: string;
  /** Absolute URIs on the issuer's origin, compared exactly [RFC 6749 §3.1.2.2, OAuth 2.1 §2.3.1]. */
  readonly redirectUris: readonly string[];
}

/** The built-in client of the web dashboard. */
export const DASHBOARD_CLIENT_ID = 'wardstream-dashboard';
/** Where the dashboard's sign-in returns, under the issuer URL, unless configured otherwise. */
export const DASHBOARD_CALLBACK_PATH = '/app/callback';

/** The built-in dashboard client; its redirect URIs default to `<issuer>/app/callback`. */
export function dashboardClient(issuer: string, redirectUris?: readonly string[]): PublicClient {
  return {
    clientId: DASHBOARD_CLIENT_ID,
    redirectUris: redirectUris ?? [`${issuer.replace(/\/+$/, '')}${DASHBOARD_CALLBACK_PATH}`],
  };
}

/**
 * Every problem of a public client registration, at once (empty: it is sound). A redirect URI must
 * be an absolute http(s) URI on the issuer's origin without a fragment [RFC 6749 §3.1.2]: the sign-in
 * form's CSP allows form posts (and so the redirect after one) only to its own origin, and a
 * same-origin callback cannot hand a code to anyone else.
 */
export function publicClientProblems(issuer: string, clients: readonly PublicClient[]): string[] {
  const origin = new URL(issuer).origin;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const client of clients) {
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(client.clientId)) {
      problems.push(`public client id ${JSON.stringify(client.clientId.slice(0, 70))}: 1-64 of A-Z a-z 0-9 . _ - @`);
    }
    if (seen.has(client.clientId)) problems.push(`public client ${client.clientId} is registered twice`);
    seen.add(client.clientId);
    if (client.redirectUris.length === 0) problems.push(`public client ${client.clientId}: no redirect URI`);
    for (const uri of client.redirectUris) {
      const problem = redirectUriProblem(uri, origin);
      if (problem !== undefined) problems.push(`public client ${client.clientId}: redirect URI ${uri}: ${problem}`);
    }
  }
  return problems;
}

function redirectUriProblem(uri: string, origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not an absolute URI';
  }
  if (url.origin !== origin) return `not on the issuer's origin ${origin}`;
  if (uri.includes('#')) return 'has a fragment';
  if (url.href !== uri) return `not in normal form (${url.href})`;
  return undefined;
}
