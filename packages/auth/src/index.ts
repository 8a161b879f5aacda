export { AuthError, JwtVerifier } from './jwt-verifier.js';
export type { AsymmetricAlgorithm, AuthFailure, JwtVerifierOptions, KeySource, Principal } from './jwt-verifier.js';
export { canonicalJson, chainHash, GENESIS_HASH, nextRecord, signCheckpoint, verifyChain } from './audit-chain.js';
export type { ChainedRecord, ChainProblem, ChainReport, SignedCheckpoint } from './audit-chain.js';
