import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_TOKEN_TTL_SEC, isValidName, LocalIssuer, readIssuerRecord } from '@wardstream/auth';
import { isValidId } from '@wardstream/domain';
import type { Command, CommandIo } from './io.js';

const ROLES = ['nurse', 'physician', 'admin', 'device', 'service'] as const;

const HELP = `Usage: wardstream token --subject S --role R [--wards W1,W2] [--name N] [--ttl 15m]
                       [--data-dir DIR | --key-dir DIR] [--issuer URL] [--audience AUD]

Mints a bearer token signed with the embedded issuer's current key, read from the key directory, and
prints only the token. For scripts, the simulator, the bench and tests on the platform's machine:
whoever can read the key directory is the issuer already. Nothing is checked against the user list.

  --subject S         the token's "sub" (1-64 of A-Z a-z 0-9 . _ - @)
  --role R            ${ROLES.join(', ')}
  --wards W1,W2       the wards a nurse or physician sees
  --name N            the "name" claim
  --ttl T             lifetime: seconds, or with s, m or h (default 15m, at most ${DEFAULT_MAX_TOKEN_TTL_SEC / 60}m)
  --data-dir DIR      the platform's data directory [WARDSTREAM_DATA_DIR]; the keys are in DIR-keys/oidc
  --key-dir DIR       the key directory itself [WARDSTREAM_KEY_DIR] (default <data-dir>-keys)
  --issuer URL        the "iss" [WARDSTREAM_PUBLIC_URL] (default: the one the platform recorded with its keys)
  --audience AUD      the "aud" [WARDSTREAM_OIDC_AUDIENCE] (default: the recorded one, else wardstream)

Exit status: 0 printed, 1 no keys or other failure, 2 bad command line.
`;

export const tokenCommand: Command = async (argv, io) => {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        subject: { type: 'string' },
        role: { type: 'string' },
        wards: { type: 'string' },
        name: { type: 'string' },
        ttl: { type: 'string' },
        'data-dir': { type: 'string' },
        'key-dir': { type: 'string' },
        issuer: { type: 'string' },
        audience: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  if (values['help'] === true) {
    io.stdout.write(HELP);
    return 0;
  }
  const text = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const problems: string[] = [];
  const subject = text('subject');
  if (subject === undefined || !isValidName(subject))
    problems.push('--subject is required: 1-64 of A-Z a-z 0-9 . _ - @');
  const role = text('role');
  if (role === undefined || !(ROLES as readonly string[]).includes(role))
    problems.push(`--role is required: one of ${ROLES.join(', ')}`);
  const wards = (text('wards') ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
  const badWards = wards.filter((w) => !isValidId(w));
  if (badWards.length > 0) problems.push(`--wards: invalid ward id(s) ${badWards.join(', ')}`);
  const ttlSec = parseTtl(text('ttl') ?? '15m');
  if (ttlSec === undefined)
    problems.push(`--ttl: a number of seconds, or with s, m or h, up to ${DEFAULT_MAX_TOKEN_TTL_SEC / 60}m`);
  if (text('data-dir') !== undefined && text('key-dir') !== undefined)
    problems.push('give --data-dir or --key-dir, not both');
  if (problems.length > 0) return usage(io, problems.join('; '));

  const keyDir = resolve(
    text('key-dir') ??
      (text('data-dir') === undefined ? io.env['WARDSTREAM_KEY_DIR'] : undefined) ??
      `${resolve(text('data-dir') ?? io.env['WARDSTREAM_DATA_DIR'] ?? 'wardstream-data')}-keys`,
  );
  const recorded = readIssuerRecord(keyDir);
  const issuer = text('issuer') ?? io.env['WARDSTREAM_PUBLIC_URL']?.replace(/\/+$/, '') ?? recorded?.issuer;
  if (issuer === undefined) {
    io.stderr.write(`wardstream token: no issuer recorded in ${keyDir}/oidc: pass --issuer (the platform's URL)\n`);
    return 1;
  }
  const audience = text('audience') ?? io.env['WARDSTREAM_OIDC_AUDIENCE'] ?? recorded?.audience ?? 'wardstream';
  const name = text('name');
  try {
    // LocalIssuer.open fails with a clear message when the platform has not created its keys yet
    const signer = LocalIssuer.open({ keyDir, issuer, audience });
    const token = await signer.sign(
      { sub: subject ?? '', roles: [role ?? ''], wards, ...(name === undefined ? {} : { name }) },
      ttlSec ?? 0,
    );
    io.stdout.write(`${token}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`wardstream token: ${(error as Error).message}\n`);
    return 1;
  }
};

/** `900`, `900s`, `15m`, `1h` → seconds, within the issuer's longest lifetime; undefined otherwise. */
export function parseTtl(raw: string): number | undefined {
  const match = /^(\d{1,6})([smh]?)$/.exec(raw.trim());
  if (match === null) return undefined;
  const seconds = Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1);
  return seconds >= 1 && seconds <= DEFAULT_MAX_TOKEN_TTL_SEC ? seconds : undefined;
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`wardstream token: ${message}\nRun "wardstream token --help" for usage.\n`);
  return 2;
}
