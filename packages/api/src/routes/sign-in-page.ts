import type { AuthorizationRequest } from '@wardstream/auth';

/**
 * The headers of every page the authorization endpoint serves: nothing loads but the page and its
 * inline style, the form posts only to this origin, no other site may frame it (clickjacking), and
 * nothing is cached or sent on as a referrer.
 */
export const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  pragma: 'no-cache',
} as const;

/** Where the form posts: the route as mounted, relative, so it stays on the origin the page came from. */
const ACTION = '/oauth/authorize';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1d21}
main{max-width:22rem;margin:10vh auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0003}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin-top:1rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.5rem;margin-top:.25rem;font:inherit;border:1px solid #6b7280;border-radius:4px}
input:focus,button:focus{outline:3px solid #2563eb;outline-offset:1px}
button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;background:#1d4ed8;border:0;border-radius:4px}
.error{padding:.75rem;background:#fef2f2;border:1px solid #b91c1c;color:#7f1d1d;border-radius:4px}`;

/** Text for HTML content and quoted attribute values: the five characters that could end either. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The sign-in form for a checked authorization request; `error` and `username` after a failed try. */
export function signInPage(request: AuthorizationRequest, error?: string, username?: string): string {
  const hidden: [string, string | undefined][] = [
    ['response_type', 'code'],
    ['client_id', request.clientId],
    ['redirect_uri', request.redirectUri],
    ['code_challenge', request.codeChallenge],
    ['code_challenge_method', 'S256'],
    ['state', request.state],
    ['scope', request.scope],
  ];
  const fields = hidden
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n');
  const alert =
    error === undefined ? '' : `<p class="error" id="sign-in-error" role="alert">${escapeHtml(error)}</p>\n`;
  const describedBy = error === undefined ? '' : ' aria-describedby="sign-in-error"';
  const invalid = error === undefined ? '' : ' aria-invalid="true"';
  return page(
    'Sign in · Wardstream',
    `<h1>Sign in to Wardstream</h1>
${alert}<form method="post" action="${ACTION}"${describedBy}>
${fields}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required${invalid} value="${escapeHtml(username ?? '')}"${error === undefined ? ' autofocus' : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${error === undefined ? '' : ' autofocus'}>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** The page for a request that cannot be sent back to its client (unknown client or redirect URI). */
export function authorizationErrorPage(description: string): string {
  return page(
    'Sign-in request refused · Wardstream',
    `<h1>This sign-in request cannot be used</h1>
<p class="error" role="alert">${escapeHtml(description)}</p>
<p>Go back to the application and start the sign-in again. If this keeps happening, tell your administrator.</p>`,
  );
}
