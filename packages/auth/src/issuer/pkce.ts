import { createHash, timingSafeEqual } from 'node:crypto';

/** [RFC 7636 §4.1] code_verifier = 43*128unreserved (A-Z a-z 0-9 - . _ ~). */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** [RFC 7636 §4.2] an S256 code_challenge: BASE64URL(SHA-256(verifier)), 32 bytes, so 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isCodeVerifier(value: string): boolean {
  return CODE_VERIFIER.test(value);
}

export function isS256Challenge(value: string): boolean {
  return S256_CHALLENGE.test(value);
}

/** [RFC 7636 §4.2] code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export function s256Challenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

/** [RFC 7636 §4.6] Whether the verifier matches the challenge, compared in constant time. */
export function verifiesS256(codeVerifier: string, codeChallenge: string): boolean {
  if (!isCodeVerifier(codeVerifier) || !isS256Challenge(codeChallenge)) return false;
  return timingSafeEqual(Buffer.from(s256Challenge(codeVerifier)), Buffer.from(codeChallenge));
}
