import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Context, Hono } from 'hono';
import { problem } from '../problem.js';

/**
 * The dashboard's pages may load only what this origin serves: no inline script or style, no
 * framing (clickjacking), and API calls only to this origin.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

/** Content types of the files a Vite build emits; anything else is served as bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Hashed asset names change with their content, so a browser may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface StaticFile {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
}

function staticFile(path: string): StaticFile {
  const bytes = readFileSync(path);
  return {
    // A copy on its own ArrayBuffer (a Buffer may share a pooled one).
    body: new Uint8Array(bytes),
    contentType: CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
  };
}

/**
 * The built files, read once at mount: `index.html` and each regular file directly in `assets/`.
 * Requests are answered from this map by exact name, so no request path ever reaches the file
 * system: `..`, encoded slashes and symbolic links to elsewhere cannot name anything outside it.
 */
function loadBuild(dir: string): { index: StaticFile; assets: ReadonlyMap<string, StaticFile> } {
  let index: StaticFile;
  try {
    index = staticFile(join(dir, 'index.html'));
  } catch (err) {
    throw new Error(
      `dashboard: ${join(dir, 'index.html')} cannot be read: build the dashboard (npm run build -w @wardstream/dashboard)`,
      { cause: err },
    );
  }
  const assets = new Map<string, StaticFile>();
  const assetDir = join(dir, 'assets');
  let names: string[] = [];
  try {
    names = readdirSync(assetDir);
  } catch {
    // A build without assets (nothing but index.html) is still a build.
  }
  for (const name of names) {
    const path = join(assetDir, name);
    // lstat: a symbolic link is not followed (it could point anywhere).
    if (lstatSync(path).isFile()) assets.set(name, staticFile(path));
  }
  return { index, assets };
}

function securityHeaders(contentType: string, cacheControl: string): Record<string, string> {
  return {
    'content-type': contentType,
    'cache-control': cacheControl,
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

/**
 * The web dashboard built by `@wardstream/dashboard` (its `dist-web`), under `/app/`: hashed assets
 * at `/app/assets/<name>` (cached for a year), and `index.html` for `/app` and every other path
 * under it (the single-page app routes in the browser: `/app/callback`, `/app/wards/…`), never
 * cached so a new build is picked up. Public: the files hold no patient data; the app signs in
 * (authorization code with PKCE) before it reads any. Throws when `dir` has no `index.html`.
 */
export function mountDashboardRoutes(app: Hono, dir: string): void {
  const { index, assets } = loadBuild(dir);
  const page = (c: Context) => c.body(index.body, 200, securityHeaders(index.contentType, 'no-cache'));

  app.get('/app/assets/:name', (c) => {
    const name = c.req.param('name');
    const file = assets.get(name);
    if (file === undefined) {
      return c.json(problem('not-found', 404, `no dashboard asset ${JSON.stringify(name.slice(0, 100))}`), 404, {
        'content-type': 'application/problem+json',
      });
    }
    return c.body(file.body, 200, securityHeaders(file.contentType, IMMUTABLE));
  });
  app.get('/app', page);
  app.get('/app/*', page);
}
