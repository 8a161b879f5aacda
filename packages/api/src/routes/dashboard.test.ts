import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClinicalApi, standInDashboard } from '../testing/clinical-api.js';
import { DASHBOARD_CSP } from './dashboard.js';

describe('the dashboard at /app/', () => {
  let api: ClinicalApi;
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ws-dashboard-'));
    const dir = await standInDashboard(join(root, 'web'));
    await writeFile(join(dir, 'assets', 'style-9f8e7d6c.css'), 'body{color:black}');
    // Things next to the build that must never be served.
    await writeFile(join(root, 'secret.txt'), 'not for the browser');
    await writeFile(join(dir, 'notes.txt'), 'not an asset either');
    await mkdir(join(dir, 'assets', 'nested'));
    await writeFile(join(dir, 'assets', 'nested', 'deep.js'), 'x');
    await symlink(join(root, 'secret.txt'), join(dir, 'assets', 'link.txt'));
    api = await ClinicalApi.open({ dashboardDir: dir });
  });
  after(async () => {
    await api.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves index.html for /app, /app/ and every client route, never cached, under a strict CSP', async () => {
    for (const path of ['/app', '/app/', '/app/callback', '/app/wards/demo-ward']) {
      const res = await api.app.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.equal(res.headers.get('content-security-policy'), DASHBOARD_CSP);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(await res.text(), /<title>Wardstream<\/title>/);
    }
    assert.match(DASHBOARD_CSP, /script-src 'self'; frame-ancestors 'none'$/);
  });

  it('serves hashed assets with their content type and a long cache lifetime', async () => {
    const js = await api.app.request('/app/assets/app-0123abcd.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await js.text(), 'document.title = "Wardstream";\n');
    const css = await api.app.request('/app/assets/style-9f8e7d6c.css');
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const missing = await api.app.request('/app/assets/app-ffffffff.js');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
  });

  it('serves nothing outside the build: no traversal, encoded or not, no nested or linked file', async () => {
    const attempts = [
      '/app/assets/../../secret.txt',
      '/app/assets/..%2F..%2Fsecret.txt',
      '/app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/app/assets/..%5C..%5Csecret.txt',
      '/app/assets/%2e%2e',
      '/app/assets/nested%2Fdeep.js',
      '/app/assets/nested/deep.js',
      '/app/assets/link.txt',
      '/app/assets/..%2Fnotes.txt',
      '/app/../secret.txt',
      '/app/%2e%2e/secret.txt',
      '/app/assets/constructor',
      '/app/assets/__proto__',
    ];
    for (const path of attempts) {
      const res = await api.app.request(path);
      const text = await res.text();
      assert.ok(!text.includes('not for the browser') && !text.includes('not an asset'), `${path} leaked a file`);
      assert.ok(res.status === 404 || text.includes('<title>Wardstream</title>'), `${path}: ${res.status}`);
    }
  });

  it('is not mounted without a build directory, and refuses one without index.html', async () => {
    const bare = await ClinicalApi.open({ dashboardDir: join(root, 'nowhere') }).then(
      () => 'opened',
      (err: unknown) => String(err),
    );
    assert.match(bare, /index\.html cannot be read: build the dashboard/);
  });
});
