export { AuthError, JwtVerifier } from './jwt-verifier.js';
export type { AsymmetricAlgorithm, AuthFailure, JwtVerifierOptions, KeySource, Principal } from './jwt-verifier.js';
export { canonicalJson, chainHash, GENESIS_HASH, nextRecord, signCheckpoint, verifyChain } from './audit-chain.js';
export type { ChainedRecord, ChainProblem, ChainReport, SignedCheckpoint } from './audit-chain.js';
export {
  DEFAULT_MAX_TOKEN_TTL_SEC,
  ISSUER_RECORD_FILE,
  jwkThumbprint,
  LocalIssuer,
  oidcDir,
  readIssuerRecord,
  SIGNING_KEYS_FILE,
} from './issuer/local-issuer.js';
export type { LocalIssuerOptions, TokenClaims } from './issuer/local-issuer.js';
export {
  CLIENT_ROLES,
  checkClientFields,
  checkUserFields,
  IdentityInputError,
  isValidName,
  USER_ROLES,
} from './issuer/identity-store.js';
export type {
  ClientRole,
  FieldProblem,
  IdentityStore,
  NewClient,
  NewUser,
  ServiceClient,
  User,
  UserPatch,
  UserRole,
} from './issuer/identity-store.js';
export { IDENTITY_DB_FILE, SqliteIdentityStore } from './issuer/sqlite-identity-store.js';
export type { SqliteIdentityStoreOptions } from './issuer/sqlite-identity-store.js';
export { MIN_PASSWORD_LENGTH, passwordProblem } from './issuer/password-hash.js';
export { LoginThrottle } from './issuer/login-throttle.js';
export type { AttemptRefusal, LoginThrottleOptions } from './issuer/login-throttle.js';
export {
  DEFAULT_CLIENT_TOKEN_TTL_SEC,
  DEFAULT_USER_TOKEN_TTL_SEC,
  isOAuthError,
  IssuerService,
  oauthErrorStatus,
} from './issuer/issuer-service.js';
export type {
  AuthorizationResult,
  BasicCredentials,
  IssuerServiceOptions,
  LoginEvent,
  OAuthError,
  OAuthErrorCode,
  TokenRefusal,
  TokenResponse,
} from './issuer/issuer-service.js';
export { AuthorizationCodes, DEFAULT_CODE_TTL_MS, DEFAULT_MAX_CODES } from './issuer/authorization-codes.js';
export type { AuthorizationCodesOptions, CodeGrant } from './issuer/authorization-codes.js';
export { MAX_STATE_LENGTH } from './issuer/authorization-request.js';
export type { AuthorizationCheck, AuthorizationRequest } from './issuer/authorization-request.js';
export { isCodeVerifier, isS256Challenge, s256Challenge, verifiesS256 } from './issuer/pkce.js';
export {
  DASHBOARD_CALLBACK_PATH,
  DASHBOARD_CLIENT_ID,
  dashboardClient,
  publicClientProblems,
} from './issuer/public-clients.js';
export type { PublicClient } from './issuer/public-clients.js';
