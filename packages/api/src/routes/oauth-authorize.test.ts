import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  IssuerService,
  JwtVerifier,
  LocalIssuer,
  s256Challenge,
  SqliteIdentityStore,
  type LoginEvent,
} from '@wardstream/auth';
import { Hono } from 'hono';
import { mountOAuthRoutes } from './oauth.js';

const ISSUER = 'https://ward.example';
const CALLBACK = `${ISSUER}/app/callback`;
const OTHER_CALLBACK = `${ISSUER}/app/other`;
const AUDIENCE = 'wardstream';
const PASSWORD = 'correct horse battery';
const FORM = 'application/x-www-form-urlencoded';
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

/** A fresh PKCE pair [RFC 7636 §4.1-4.2]. */
function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256Challenge(verifier) };
}

describe('browser sign-in: authorization code with PKCE over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-authorize-'));
  let nowMs = Date.UTC(2026, 0, 5, 8);
  const now = (): number => nowMs;
  const events: LoginEvent[] = [];
  let identity: SqliteIdentityStore;
  let service: IssuerService;
  let verifier: JwtVerifier;
  let app: Hono;

  before(async () => {
    const issuer = LocalIssuer.openOrCreate({ keyDir: join(dir, 'keys'), issuer: ISSUER, audience: AUDIENCE, now });
    identity = SqliteIdentityStore.open({ path: join(dir, 'identity.db'), now });
    service = new IssuerService({
      issuer,
      identity,
      now,
      onEvent: (e) => events.push(e),
      publicClients: [
        { clientId: 'wardstream-dashboard', redirectUris: [CALLBACK, OTHER_CALLBACK] },
        { clientId: 'ward-board', redirectUris: [`${ISSUER}/board/callback`] },
      ],
    });
    app = new Hono();
    mountOAuthRoutes(app, service);
    verifier = new JwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], now },
      { kind: 'provider', keys: () => service.jwks() },
    );
    await identity.createUser({ username: 'dr.who', role: 'physician', wards: ['w1'], password: PASSWORD });
    for (const name of ['locked.out', 'changed'])
      await identity.createUser({ username: name, role: 'nurse', wards: ['w1'], password: PASSWORD });
  });

  after(() => {
    identity.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    nowMs += 60 * 60_000; // every test starts an hour on: no code or lock of an earlier one is still live
  });

  const authorizeParams = (challenge: string, extra: Record<string, string> = {}): Record<string, string> => ({
    response_type: 'code',
    client_id: 'wardstream-dashboard',
    redirect_uri: CALLBACK,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st-1',
    ...extra,
  });
  const getAuthorize = (params: Record<string, string>) =>
    app.request(`/oauth/authorize?${new URLSearchParams(params).toString()}`);
  const postAuthorize = (params: Record<string, string>) =>
    app.request('/oauth/authorize', {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new URLSearchParams(params).toString(),
    });
  const token = (params: Record<string, string>) =>
    app.request('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new URLSearchParams({ grant_type: 'authorization_code', ...params }).toString(),
    });

  /** Signs in through the form; the redirect's URL. */
  async function signIn(challenge: string, extra: Record<string, string> = {}, username = 'dr.who'): Promise<URL> {
    const res = await postAuthorize({ ...authorizeParams(challenge, extra), username, password: PASSWORD });
    assert.equal(res.status, 303, await res.clone().text());
    return new URL(res.headers.get('location') ?? '');
  }

  async function exchange(code: string, codeVerifier: string, extra: Record<string, string> = {}) {
    const res = await token({
      code,
      redirect_uri: CALLBACK,
      client_id: 'wardstream-dashboard',
      code_verifier: codeVerifier,
      ...extra,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('serves the sign-in form, then 303 with code and state, then a token that verifies', async () => {
    const { verifier: codeVerifier, challenge } = pkce();
    const form = await getAuthorize(authorizeParams(challenge));
    assert.equal(form.status, 200);
    assert.match(form.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(form.headers.get('content-security-policy'), CSP);
    assert.equal(form.headers.get('x-frame-options'), 'DENY');
    assert.equal(form.headers.get('cache-control'), 'no-store');
    const html = await form.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<label for="username">Username<\/label>/);
    assert.match(html, /<input id="password" name="password" type="password" autocomplete="current-password"/);
    assert.match(html, /<form method="post" action="\/oauth\/authorize">/);
    assert.ok(html.includes(`name="code_challenge" value="${challenge}"`));
    assert.doesNotMatch(html, /<script|<link|src=/, 'no external assets, no script');

    const eventsBefore = events.length;
    const location = await signIn(challenge);
    assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
    const code = location.searchParams.get('code') ?? '';
    assert.equal(Buffer.from(code, 'base64url').length, 32, '256-bit code');
    assert.equal(location.searchParams.get('state'), 'st-1');
    assert.equal(location.searchParams.get('iss'), ISSUER);
    assert.equal(events.length, eventsBefore, 'the sign-in is reported with the exchange');

    const { status, body } = await exchange(code, codeVerifier);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual([body['token_type'], body['expires_in']], ['Bearer', 900]);
    const principal = await verifier.verify(String(body['access_token']));
    assert.deepEqual([principal.subject, principal.roles, principal.wards], ['dr.who', ['physician'], ['w1']]);
    assert.deepEqual(events.at(-1), {
      kind: 'login',
      subject: 'dr.who',
      client: 'wardstream-dashboard',
      grant: 'authorization_code',
      reason: null,
    });
  });

  it('lists the flow in the discovery metadata', async () => {
    const doc = (await (await app.request('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    assert.equal(doc['authorization_endpoint'], `${ISSUER}/oauth/authorize`);
    assert.deepEqual(doc['response_types_supported'], ['code']);
    assert.deepEqual(doc['code_challenge_methods_supported'], ['S256']);
    assert.deepEqual(doc['grant_types_supported'], ['authorization_code', 'password', 'client_credentials']);
  });

  it('reads roles and wards at the exchange, not at the sign-in', async () => {
    const { verifier: codeVerifier, challenge } = pkce();
    const code = (await signIn(challenge, {}, 'changed')).searchParams.get('code') ?? '';
    await identity.updateUser('changed', { wards: ['w2', 'w3'] });
    const { body } = await exchange(code, codeVerifier);
    assert.deepEqual((await verifier.verify(String(body['access_token']))).wards, ['w2', 'w3']);
    const second = pkce();
    const codeOfDisabled = (await signIn(second.challenge, {}, 'changed')).searchParams.get('code') ?? '';
    await identity.updateUser('changed', { disabled: true });
    const refused = await exchange(codeOfDisabled, second.verifier);
    assert.deepEqual(
      [refused.body['error'], refused.body['error_description']],
      ['invalid_grant', 'this account is disabled'],
    );
  });

  it('refuses a wrong verifier, and the code is spent by that try', async () => {
    const { verifier: codeVerifier, challenge } = pkce();
    const code = (await signIn(challenge)).searchParams.get('code') ?? '';
    const wrong = await exchange(code, pkce().verifier);
    assert.deepEqual([wrong.status, wrong.body['error']], [400, 'invalid_grant']);
    assert.match(String(wrong.body['error_description']), /code_verifier does not match/);
    assert.equal((await exchange(code, codeVerifier)).body['error'], 'invalid_grant');
  });

  it('refuses a code used a second time', async () => {
    const { verifier: codeVerifier, challenge } = pkce();
    const code = (await signIn(challenge)).searchParams.get('code') ?? '';
    assert.equal((await exchange(code, codeVerifier)).status, 200);
    const again = await exchange(code, codeVerifier);
    assert.deepEqual([again.status, again.body['error']], [400, 'invalid_grant']);
    assert.match(String(again.body['error_description']), /unknown or already used/);
  });

  it('honours a code until 60 s have passed, and not after', async () => {
    const first = pkce();
    const live = (await signIn(first.challenge)).searchParams.get('code') ?? '';
    nowMs += 59_999;
    assert.equal((await exchange(live, first.verifier)).status, 200);
    const second = pkce();
    const expired = (await signIn(second.challenge)).searchParams.get('code') ?? '';
    nowMs += 60_000;
    const res = await exchange(expired, second.verifier);
    assert.deepEqual(
      [res.status, res.body['error'], res.body['error_description']],
      [400, 'invalid_grant', 'the code has expired'],
    );
  });

  it('refuses a code at another redirect_uri or for another client', async () => {
    const { verifier: codeVerifier, challenge } = pkce();
    const forOther = (await signIn(challenge, { redirect_uri: OTHER_CALLBACK })).searchParams.get('code') ?? '';
    assert.equal((await exchange(forOther, codeVerifier)).body['error'], 'invalid_grant');
    const mine = (await signIn(challenge)).searchParams.get('code') ?? '';
    const asBoard = await exchange(mine, codeVerifier, {
      client_id: 'ward-board',
      redirect_uri: `${ISSUER}/board/callback`,
    });
    assert.deepEqual([asBoard.status, asBoard.body['error']], [400, 'invalid_grant']);
    const unknown = await exchange('x'.repeat(43), codeVerifier, { client_id: 'evil-app' });
    assert.deepEqual([unknown.status, unknown.body['error']], [401, 'invalid_client']);
  });

  it('sends other errors back to the client: plain method, no challenge, wrong response_type', async () => {
    const { challenge } = pkce();
    const cases: [Record<string, string>, string, RegExp][] = [
      [authorizeParams(challenge, { code_challenge_method: 'plain' }), 'invalid_request', /S256/],
      [authorizeParams(challenge, { code_challenge_method: '' }), 'invalid_request', /S256/],
      [{ ...authorizeParams(challenge), code_challenge: '' }, 'invalid_request', /code_challenge is required/],
      [authorizeParams('too-short'), 'invalid_request', /43 characters/],
      [authorizeParams(challenge, { response_type: 'token' }), 'unsupported_response_type', /code/],
    ];
    for (const [params, error, description] of cases) {
      for (const res of [
        await getAuthorize(params),
        await postAuthorize({ ...params, username: 'dr.who', password: PASSWORD }),
      ]) {
        assert.equal(res.status, 303);
        const location = new URL(res.headers.get('location') ?? '');
        assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
        assert.equal(location.searchParams.get('error'), error);
        assert.match(location.searchParams.get('error_description') ?? '', description);
        assert.equal(location.searchParams.get('state'), 'st-1');
        assert.equal(location.searchParams.get('code'), null);
      }
    }
  });

  it('shows an error page, never a redirect, for an unknown client or an unregistered redirect_uri', async () => {
    const { challenge } = pkce();
    const cases: Record<string, string>[] = [
      authorizeParams(challenge, { client_id: 'evil-app' }),
      authorizeParams(challenge, { redirect_uri: 'https://evil.example/app/callback' }),
      authorizeParams(challenge, { redirect_uri: `${CALLBACK}/../../evil` }),
      authorizeParams(challenge, { redirect_uri: `${ISSUER}/board/callback` }), // another client's
      { ...authorizeParams(challenge), redirect_uri: '' },
      { ...authorizeParams(challenge), client_id: '' },
    ];
    for (const params of cases) {
      for (const res of [
        await getAuthorize(params),
        await postAuthorize({ ...params, username: 'dr.who', password: PASSWORD }),
      ]) {
        assert.equal(res.status, 400, JSON.stringify(params));
        assert.equal(res.headers.get('location'), null);
        assert.equal(res.headers.get('content-security-policy'), CSP);
        assert.match(await res.text(), /This sign-in request cannot be used/);
      }
    }
  });

  it('shows the form again (401, same words for an unknown user) on a wrong password: counted, audited, locked', async () => {
    const { challenge } = pkce();
    const before = service.stats().refused['bad-credentials'];
    const wrong = await postAuthorize({
      ...authorizeParams(challenge),
      username: 'locked.out',
      password: 'not it at all',
    });
    const unknown = await postAuthorize({ ...authorizeParams(challenge), username: 'nobody.here', password: 'not it' });
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('location'), null);
      assert.equal(res.headers.get('content-security-policy'), CSP);
      const html = await res.text();
      assert.match(html, /<p class="error" id="sign-in-error" role="alert">Wrong username or password\.<\/p>/);
      assert.ok(html.includes(`name="code_challenge" value="${challenge}"`), 'the request is kept');
    }
    assert.equal(service.stats().refused['bad-credentials'] - before, 2);
    assert.deepEqual(events.at(-2), {
      kind: 'login-failed',
      subject: 'locked.out',
      client: 'wardstream-dashboard',
      grant: 'authorization_code',
      reason: 'bad-credentials',
    });
    // the lockout is the password grant's: 5 failures lock the username, the right password included
    for (let i = 0; i < 4; i++) {
      await postAuthorize({ ...authorizeParams(challenge), username: 'locked.out', password: 'not it at all' });
    }
    assert.ok(events.some((e) => e.kind === 'locked' && e.subject === 'locked.out'));
    const right = await postAuthorize({ ...authorizeParams(challenge), username: 'locked.out', password: PASSWORD });
    assert.equal(right.status, 401);
    assert.match(await right.text(), /Too many failed sign-ins/);
    const byPassword = await app.request('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new URLSearchParams({ grant_type: 'password', username: 'locked.out', password: PASSWORD }).toString(),
    });
    assert.equal(((await byPassword.json()) as { error: string }).error, 'invalid_grant');
  });

  it('escapes every reflected value: a state carrying a script comes back inert', async () => {
    const { challenge } = pkce();
    const state = '"><script>alert(1)</script>';
    const form = await getAuthorize(authorizeParams(challenge, { state, scope: "<b onmouseover='x'>" }));
    assert.equal(form.status, 200);
    const html = await form.text();
    assert.doesNotMatch(html, /<script|<b /);
    assert.ok(html.includes('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"'));
    const again = await postAuthorize({
      ...authorizeParams(challenge, { state }),
      username: '<img src=x onerror=alert(1)>',
      password: 'not it at all',
    });
    assert.equal(again.status, 401);
    assert.doesNotMatch(await again.text(), /<script|<img/);
    const location = await signIn(challenge, { state });
    assert.equal(location.searchParams.get('state'), state, 'returned to the client as given');
  });

  it('refuses a repeated parameter, a JSON body and a secret on the code exchange', async () => {
    const { challenge } = pkce();
    const repeated = await app.request(
      `/oauth/authorize?${new URLSearchParams(authorizeParams(challenge)).toString()}&client_id=ward-board`,
    );
    assert.equal(repeated.status, 400);
    assert.equal(repeated.headers.get('location'), null);
    const json = await app.request('/oauth/authorize', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(authorizeParams(challenge)),
    });
    assert.equal(json.status, 400);
    const withSecret = await token({ code: 'x', client_id: 'wardstream-dashboard', client_secret: 's' });
    assert.equal(withSecret.status, 401);
  });
});
