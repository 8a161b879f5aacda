#!/usr/bin/env node
// The `wardstream` executable: everything lives in cli.ts so tests can call it in-process.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
