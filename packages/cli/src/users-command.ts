import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLIENT_ROLES, IDENTITY_DB_FILE, readIssuerRecord, SqliteIdentityStore, USER_ROLES } from '@wardstream/auth';
import type { Command, CommandIo } from './io.js';

const COMMON = `  --data-dir DIR      the platform's data directory [WARDSTREAM_DATA_DIR] (default ./wardstream-data);
                      the accounts are in DIR/${IDENTITY_DB_FILE}, usable while the platform runs`;

const USERS_HELP = `Usage: wardstream users <subcommand> [options]

People (and scripted accounts) who sign in to the embedded token issuer with a password. There is no
default password anywhere: the first admin is made with create-admin.

  create-admin USERNAME [--display-name N] [--password-stdin]
                      the first admin: prints a new 24-character password once on stdout (or takes
                      one line from stdin), and how to get a token with it
  add USERNAME --role ${USER_ROLES.join('|')} [--wards W1,W2] [--display-name N] [--password-stdin]
                      a user; prints a new password once unless one is given on stdin
  list [--json]       every user (never a password hash)
  disable USERNAME    refuse the user's sign-ins from now on (tokens already issued run out)
  enable USERNAME
  set-password USERNAME --password-stdin
${COMMON}

Passwords have at least 12 characters. Exit status: 0 done, 1 refused or failed, 2 bad command line.
`;

const CLIENTS_HELP = `Usage: wardstream clients <subcommand> [options]

OAuth clients (services, HTTP devices) that get tokens with client_credentials.

  add NAME --role ${CLIENT_ROLES.join('|')} [--wards W1,W2]
                      prints the client secret once on stdout: only its hash is kept
  list [--json]
  disable NAME
${COMMON}

Exit status: 0 done, 1 refused or failed, 2 bad command line.
`;

/** Letters and digits that cannot be misread (no 0/O, 1/l/I): 24 of them are ~139 bits. */
const PASSWORD_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const GENERATED_PASSWORD_LENGTH = 24;

class UsageError extends Error {}

interface Parsed {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

export const usersCommand: Command = (argv, io) => dispatch('users', USERS_HELP, argv, io, usersSubcommand);
export const clientsCommand: Command = (argv, io) => dispatch('clients', CLIENTS_HELP, argv, io, clientsSubcommand);

async function dispatch(
  name: string,
  help: string,
  argv: readonly string[],
  io: CommandIo,
  run: (sub: string, args: Parsed, io: CommandIo) => Promise<number>,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(help);
    return sub === undefined ? 2 : 0;
  }
  let args: Parsed;
  try {
    args = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        role: { type: 'string' },
        wards: { type: 'string' },
        'display-name': { type: 'string' },
        'password-stdin': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    return usage(io, name, (error as Error).message);
  }
  if (args.values['help'] === true) {
    io.stdout.write(help);
    return 0;
  }
  try {
    return await run(sub, args, io);
  } catch (error) {
    if (error instanceof UsageError) return usage(io, name, error.message);
    // a refusal (name taken, weak password, last admin) or a failure: one line, exit 1
    io.stderr.write(`wardstream ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function usersSubcommand(sub: string, args: Parsed, io: CommandIo): Promise<number> {
  const store = openStore(args, io, sub === 'create-admin' || sub === 'add');
  try {
    switch (sub) {
      case 'create-admin':
      case 'add': {
        const username = onePositional(args, 'USERNAME');
        const role = sub === 'create-admin' ? 'admin' : oneOf(args, 'role', USER_ROLES);
        const given = args.values['password-stdin'] === true ? await passwordFromStdin(io) : undefined;
        const password = given ?? generatePassword();
        const displayName = stringOption(args, 'display-name');
        const user = await store.createUser({
          username,
          role,
          wards: wardsOption(args),
          password,
          ...(displayName === undefined ? {} : { displayName }),
        });
        if (given === undefined) io.stdout.write(`${password}\n`);
        io.stderr.write(
          `created ${user.role} "${user.username}"${user.wards.length > 0 ? ` (wards ${user.wards.join(', ')})` : ''}` +
            `${given === undefined ? '; the password above is shown this once' : ''}\n` +
            `get a token:\n  curl -s -d grant_type=password -d username=${user.username} ` +
            `--data-urlencode 'password=<the password>' ${issuerUrl(args, io)}/oauth/token\n`,
        );
        return 0;
      }
      case 'list': {
        const users = await store.listUsers();
        if (args.values['json'] === true) {
          for (const u of users) io.stdout.write(`${JSON.stringify(u)}\n`);
        } else {
          io.stdout.write(
            table(
              ['USERNAME', 'ROLE', 'WARDS', 'STATUS', 'NAME'],
              users.map((u) => [
                u.username,
                u.role,
                u.wards.join(',') || '-',
                u.disabled ? 'disabled' : 'enabled',
                u.displayName,
              ]),
            ),
          );
        }
        return 0;
      }
      case 'disable':
      case 'enable': {
        const user = await store.updateUser(onePositional(args, 'USERNAME'), { disabled: sub === 'disable' });
        io.stderr.write(`user "${user.username}" ${user.disabled ? 'disabled' : 'enabled'}\n`);
        return 0;
      }
      case 'set-password': {
        const username = onePositional(args, 'USERNAME');
        if (args.values['password-stdin'] !== true)
          throw new UsageError('set-password takes the new password on stdin: --password-stdin');
        await store.updateUser(username, { password: await passwordFromStdin(io) });
        io.stderr.write(`password of "${username}" changed\n`);
        return 0;
      }
      default:
        throw new UsageError(
          `unknown subcommand "${sub}" (expected create-admin, add, list, disable, enable, set-password)`,
        );
    }
  } finally {
    store.close();
  }
}

async function clientsSubcommand(sub: string, args: Parsed, io: CommandIo): Promise<number> {
  const store = openStore(args, io, sub === 'add');
  try {
    switch (sub) {
      case 'add': {
        const { client, secret } = await store.createClient({
          clientId: onePositional(args, 'NAME'),
          role: oneOf(args, 'role', CLIENT_ROLES),
          wards: wardsOption(args),
        });
        io.stdout.write(`${secret}\n`);
        io.stderr.write(
          `created ${client.role} client "${client.clientId}"; the secret above is shown this once\n` +
            `get a token:\n  curl -s -u '${client.clientId}:<the secret>' -d grant_type=client_credentials ${issuerUrl(args, io)}/oauth/token\n`,
        );
        return 0;
      }
      case 'list': {
        const clients = await store.listClients();
        if (args.values['json'] === true) {
          for (const c of clients) io.stdout.write(`${JSON.stringify(c)}\n`);
        } else {
          io.stdout.write(
            table(
              ['CLIENT', 'ROLE', 'WARDS', 'STATUS'],
              clients.map((c) => [c.clientId, c.role, c.wards.join(',') || '-', c.disabled ? 'disabled' : 'enabled']),
            ),
          );
        }
        return 0;
      }
      case 'disable': {
        const client = await store.setClientDisabled(onePositional(args, 'NAME'), true);
        io.stderr.write(`client "${client.clientId}" disabled\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown subcommand "${sub}" (expected add, list, disable)`);
    }
  } finally {
    store.close();
  }
}

function dataDir(args: Parsed, io: CommandIo): string {
  return resolve(stringOption(args, 'data-dir') ?? io.env['WARDSTREAM_DATA_DIR'] ?? 'wardstream-data');
}

/** The identity database; created (with its directory) only by the commands that add an account. */
function openStore(args: Parsed, io: CommandIo, create: boolean): SqliteIdentityStore {
  const dir = dataDir(args, io);
  const path = join(dir, IDENTITY_DB_FILE);
  if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
  else if (!existsSync(path)) throw new Error(`no accounts at ${path} (is --data-dir the platform's data directory?)`);
  return SqliteIdentityStore.open({ path });
}

/** Where the token endpoint is: the URL the platform recorded with its keys, else the default. */
function issuerUrl(args: Parsed, io: CommandIo): string {
  const keyDir = resolve(io.env['WARDSTREAM_KEY_DIR'] ?? `${dataDir(args, io)}-keys`);
  const url =
    io.env['WARDSTREAM_PUBLIC_URL'] ??
    readIssuerRecord(keyDir)?.issuer ??
    `http://127.0.0.1:${io.env['WARDSTREAM_HTTP_PORT'] ?? '8080'}`;
  return url.replace(/\/+$/, '');
}

function generatePassword(): string {
  return Array.from({ length: GENERATED_PASSWORD_LENGTH }, () =>
    PASSWORD_ALPHABET.charAt(randomInt(PASSWORD_ALPHABET.length)),
  ).join('');
}

/** The first line of standard input, without its line ending (`printf %s "$PW" | …` and `echo` both work). */
async function passwordFromStdin(io: CommandIo): Promise<string> {
  if (io.stdin === undefined) throw new UsageError('--password-stdin needs a standard input');
  let text = '';
  for await (const chunk of io.stdin) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.length > 4096) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError('--password-stdin: standard input held no password');
  return line;
}

function onePositional(args: Parsed, name: string): string {
  const [value, ...extra] = args.positionals;
  if (value === undefined) throw new UsageError(`${name} is required`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`);
  return value;
}

function stringOption(args: Parsed, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

function oneOf<T extends string>(args: Parsed, name: string, allowed: readonly T[]): T {
  const value = stringOption(args, name);
  if (value === undefined) throw new UsageError(`--${name} is required (${allowed.join(', ')})`);
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function wardsOption(args: Parsed): string[] {
  const value = stringOption(args, 'wards');
  return value === undefined
    ? []
    : value
        .split(',')
        .map((w) => w.trim())
        .filter((w) => w !== '');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return (
    [head, ...rows]
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function usage(io: CommandIo, name: string, message: string): number {
  io.stderr.write(`wardstream ${name}: ${message}\nRun "wardstream ${name} --help" for usage.\n`);
  return 2;
}
