import { oauthErrorStatus, type AuthorizationCheck, type IssuerService } from '@wardstream/auth';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseForm } from './oauth-form.js';
import { authorizationErrorPage, PAGE_HEADERS, signInPage } from './sign-in-page.js';

/** A sign-in form is the request's few parameters and a password (at most 1024 characters). */
const MAX_SIGN_IN_BYTES = 16 * 1024;
/** The redirect after a sign-in carries a code: not cached, not passed on as a referrer. */
const REDIRECT_HEADERS = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } as const;

/**
 * [RFC 6749 §4.1, RFC 7636] The authorization endpoint of the browser sign-in (authorization code
 * with PKCE, S256 only, for the registered public clients). `GET` checks the request and shows the
 * sign-in form; `POST` takes the form (the same parameters, checked again, plus username and
 * password), signs in through the password grant's check and lockout, and answers `303` to the
 * client's redirect URI with `code` and `state`. A wrong password shows the form again (401) with
 * the same words for an unknown user. An unknown client or an unregistered redirect URI gets an
 * error page (400), never a redirect; other errors go back to the client as `error=`.
 */
export function mountAuthorizeRoutes(app: Hono, issuer: IssuerService): void {
  app.get('/oauth/authorize', (c) => {
    const params = parseForm(new URL(c.req.url).search.slice(1));
    if (typeof params === 'string') return errorPage(c, params);
    const check = issuer.checkAuthorization(params);
    return check.kind === 'valid' ? c.html(signInPage(check.request), 200, PAGE_HEADERS) : unchecked(c, check);
  });

  app.post(
    '/oauth/authorize',
    bodyLimit({
      maxSize: MAX_SIGN_IN_BYTES,
      onError: (c) => errorPage(c, `the request body is larger than ${MAX_SIGN_IN_BYTES} bytes`),
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        return errorPage(c, 'the sign-in form must be sent as application/x-www-form-urlencoded');
      }
      const form = parseForm(await c.req.text());
      if (typeof form === 'string') return errorPage(c, form);
      const { username, password, ...params } = form;
      const check = issuer.checkAuthorization(params);
      if (check.kind !== 'valid') return unchecked(c, check);
      const result = await issuer.authorize(check.request, username, password);
      if (result.kind === 'redirect') return redirect(c, result.location);
      // invalid_grant (wrong credentials, locked, disabled) → 401; missing fields (invalid_request) → 400
      const status = result.error.error === 'invalid_grant' ? 401 : oauthErrorStatus(result.error);
      return c.html(
        signInPage(check.request, sentence(result.error.error_description), username),
        status,
        PAGE_HEADERS,
      );
    },
  );
}

/** An error page or a redirect with `error=`, for a request that did not check out. */
function unchecked(c: Context, check: Exclude<AuthorizationCheck, { kind: 'valid' }>) {
  return check.kind === 'error-page' ? errorPage(c, check.description) : redirect(c, check.location);
}

/** [RFC 6749 §4.1.2] Back to the client; 303 so the browser follows a POST with a GET. */
function redirect(c: Context, location: string) {
  for (const [name, value] of Object.entries(REDIRECT_HEADERS)) c.header(name, value);
  return c.redirect(location, 303);
}

function errorPage(c: Context, description: string) {
  return c.html(authorizationErrorPage(sentence(description)), 400, PAGE_HEADERS);
}

/** `wrong username or password` → `Wrong username or password.` */
function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}
