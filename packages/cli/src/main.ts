#!/usr/bin/env node
// The `wardstream` executable: everything lives in cli.ts so tests can call it in-process.
import { main } from './cli.js';

const argv = process.argv.slice(2);
const code = await main(argv, {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
// A role of the scaled-out shape has closed what it opened when it returns; anything a driver
// left scheduled must not keep a stopped role's process alive.
if (['gateway', 'processor', 'api'].includes(argv[0] ?? '')) process.exit(code);
