import {
  IdentityInputError,
  type ClientRole,
  type IdentityStore,
  type ServiceClient,
  type User,
  type UserPatch,
  type UserRole,
} from '@wardstream/auth';
import type { Hono } from 'hono';
import { jsonBody } from '../json.js';
import { ParamErrors } from '../params.js';
import { problem, RequestProblem } from '../problem.js';

/** What the user routes need of the identity store. */
export type UserAdmin = Pick<IdentityStore, 'listUsers' | 'getUser' | 'createUser' | 'updateUser' | 'createClient'>;

/** A user as the API shows it: never the password hash. */
export function userJson(u: User) {
  return {
    username: u.username,
    role: u.role,
    wards: u.wards,
    displayName: u.displayName,
    disabled: u.disabled,
    createdAt: new Date(u.createdAt).toISOString(),
    updatedAt: new Date(u.updatedAt).toISOString(),
  };
}

export function clientJson(c: ServiceClient) {
  return {
    clientId: c.clientId,
    role: c.role,
    wards: c.wards,
    disabled: c.disabled,
    createdAt: new Date(c.createdAt).toISOString(),
  };
}

const USER_FIELDS = new Set(['username', 'role', 'wards', 'displayName', 'password']);
const PATCH_FIELDS = new Set(['role', 'wards', 'displayName', 'disabled', 'password']);
const CLIENT_FIELDS = new Set(['clientId', 'role', 'wards']);

/**
 * Users and service clients of the embedded issuer, for admins: `/api/v1/users` (list, create,
 * read, change) and `POST /api/v1/clients` (create; the secret is in that answer only). The guard
 * decides who may call these; the handlers assume an admin. The shape of a body is checked here
 * (types, unknown fields), its content by the store's policy (names, roles, wards, 12-character
 * passwords); both answer 422 naming every field at fault.
 */
export function mountUserRoutes(app: Hono, identity: UserAdmin): void {
  app.get('/api/v1/users', async (c) => c.json({ users: (await identity.listUsers()).map(userJson) }));

  app.post('/api/v1/users', async (c) => {
    const body = await jsonBody(c);
    const errors = new ParamErrors('body');
    unknownFields(body, USER_FIELDS, errors);
    const username = stringField(body, 'username', errors, true);
    const role = stringField(body, 'role', errors, true);
    const password = stringField(body, 'password', errors, true);
    const wards = wardsField(body, errors);
    const displayName = stringField(body, 'displayName', errors, false);
    errors.throwIfAny();
    const user = await policy(() =>
      identity.createUser({
        username: username ?? '',
        role: role as UserRole,
        password: password ?? '',
        ...(wards === undefined ? {} : { wards }),
        ...(displayName === undefined ? {} : { displayName }),
      }),
    );
    return c.json(userJson(user), 201, { location: `/api/v1/users/${encodeURIComponent(user.username)}` });
  });

  app.get('/api/v1/users/:username', async (c) => {
    const user = await identity.getUser(c.req.param('username'));
    if (user === undefined) throw new RequestProblem(problem('not-found', 404, 'no such user'));
    return c.json(userJson(user));
  });

  app.patch('/api/v1/users/:username', async (c) => {
    const body = await jsonBody(c);
    const errors = new ParamErrors('body');
    unknownFields(body, PATCH_FIELDS, errors);
    if (Object.keys(body).length === 0) errors.add('body', `give at least one of ${[...PATCH_FIELDS].join(', ')}`);
    const role = stringField(body, 'role', errors, false);
    const wards = wardsField(body, errors);
    const displayName = stringField(body, 'displayName', errors, false);
    const password = stringField(body, 'password', errors, false);
    const disabled = body['disabled'];
    if (disabled !== undefined && typeof disabled !== 'boolean') errors.add('disabled', 'must be true or false');
    errors.throwIfAny();
    const patch: UserPatch = {
      ...(role === undefined ? {} : { role: role as UserRole }),
      ...(wards === undefined ? {} : { wards }),
      ...(displayName === undefined ? {} : { displayName }),
      ...(password === undefined ? {} : { password }),
      ...(typeof disabled === 'boolean' ? { disabled } : {}),
    };
    const user = await policy(() => identity.updateUser(c.req.param('username'), patch));
    return c.json(userJson(user));
  });

  app.post('/api/v1/clients', async (c) => {
    const body = await jsonBody(c);
    const errors = new ParamErrors('body');
    unknownFields(body, CLIENT_FIELDS, errors);
    const clientId = stringField(body, 'clientId', errors, true);
    const role = stringField(body, 'role', errors, true);
    const wards = wardsField(body, errors);
    errors.throwIfAny();
    const { client, secret } = await policy(() =>
      identity.createClient({
        clientId: clientId ?? '',
        role: role as ClientRole,
        ...(wards === undefined ? {} : { wards }),
      }),
    );
    // the secret is shown this once; only its hash is kept
    return c.json({ ...clientJson(client), clientSecret: secret }, 201, { 'cache-control': 'no-store' });
  });
}

/** The store's policy refusals as a 422 naming each field; other failures go to the API's error table. */
async function policy<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof IdentityInputError) {
      throw new RequestProblem(problem('invalid-body', 422, error.message, error.problems));
    }
    throw error;
  }
}

function unknownFields(body: Record<string, unknown>, known: ReadonlySet<string>, errors: ParamErrors): void {
  for (const name of Object.keys(body)) {
    if (!known.has(name)) errors.add(name.slice(0, 40), `unknown field (known: ${[...known].join(', ')})`);
  }
}

function stringField(
  body: Record<string, unknown>,
  name: string,
  errors: ParamErrors,
  required: boolean,
): string | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value === 'string') return value;
  errors.add(name, required ? 'required, a string' : 'must be a string');
  return undefined;
}

function wardsField(body: Record<string, unknown>, errors: ParamErrors): string[] | undefined {
  const value = body['wards'];
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((w): w is string => typeof w === 'string')) return value;
  errors.add('wards', 'must be an array of ward ids');
  return undefined;
}
