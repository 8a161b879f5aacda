import {
  isOAuthError,
  oauthErrorStatus,
  type BasicCredentials,
  type IssuerService,
  type OAuthError,
} from '@wardstream/auth';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { mountAuthorizeRoutes } from './oauth-authorize.js';
import { parseForm } from './oauth-form.js';

export { parseForm };

/** A token request is a few short parameters; anything larger is refused before it is parsed. */
const MAX_TOKEN_REQUEST_BYTES = 8 * 1024;
/** [RFC 6749 §5.1] token responses, good or bad, are never cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/**
 * The embedded issuer's public face: OpenID provider metadata, the signing keys (JWKS), the
 * browser sign-in (authorization endpoint, `oauth-authorize.ts`) and the token endpoint. These
 * routes are public by nature — they are how a caller gets a token. Errors of the token endpoint
 * are RFC 6749 §5.2 JSON (`error`, `error_description`), not problem documents, because OAuth
 * clients expect that shape.
 */
export function mountOAuthRoutes(app: Hono, issuer: IssuerService): void {
  app.get('/.well-known/openid-configuration', (c) =>
    c.json(issuer.discovery(), 200, { 'cache-control': 'public, max-age=300' }),
  );

  // Caches may keep the key set 5 min: a rotated-in key is published at rotation, and a retired one
  // stays published for the longest token lifetime, so a cached set never misses a live token's key.
  app.get('/oauth/jwks.json', (c) => c.json(issuer.jwks(), 200, { 'cache-control': 'public, max-age=300' }));

  mountAuthorizeRoutes(app, issuer);

  app.post(
    '/oauth/token',
    bodyLimit({
      maxSize: MAX_TOKEN_REQUEST_BYTES,
      onError: (c) =>
        refusal(
          c,
          issuer.refuseMalformed('invalid_request', `the request body is larger than ${MAX_TOKEN_REQUEST_BYTES} bytes`),
          false,
        ),
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        return refusal(
          c,
          issuer.refuseMalformed(
            'invalid_request',
            'the body must be application/x-www-form-urlencoded [RFC 6749 §4.3.2]',
          ),
          false,
        );
      }
      const form = parseForm(await c.req.text());
      if (typeof form === 'string') return refusal(c, issuer.refuseMalformed('invalid_request', form), false);
      const basic = basicCredentials(c.req.header('authorization'));
      if (basic === 'malformed') {
        return refusal(c, issuer.refuseMalformed('invalid_client', 'the Basic credentials are malformed'), true);
      }
      const result = await issuer.token(form, basic);
      if (isOAuthError(result)) return refusal(c, result, basic !== undefined);
      return c.json(result, 200, NO_STORE);
    },
  );
}

function refusal(c: Context, error: OAuthError, triedBasic: boolean) {
  const status = oauthErrorStatus(error);
  // [RFC 6749 §5.2] a client that authenticated with the Authorization header is told how to again
  const challenge =
    status === 401 && triedBasic ? { 'www-authenticate': 'Basic realm="wardstream", charset="UTF-8"' } : {};
  return c.json(error, status, { ...NO_STORE, ...challenge });
}

/**
 * [RFC 6749 §2.3.1] client_secret_basic: `Basic base64(urlencode(id) ":" urlencode(secret))`.
 * Undefined when the header is absent or another scheme; 'malformed' when Basic cannot be read.
 */
export function basicCredentials(header: string | undefined): BasicCredentials | undefined | 'malformed' {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')?.[1];
  if (encoded === undefined) return /^Basic\b/i.test(header ?? '') ? 'malformed' : undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return 'malformed';
  try {
    const id = decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' '));
    return secret === '' ? 'malformed' : { id, secret };
  } catch {
    return 'malformed';
  }
}
