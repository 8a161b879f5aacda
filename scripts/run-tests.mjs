#!/usr/bin/env node
// Runs the compiled tests with node's test runner.
//   unit: every packages/*/dist/**/*.test.js that is not *.int.test.js (no external service needed)
//   int:  every *.int.test.js (needs the services .ci/run starts)
// Extra arguments filter files by substring: `node scripts/run-tests.mjs unit gateway`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [kind = 'unit', ...filters] = process.argv.slice(2);
if (kind !== 'unit' && kind !== 'int') {
  console.error(`run-tests: unknown kind "${kind}" (expected unit or int)`);
  process.exit(2);
}
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}
const files = readdirSync('packages')
  .map((p) => join('packages', p, 'dist'))
  .filter((d) => {
    try {
      return statSync(d).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap((d) => walk(d, []))
  .filter((f) => (kind === 'int') === f.endsWith('.int.test.js'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no ${kind} test files found (did the build run?)`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
