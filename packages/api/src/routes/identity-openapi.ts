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
  '/oauth/token': {
    post: {
      summary:
        'Token endpoint: grant_type=password (first use, scripts, the dashboard until an authorization-code flow exists) or client_credentials (client_secret_basic or _post)',
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              properties: {
                grant_type: { type: 'string', enum: ['password', 'client_credentials'] },
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
