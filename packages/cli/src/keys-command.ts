import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalIssuer, readIssuerRecord } from '@wardstream/auth';
import type { Command, CommandIo } from './io.js';

const HELP = `Usage: wardstream keys rotate [--data-dir DIR | --key-dir DIR]

Rotates the embedded token issuer's signing key. Tokens are signed with the new key from now on; the
old key stays in the published key set (/oauth/jwks.json) until every token it signed has expired
(at most an hour), so nobody is signed out. A running platform follows the rotation at its next
request: no restart.

  --data-dir DIR   the platform's data directory [WARDSTREAM_DATA_DIR]; the keys are in DIR-keys/oidc
  --key-dir DIR    the key directory itself [WARDSTREAM_KEY_DIR] (default <data-dir>-keys)

Exit status: 0 rotated, 1 no keys or other failure, 2 bad command line.
`;

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`wardstream keys: ${message}\nRun "wardstream keys --help" for usage.\n`);
  return 2;
}

/** `wardstream keys rotate`: a new token-signing key, the old one kept for verification until its tokens expire. */
export const keysCommand: Command = async (argv, io) => {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: { 'data-dir': { type: 'string' }; 'key-dir': { type: 'string' }; help: { type: 'boolean' } };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { 'data-dir': { type: 'string' }, 'key-dir': { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'rotate') {
    return usage(io, positionals.length === 0 ? 'say what to do: rotate' : `unknown action "${positionals.join(' ')}"`);
  }
  if (values['data-dir'] !== undefined && values['key-dir'] !== undefined) {
    return usage(io, 'give --data-dir or --key-dir, not both');
  }
  const keyDir = resolve(
    values['key-dir'] ??
      (values['data-dir'] === undefined ? io.env['WARDSTREAM_KEY_DIR'] : undefined) ??
      `${resolve(values['data-dir'] ?? io.env['WARDSTREAM_DATA_DIR'] ?? 'wardstream-data')}-keys`,
  );
  const recorded = readIssuerRecord(keyDir);
  if (recorded === undefined) {
    io.stderr.write(`wardstream keys: no token issuer in ${keyDir}/oidc (the platform creates it at first start)\n`);
    return 1;
  }
  try {
    const issuer = LocalIssuer.open({ keyDir, ...recorded });
    const before = issuer.currentKid;
    await issuer.rotate();
    io.stdout.write(
      `rotated the token-signing key: ${before} -> ${issuer.currentKid}\n` +
        `the old key verifies the tokens it signed until they expire (at most ${issuer.maxTokenTtlSec / 60} min)\n`,
    );
    return 0;
  } catch (error) {
    io.stderr.write(`wardstream keys: ${(error as Error).message}\n`);
    return 1;
  }
};
