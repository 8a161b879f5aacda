import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The built web dashboard (`@wardstream/dashboard`'s `dist-web`), found beside the installed
 * package at run time (no build-time dependency: the dashboard's tests start this platform), or
 * undefined when the package is absent or its web build has not run: the API then serves no `/app/`.
 */
export function findDashboardDir(from: string = import.meta.url): string | undefined {
  let manifest: string;
  try {
    manifest = createRequire(from).resolve('@wardstream/dashboard/package.json');
  } catch {
    return undefined;
  }
  const dir = join(dirname(manifest), 'dist-web');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
