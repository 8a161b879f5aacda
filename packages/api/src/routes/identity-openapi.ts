/** The OpenAPI paths of the embedded issuer (`oauth.ts`) and of user administration (`users.ts`). */
import { body, ERRORS, json, param, problemResponse, type Schema } from '../openapi-parts.js';

const STRINGS: Schema = { type: 'array', items: { type: 'string' } };
const USER_ROLE: Schema = { type: 'string', enum: ['nurse', 'physician', 'admin', 'service'] };
const USER: Schema = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    role: USER_ROLE,
    wards: STRINGS,
    displayName: { type: 'string' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
const PASSWORD: Schema = { type: 'string', minLength: 12, maxLength: 1024 };
const INVALID_BODY = { '422': problemResponse('Invalid body (every problem listed in `errors`)') };
const USERNAME = param('username', 'path', 'Username');
const OAUTH_ERROR = {
  description: 'RFC 6749 §5.2 error (`error`, `error_description`); never cached',
  content: {
    'application/json': {
      schema: { type: 'object', properties: { error: { type: 'string' }, error_description: { type: 'string' } } },
    },
  },
};

const HTML = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const REDIRECT = (description: string) => ({
  description,
  headers: { Location: { description: 'The redirect URI with the response parameters', schema: { type: 'string' } } },
});
const required = (p: ReturnType<typeof param>) => ({ ...p, required: true });
/** [RFC 6749 §4.1.1, RFC 7636 §4.3] The parameters of an authorization request. */
const AUTHORIZATION_PARAMS = {
  response_type: { type: 'string', enum: ['code'] },
  client_id: { type: 'string', description: 'A registered public client (built in: wardstream-dashboard)' },
  redirect_uri: { type: 'string', description: "One of the client's registered redirect URIs, exactly" },
  code_challenge: { type: 'string', description: 'BASE64URL(SHA-256(code_verifier)), 43 characters' },
  code_challenge_method: { type: 'string', enum: ['S256'] },
  state: { type: 'string', maxLength: 1024, description: 'Returned as given' },
  scope: { type: 'string', maxLength: 1024, description: 'Accepted; the token does not depend on it' },
} as const;

export const IDENTITY_PATHS = {
  '/.well-known/openid-configuration': {
    get: {
      summary: 'OpenID provider metadata of the embedded issuer (issuer, jwks_uri, token_endpoint, grants)',
      responses: { '200': json('Provider metadata', { type: 'object' }) },
    },
  },
  '/oauth/jwks.json': {
    get: {
      summary: "The issuer's public signing keys (ES256; current and recently retired), cacheable 5 min",
      responses: { '200': json('JSON Web Key Set', { type: 'object', properties: { keys: { type: 'array' } } }) },
    },
  },
  '/oauth/authorize': {
    get: {
      summary: 'Browser sign-in (authorization code with PKCE, S256 only, registered public clients): the sign-in form',
      parameters: [
        required(param('response_type', 'query', 'code', AUTHORIZATION_PARAMS.response_type)),
        required(param('client_id', 'query', 'The public client', AUTHORIZATION_PARAMS.client_id)),
        required(param('redirect_uri', 'query', 'Where the code goes', AUTHORIZATION_PARAMS.redirect_uri)),
        required(param('code_challenge', 'query', 'PKCE challenge', AUTHORIZATION_PARAMS.code_challenge)),
        required(param('code_challenge_method', 'query', 'S256', AUTHORIZATION_PARAMS.code_challenge_method)),
        param('state', 'query', 'Opaque to the issuer, returned as given', AUTHORIZATION_PARAMS.state),
        param('scope', 'query', 'Accepted, not used', AUTHORIZATION_PARAMS.scope),
      ],
      responses: {
        '200': HTML('The sign-in form (strict CSP, no framing, never cached)'),
        '303': REDIRECT('Any other error, to the redirect URI with `error`, `error_description`, `state`, `iss`'),
        '400': HTML('Unknown client_id or unregistered redirect_uri: an error page, never a redirect'),
      },
    },
    post: {
      summary: 'Browser sign-in: the form posted back; the same password check and lockout as the password grant',
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: { ...AUTHORIZATION_PARAMS, username: { type: 'string' }, password: { type: 'string' } },
              required: [
                'response_type',
                'client_id',
                'redirect_uri',
                'code_challenge',
                'code_challenge_method',
                'username',
                'password',
              ],
            },
          },
        },
      },
      responses: {
        '303': REDIRECT(
          'Signed in: to the redirect URI with `code` (single use, 60 s), `state`, `iss`; or an error as `error=`',
        ),
        '400': HTML(
          'The error page (unknown client or redirect URI), or the form again (username or password missing)',
        ),
        '401': HTML('The form again: wrong username or password (the same words for an unknown user), or locked out'),
      },
    },
  },
  '/oauth/token': {
    post: {
      summary:
        'Token endpoint: grant_type=authorization_code (public clients: code, redirect_uri, client_id, code_verifier; no secret), password (first use, scripts) or client_credentials (client_secret_basic or _post)',
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: {
                grant_type: { type: 'string', enum: ['authorization_code', 'password', 'client_credentials'] },
                code: { type: 'string' },
                redirect_uri: { type: 'string' },
                code_verifier: { type: 'string', minLength: 43, maxLength: 128 },
                username: { type: 'string' },
                password: { type: 'string' },
                client_id: { type: 'string' },
                client_secret: { type: 'string' },
              },
              required: ['grant_type'],
            },
          },
        },
      },
      responses: {
        '200': json('An access token (JWT); never cached', {
          type: 'object',
          properties: {
            access_token: { type: 'string' },
            token_type: { type: 'string', enum: ['Bearer'] },
            expires_in: { type: 'integer' },
          },
        }),
        '400': OAUTH_ERROR,
        '401': { ...OAUTH_ERROR, description: 'invalid_client: client authentication failed' },
      },
    },
  },
  '/api/v1/users': {
    get: {
      summary: 'Users of the embedded issuer (never a hash)',
      responses: {
        '200': json('Users', { type: 'object', properties: { users: { type: 'array', items: USER } } }),
        ...ERRORS,
      },
    },
    post: {
      summary: 'Create a user',
      requestBody: body({
        type: 'object',
        properties: {
          username: { type: 'string' },
          role: USER_ROLE,
          wards: STRINGS,
          displayName: { type: 'string' },
          password: PASSWORD,
        },
        required: ['username', 'role', 'password'],
      }),
      responses: {
        '201': json('The user', USER),
        '409': problemResponse('The username is taken'),
        ...ERRORS,
        ...INVALID_BODY,
      },
    },
  },
  '/api/v1/users/{username}': {
    get: { summary: 'A user', parameters: [USERNAME], responses: { '200': json('The user', USER), ...ERRORS } },
    patch: {
      summary: 'Change a user: role, wards, display name, disabled, password',
      parameters: [USERNAME],
      requestBody: body({
        type: 'object',
        properties: {
          role: USER_ROLE,
          wards: STRINGS,
          displayName: { type: 'string' },
          disabled: { type: 'boolean' },
          password: PASSWORD,
        },
      }),
      responses: {
        '200': json('The user after the change', USER),
        '409': problemResponse('The last enabled admin cannot be disabled or demoted'),
        ...ERRORS,
        ...INVALID_BODY,
      },
    },
  },
  '/api/v1/clients': {
    post: {
      summary: 'Create an OAuth client for client_credentials; its secret is in this answer only',
      requestBody: body({
        type: 'object',
        properties: {
          clientId: { type: 'string' },
          role: { type: 'string', enum: ['service', 'device'] },
          wards: STRINGS,
        },
        required: ['clientId', 'role'],
      }),
      responses: {
        '201': json('The client and its secret', {
          type: 'object',
          properties: {
            clientId: { type: 'string' },
            role: { type: 'string' },
            wards: STRINGS,
            disabled: { type: 'boolean' },
            createdAt: { type: 'string', format: 'date-time' },
            clientSecret: { type: 'string' },
          },
        }),
        '409': problemResponse('The client id is taken'),
        ...ERRORS,
        ...INVALID_BODY,
      },
    },
  },
} as const;
