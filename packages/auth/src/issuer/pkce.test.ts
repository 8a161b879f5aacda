import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCodeVerifier, isS256Challenge, s256Challenge, verifiesS256 } from './pkce.js';

/** [RFC 7636 Appendix B] the worked example. */
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE S256', () => {
  it('computes the challenge of RFC 7636 Appendix B', () => {
    assert.equal(s256Challenge(VERIFIER), CHALLENGE);
    assert.ok(verifiesS256(VERIFIER, CHALLENGE));
  });

  it('refuses another verifier, a plain challenge, and malformed values', () => {
    assert.equal(verifiesS256(`${VERIFIER.slice(0, -1)}L`, CHALLENGE), false);
    assert.equal(verifiesS256(VERIFIER, VERIFIER), false, 'plain: the verifier as its own challenge');
    assert.equal(verifiesS256('short', s256Challenge('short')), false, 'verifier under 43 characters');
    assert.equal(isCodeVerifier('a'.repeat(129)), false);
    assert.equal(isCodeVerifier(`${'a'.repeat(42)}+`), false);
    assert.equal(isCodeVerifier('a'.repeat(43)), true);
    assert.equal(isS256Challenge(`${CHALLENGE}=`), false);
  });
});
