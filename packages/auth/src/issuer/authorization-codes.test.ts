import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthorizationCodes, type CodeGrant } from './authorization-codes.js';

const GRANT: CodeGrant = {
  clientId: 'wardstream-dashboard',
  redirectUri: 'https://ward.example/app/callback',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  subject: 'dr.who',
};
const T0 = Date.UTC(2026, 0, 5, 8);

describe('AuthorizationCodes', () => {
  it('issues 256-bit codes, each redeemable once', () => {
    const codes = new AuthorizationCodes();
    const code = codes.issue(GRANT, T0);
    assert.equal(Buffer.from(code, 'base64url').length, 32);
    assert.notEqual(codes.issue(GRANT, T0), code);
    assert.deepEqual(codes.redeem(code, T0 + 1), GRANT);
    assert.equal(codes.redeem(code, T0 + 2), 'unknown');
  });

  it('expires a code after 60 s, and an expired redemption spends it too', () => {
    const codes = new AuthorizationCodes();
    const live = codes.issue(GRANT, T0);
    const late = codes.issue(GRANT, T0);
    assert.deepEqual(codes.redeem(live, T0 + 59_999), GRANT);
    assert.equal(codes.redeem(late, T0 + 60_000), 'expired');
    assert.equal(codes.redeem(late, T0 + 60_000), 'unknown');
  });

  it('keeps at most maxCodes, dropping the oldest, and sweeps expired ones on issue', () => {
    const codes = new AuthorizationCodes({ maxCodes: 3, ttlMs: 1000 });
    const issued = [0, 1, 2, 3].map((i) => codes.issue({ ...GRANT, subject: `u${i}` }, T0 + i));
    assert.equal(codes.size, 3);
    assert.equal(codes.redeem(issued[0] ?? '', T0 + 10), 'unknown');
    assert.equal((codes.redeem(issued[3] ?? '', T0 + 10) as CodeGrant).subject, 'u3');
    codes.issue(GRANT, T0 + 5000);
    assert.equal(codes.size, 1, 'the expired ones are gone');
    assert.throws(() => new AuthorizationCodes({ maxCodes: 0 }), RangeError);
  });
});
