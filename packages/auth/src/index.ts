export { AuthError, JwtVerifier } from './jwt-verifier.js';
export type { AsymmetricAlgorithm, AuthFailure, JwtVerifierOptions, KeySource, Principal } from './jwt-verifier.js';
