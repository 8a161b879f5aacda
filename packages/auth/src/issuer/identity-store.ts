import { isValidId, WardstreamError } from '@wardstream/domain';
import { passwordProblem } from './password-hash.js';

/** Roles a person (or a scripted account) signs in with; `device` is for certificates and clients only. */
export type UserRole = 'nurse' | 'physician' | 'admin' | 'service';
export const USER_ROLES: readonly UserRole[] = ['nurse', 'physician', 'admin', 'service'];
/** Roles of an OAuth client using `client_credentials`. */
export type ClientRole = 'service' | 'device';
export const CLIENT_ROLES: readonly ClientRole[] = ['service', 'device'];

/** A user as the store gives it out: never with the password hash. */
export interface User {
  readonly username: string;
  readonly role: UserRole;
  /** Wards whose patients a nurse or physician sees. */
  readonly wards: readonly string[];
  readonly displayName: string;
  readonly disabled: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** An OAuth client (a service or a device speaking HTTP) as the store gives it out: never with the secret. */
export interface ServiceClient {
  readonly clientId: string;
  readonly role: ClientRole;
  readonly wards: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewUser {
  readonly username: string;
  readonly role: UserRole;
  readonly wards?: readonly string[];
  /** Defaults to the username. */
  readonly displayName?: string;
  readonly password: string;
}

export interface UserPatch {
  readonly role?: UserRole;
  readonly wards?: readonly string[];
  readonly displayName?: string;
  readonly disabled?: boolean;
  readonly password?: string;
}

export interface NewClient {
  readonly clientId: string;
  readonly role: ClientRole;
  readonly wards?: readonly string[];
}

/**
 * Users and OAuth clients of the embedded issuer. Failures are WardstreamErrors: CONFLICT for a
 * name taken, NOT_FOUND for an unknown one, INVALID_INPUT (an `IdentityInputError`) for input the
 * policy refuses.
 */
export interface IdentityStore {
  listUsers(): Promise<readonly User[]>;
  getUser(username: string): Promise<User | undefined>;
  createUser(input: NewUser): Promise<User>;
  updateUser(username: string, patch: UserPatch): Promise<User>;
  /**
   * The user whose password this is (disabled or not: the caller decides), or undefined for an
   * unknown user or a wrong password, which take the same time.
   */
  authenticateUser(username: string, password: string): Promise<User | undefined>;
  listClients(): Promise<readonly ServiceClient[]>;
  getClient(clientId: string): Promise<ServiceClient | undefined>;
  /** Creates a client with a new random secret, returned here once and stored only as a hash. */
  createClient(input: NewClient): Promise<{ readonly client: ServiceClient; readonly secret: string }>;
  setClientDisabled(clientId: string, disabled: boolean): Promise<ServiceClient>;
  /** The client whose secret this is, or undefined. */
  authenticateClient(clientId: string, secret: string): Promise<ServiceClient | undefined>;
}

export interface FieldProblem {
  readonly name: string;
  readonly reason: string;
}

/** Input the identity policy refuses; `problems` names each field and why. */
export class IdentityInputError extends WardstreamError {
  constructor(readonly problems: readonly FieldProblem[]) {
    super('INVALID_INPUT', problems.map((p) => `${p.name}: ${p.reason}`).join('; '));
    this.name = 'IdentityInputError';
  }
}

/** Usernames and client ids: what fits in an audit record and a URL path without escaping. */
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const NAME_RULE = '1-64 of A-Z a-z 0-9 . _ - @';
const MAX_DISPLAY_NAME = 100;
const MAX_WARDS = 100;

export function isValidName(value: string): boolean {
  return NAME.test(value);
}

/** Every problem of a user's fields (those present), at once; throws IdentityInputError when any. */
export function checkUserFields(fields: Partial<NewUser> & UserPatch, nameField = 'username'): void {
  const problems: FieldProblem[] = [];
  if (fields.username !== undefined && !isValidName(fields.username))
    problems.push({ name: nameField, reason: NAME_RULE });
  if (fields.role !== undefined && !USER_ROLES.includes(fields.role)) {
    problems.push({ name: 'role', reason: `one of ${USER_ROLES.join(', ')}` });
  }
  problems.push(...wardProblems(fields.wards));
  if (
    fields.displayName !== undefined &&
    (fields.displayName.trim() === '' || fields.displayName.length > MAX_DISPLAY_NAME)
  ) {
    problems.push({ name: 'displayName', reason: `1-${MAX_DISPLAY_NAME} characters` });
  }
  const weak = fields.password === undefined ? undefined : passwordProblem(fields.password);
  if (weak !== undefined) problems.push({ name: 'password', reason: weak });
  if (problems.length > 0) throw new IdentityInputError(problems);
}

export function checkClientFields(fields: NewClient): void {
  const problems: FieldProblem[] = [];
  if (!isValidName(fields.clientId)) problems.push({ name: 'clientId', reason: NAME_RULE });
  if (!CLIENT_ROLES.includes(fields.role)) problems.push({ name: 'role', reason: `one of ${CLIENT_ROLES.join(', ')}` });
  problems.push(...wardProblems(fields.wards));
  if (problems.length > 0) throw new IdentityInputError(problems);
}

function wardProblems(wards: readonly string[] | undefined): FieldProblem[] {
  if (wards === undefined) return [];
  if (wards.length > MAX_WARDS) return [{ name: 'wards', reason: `at most ${MAX_WARDS}` }];
  const bad = wards.filter((w) => !isValidId(w));
  return bad.length === 0
    ? []
    : [{ name: 'wards', reason: `invalid ward id(s) ${bad.slice(0, 3).join(', ')}: use 1-64 of A-Z a-z 0-9 . _ -` }];
}
