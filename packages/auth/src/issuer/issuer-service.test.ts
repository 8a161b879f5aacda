import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JwtVerifier } from '../jwt-verifier.js';
import {
  isOAuthError,
  IssuerService,
  oauthErrorStatus,
  type LoginEvent,
  type OAuthError,
  type TokenResponse,
} from './issuer-service.js';
import { LocalIssuer } from './local-issuer.js';
import { SqliteIdentityStore } from './sqlite-identity-store.js';

const ISSUER = 'http://127.0.0.1:8080/';
const AUDIENCE = 'wardstream';
const PASSWORD = 'correct horse battery';

function refused(result: TokenResponse | OAuthError): OAuthError {
  assert.ok(isOAuthError(result), `expected a refusal, got a token`);
  return result;
}

function issued(result: TokenResponse | OAuthError): TokenResponse {
  assert.ok(!isOAuthError(result), `expected a token, got ${JSON.stringify(result)}`);
  return result;
}

describe('IssuerService', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-issuer-'));
  let nowMs = Date.UTC(2026, 0, 5, 8);
  const now = (): number => nowMs;
  const events: LoginEvent[] = [];
  let identity: SqliteIdentityStore;
  let service: IssuerService;
  let verifier: JwtVerifier;
  let clientSecret = '';

  before(async () => {
    const issuer = LocalIssuer.openOrCreate({ keyDir: join(dir, 'keys'), issuer: ISSUER, audience: AUDIENCE, now });
    identity = SqliteIdentityStore.open({ path: join(dir, 'identity.db'), now });
    service = new IssuerService({ issuer, identity, now, onEvent: (e) => events.push(e) });
    verifier = new JwtVerifier(
      { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], now },
      { kind: 'provider', keys: () => service.jwks() },
    );
    await identity.createUser({
      username: 'nurse.jones',
      role: 'nurse',
      wards: ['w1'],
      displayName: 'J. Jones',
      password: PASSWORD,
    });
    await identity.createUser({ username: 'gone', role: 'physician', password: PASSWORD });
    await identity.updateUser('gone', { disabled: true });
    ({ secret: clientSecret } = await identity.createClient({
      clientId: 'bench',
      role: 'service',
      wards: ['w1', 'w2'],
    }));
  });

  after(() => {
    identity.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues a 15-minute user token by the password grant that the verifier accepts', async () => {
    const result = issued(await service.token({ grant_type: 'password', username: 'nurse.jones', password: PASSWORD }));
    assert.deepEqual([result.token_type, result.expires_in], ['Bearer', 900]);
    const principal = await verifier.verify(result.access_token);
    assert.deepEqual(principal, {
      subject: 'nurse.jones',
      issuer: ISSUER,
      roles: ['nurse'],
      wards: ['w1'],
      name: 'J. Jones',
      expiresAt: Math.floor(nowMs / 1000) * 1000 + 900_000,
    });
    assert.deepEqual(events.at(-1), {
      kind: 'login',
      subject: 'nurse.jones',
      client: null,
      grant: 'password',
      reason: null,
    });
  });

  it('answers a wrong password and an unknown user alike, and a disabled user with invalid_grant', async () => {
    const wrong = refused(
      await service.token({ grant_type: 'password', username: 'nurse.jones', password: 'not the password' }),
    );
    const unknown = refused(await service.token({ grant_type: 'password', username: 'nobody', password: PASSWORD }));
    assert.deepEqual(wrong, unknown);
    assert.deepEqual(wrong, { error: 'invalid_grant', error_description: 'wrong username or password' });
    assert.equal(oauthErrorStatus(wrong), 400);
    const disabled = refused(await service.token({ grant_type: 'password', username: 'gone', password: PASSWORD }));
    assert.equal(disabled.error, 'invalid_grant');
    assert.deepEqual(events.at(-1), {
      kind: 'login-failed',
      subject: 'gone',
      client: null,
      grant: 'password',
      reason: 'disabled',
    });
    await service.token({ grant_type: 'password', username: 'nurse.jones', password: PASSWORD });
  });

  it('locks a username after 5 failures within 15 minutes, for 15 minutes, even with the right password', async () => {
    const before = service.stats().refused;
    const form = { grant_type: 'password', username: 'nurse.jones', password: 'guess guess guess' };
    for (let i = 0; i < 5; i++) refused(await service.token(form));
    assert.equal(events.at(-1)?.kind, 'locked');
    const locked = refused(await service.token({ ...form, password: PASSWORD }));
    assert.match(locked.error_description, /too many failed sign-ins/);
    const after = service.stats().refused;
    assert.equal(after['bad-credentials'] - before['bad-credentials'], 5);
    assert.equal(after['locked-out'] - before['locked-out'], 1);
    // an unknown username locks the same way: a lockout tells nothing about which names exist
    for (let i = 0; i < 5; i++) refused(await service.token({ ...form, username: 'nobody.else' }));
    assert.match(refused(await service.token({ ...form, username: 'nobody.else' })).error_description, /too many/);

    nowMs += 15 * 60_000 + 1;
    issued(await service.token({ ...form, password: PASSWORD }));
  });

  it('does not let concurrent guesses past the lockout: at most 5 passwords are checked per window', async () => {
    // Each check is an async scrypt; guesses sent at once must not all pass the lock check first.
    const form = { grant_type: 'password', username: 'nurse.jones', password: 'guess guess guess' };
    const before = service.stats().refused;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => service.token(form)).map(async (t) => refused(await t)),
    );
    const after = service.stats().refused;
    assert.equal(after['bad-credentials'] - before['bad-credentials'], 5);
    assert.equal(after['locked-out'] - before['locked-out'], 15);
    assert.equal(answers.filter((a) => /too many/.test(a.error_description)).length, 15);
    assert.match(refused(await service.token({ ...form, password: PASSWORD })).error_description, /too many/);
    nowMs += 15 * 60_000 + 1;
    issued(await service.token({ ...form, password: PASSWORD }));
  });

  it('failures spread beyond 15 minutes do not lock', async () => {
    const form = { grant_type: 'password', username: 'nurse.jones', password: 'guess guess guess' };
    for (let i = 0; i < 8; i++) {
      refused(await service.token(form));
      nowMs += 4 * 60_000;
    }
    issued(await service.token({ ...form, password: PASSWORD }));
  });

  it('issues a 60-minute client token by client_credentials, secret by Basic or in the body', async () => {
    const basic = issued(
      await service.token({ grant_type: 'client_credentials' }, { id: 'bench', secret: clientSecret }),
    );
    assert.equal(basic.expires_in, 3600);
    const principal = await verifier.verify(basic.access_token);
    assert.deepEqual([principal.subject, principal.roles, principal.wards], ['bench', ['service'], ['w1', 'w2']]);
    const post = issued(
      await service.token({ grant_type: 'client_credentials', client_id: 'bench', client_secret: clientSecret }),
    );
    assert.equal((await verifier.verify(post.access_token)).subject, 'bench');

    const bad = refused(await service.token({ grant_type: 'client_credentials' }, { id: 'bench', secret: 'nope' }));
    assert.equal(bad.error, 'invalid_client');
    assert.equal(oauthErrorStatus(bad), 401);
    assert.equal(refused(await service.token({ grant_type: 'client_credentials' })).error, 'invalid_client');
    const twoMethods = refused(
      await service.token(
        { grant_type: 'client_credentials', client_secret: clientSecret },
        { id: 'bench', secret: clientSecret },
      ),
    );
    assert.equal(twoMethods.error, 'invalid_request');
    await identity.setClientDisabled('bench', true);
    assert.equal(
      refused(await service.token({ grant_type: 'client_credentials' }, { id: 'bench', secret: clientSecret })).error,
      'invalid_client',
    );
    await identity.setClientDisabled('bench', false);
  });

  it('names an authenticated client in a password-grant token, and refuses a wrong client secret', async () => {
    const form = { grant_type: 'password', username: 'nurse.jones', password: PASSWORD };
    const withClient = issued(await service.token(form, { id: 'bench', secret: clientSecret }));
    const claims = JSON.parse(Buffer.from(withClient.access_token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    assert.equal(claims['client_id'], 'bench');
    const selfNamed = issued(await service.token({ ...form, client_id: 'dashboard' }));
    const publicClaims = JSON.parse(
      Buffer.from(selfNamed.access_token.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    assert.equal(publicClaims['client_id'], undefined, 'a client that did not authenticate is not vouched for');
    assert.equal(events.at(-1)?.client, 'dashboard');
    const bad = refused(await service.token(form, { id: 'bench', secret: 'wrong' }));
    assert.equal(bad.error, 'invalid_client');
  });

  it('refuses an unsupported or missing grant type and a password grant without its fields', async () => {
    const before = service.stats().refused;
    assert.equal(
      refused(await service.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'x' }))
        .error,
      'unsupported_grant_type',
    );
    assert.equal(refused(await service.token({ grant_type: 'refresh_token' })).error, 'unsupported_grant_type');
    assert.equal(refused(await service.token({})).error, 'invalid_request');
    assert.equal(
      refused(await service.token({ grant_type: 'password', username: 'nurse.jones' })).error,
      'invalid_request',
    );
    const after = service.stats().refused;
    assert.equal(after['unsupported-grant'] - before['unsupported-grant'], 2);
    assert.equal(after['invalid-request'] - before['invalid-request'], 2);
  });

  it('describes itself in OpenID provider metadata', () => {
    const doc = service.discovery();
    assert.equal(doc['issuer'], ISSUER);
    assert.equal(doc['jwks_uri'], 'http://127.0.0.1:8080/oauth/jwks.json');
    assert.equal(doc['token_endpoint'], 'http://127.0.0.1:8080/oauth/token');
    assert.equal(doc['authorization_endpoint'], 'http://127.0.0.1:8080/oauth/authorize');
    assert.deepEqual(doc['grant_types_supported'], ['authorization_code', 'password', 'client_credentials']);
    assert.deepEqual(doc['token_endpoint_auth_methods_supported'], [
      'client_secret_basic',
      'client_secret_post',
      'none',
    ]);
    assert.deepEqual(doc['response_types_supported'], ['code']);
    assert.deepEqual(doc['code_challenge_methods_supported'], ['S256']);
    assert.deepEqual(doc['id_token_signing_alg_values_supported'], ['ES256']);
    assert.ok((doc['claims_supported'] as string[]).includes('wards'));
  });
});
