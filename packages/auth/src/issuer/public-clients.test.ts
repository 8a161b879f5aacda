import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboardClient, publicClientProblems } from './public-clients.js';

const ISSUER = 'https://ward.example/';

describe('public clients', () => {
  it('registers the dashboard at <issuer>/app/callback by default', () => {
    assert.deepEqual(dashboardClient(ISSUER), {
      clientId: 'wardstream-dashboard',
      redirectUris: ['https://ward.example/app/callback'],
    });
    assert.deepEqual(publicClientProblems(ISSUER, [dashboardClient(ISSUER)]), []);
  });

  it('refuses redirect URIs off the issuer origin, with a fragment, relative or not normalised, and duplicates', () => {
    const problems = publicClientProblems(ISSUER, [
      dashboardClient(ISSUER, [
        'https://evil.example/app/callback',
        'http://ward.example/app/callback',
        'https://ward.example/app/callback#x',
        '/app/callback',
        'https://ward.example/app/../callback',
      ]),
      dashboardClient(ISSUER),
      { clientId: 'no uris!', redirectUris: [] },
    ]);
    assert.equal(problems.length, 8, problems.join('\n'));
  });
});
