import { decodeClaims, type Claims } from './jwt.js';

/**
 * Sign-in with the platform's issuer: OAuth 2.1 authorization code with PKCE S256 (RFC 7636) for
 * the public client `wardstream-dashboard`, returning to `/app/callback` on this origin (the issuer
 * is this origin: the dashboard is served by the API). The verifier and state wait in
 * sessionStorage across the redirect; the token is kept in sessionStorage (this tab only, gone when
 * it closes) and never in a URL but the live feed's (EventSource cannot set headers).
 */
export const CLIENT_ID = 'wardstream-dashboard';
export const CALLBACK_PATH = '/app/callback';
const PENDING_KEY = 'wardstream.sign-in';
const TOKEN_KEY = 'wardstream.token';
/** A token this close to its expiry is not used for a new request. */
const EXPIRY_MARGIN_MS = 5_000;

export interface Session {
  readonly token: string;
  readonly claims: Claims;
}

interface Pending {
  readonly state: string;
  readonly verifier: string;
}

/** A sign-in that failed, with what to tell the user. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function redirectUri(): string {
  return `${location.origin}${CALLBACK_PATH}`;
}

/** The session of this tab, unless absent or (about to be) expired. */
export function currentSession(nowMs: number = Date.now()): Session | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const claims = token === null ? undefined : decodeClaims(token);
  if (token === null || claims === undefined || claims.exp * 1000 - EXPIRY_MARGIN_MS <= nowMs) return undefined;
  return { token, claims };
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Sends the browser to the issuer's sign-in form. */
export async function beginSignIn(): Promise<void> {
  const pending: Pending = { state: randomString(16), verifier: randomString(32) };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(pending.verifier));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
    state: pending.state,
  });
  location.assign(`/oauth/authorize?${query.toString()}`);
}

function takePending(): Pending | undefined {
  const text = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Pending>;
    return typeof value.state === 'string' && typeof value.verifier === 'string'
      ? { state: value.state, verifier: value.verifier }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Completes the sign-in at `/app/callback?code=…&state=…&iss=…`: checks the state (CSRF) and the
 * issuer (mix-up, RFC 9207), exchanges the code with the verifier, keeps the token. Throws
 * SignInError saying what went wrong.
 */
export async function completeSignIn(params: URLSearchParams): Promise<Session> {
  const pending = takePending();
  const error = params.get('error');
  if (error !== null) {
    throw new SignInError(`the sign-in was refused: ${params.get('error_description') ?? error}`);
  }
  const code = params.get('code');
  if (code === null) throw new SignInError('the sign-in returned no code');
  if (pending === undefined || params.get('state') !== pending.state) {
    throw new SignInError('this sign-in was not started from this tab (state mismatch): sign in again');
  }
  const iss = params.get('iss');
  if (iss !== null && iss.replace(/\/+$/, '') !== location.origin) {
    throw new SignInError(`the sign-in came back from another issuer (${iss})`);
  }
  let res: Response;
  try {
    res = await fetch('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri(),
        client_id: CLIENT_ID,
        code_verifier: pending.verifier,
      }),
    });
  } catch (err) {
    throw new SignInError(`the token endpoint cannot be reached (${String(err)})`);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const token = body['access_token'];
  if (!res.ok || typeof token !== 'string') {
    const reason = [body['error_description'], body['error'], body['detail']].find((v) => typeof v === 'string');
    throw new SignInError(`the code could not be exchanged for a token: ${reason ?? `HTTP ${res.status}`}`);
  }
  const claims = decodeClaims(token);
  if (claims === undefined) throw new SignInError('the issuer answered a token this app cannot read');
  sessionStorage.setItem(TOKEN_KEY, token);
  return { token, claims };
}
