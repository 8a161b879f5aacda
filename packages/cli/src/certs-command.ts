import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CA_CERT_FILE,
  CertificateAuthority,
  DEFAULT_DEVICE_VALIDITY_DAYS,
  PkiError,
  type IssuedCertificate,
} from '@wardstream/pki';
import type { Command, CommandIo } from './io.js';

const HELP = `Usage: wardstream certs init [CA]
       wardstream certs issue DEVICE_ID [--out DIR] [--days N] [CA]
       wardstream certs server --host H [--host H2 ...] [--out DIR] [--days N] [CA]
       wardstream certs list [--json] [CA]
       wardstream certs revoke SERIAL|DEVICE_ID --reason TEXT [CA]

The deployment's certificate authority: it signs the client certificates devices present to the
MQTT TLS listener, and the listener's own certificate.

init    creates the CA (an ECDSA P-256 key and a 10-year self-signed certificate) unless it exists;
        prints its certificate file and SHA-256 fingerprint. The platform creates it on first
        start too. Back up the CA directory: its key signs every device certificate.
issue   a device credential: writes DEVICE_ID.crt, DEVICE_ID.key (mode 0600) and ca.crt into
        --out (default ./DEVICE_ID-credentials); the CA keeps no copy of the key.
server  a server credential for the MQTT listener, valid for each --host (IP address or DNS name):
        writes server.crt, server.key and ca.crt into --out (default ./mqtt-server-credentials).
list    every certificate issued: serial, kind, subject, not after, state (valid/expired/revoked).
revoke  revokes a certificate by serial, or every certificate of a device id. Running platforms
        refuse it within 60 s: new connections, and live sessions are disconnected.

CA, the CA directory (first that is given):
  --ca-dir DIR     the CA directory itself
  --key-dir DIR    the platform's key directory: DIR/ca [WARDSTREAM_KEY_DIR]
  --data-dir DIR   the platform's data directory: DIR-keys/ca [WARDSTREAM_DATA_DIR]
                   (default ./wardstream-data-keys/ca)
  --ca-cert FILE   the hospital's CA for Wardstream (its certificate chain) and its key, as given
  --ca-key FILE    to "wardstream up" [WARDSTREAM_CA_CERT, WARDSTREAM_CA_KEY]: it signs; the CA
                   directory then holds only the inventory and the revocation list

  --days N         validity in days (default ${DEFAULT_DEVICE_VALIDITY_DAYS})
  --json           list as JSON
  --help           print this help

Exit status: 0 on success, 1 when the CA refuses or fails, 2 for a bad command line.
`;

const SUBCOMMANDS = ['init', 'issue', 'server', 'list', 'revoke'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

interface Values {
  'ca-dir'?: string | undefined;
  'ca-cert'?: string | undefined;
  'ca-key'?: string | undefined;
  'key-dir'?: string | undefined;
  'data-dir'?: string | undefined;
  out?: string | undefined;
  days?: string | undefined;
  host?: string[] | undefined;
  reason?: string | undefined;
  json?: boolean | undefined;
  help?: boolean | undefined;
}

/** A usage error: exit 2. */
class UsageError extends Error {}

export const certsCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) {
    return usage(io, `unknown subcommand "${sub}" (expected ${SUBCOMMANDS.join(', ')})`);
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: true,
      options: {
        'ca-dir': { type: 'string' },
        'ca-cert': { type: 'string' },
        'ca-key': { type: 'string' },
        'key-dir': { type: 'string' },
        'data-dir': { type: 'string' },
        out: { type: 'string' },
        days: { type: 'string' },
        host: { type: 'string', multiple: true },
        reason: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    if (values.help === true) {
      io.stdout.write(HELP);
      return 0;
    }
    return await run(sub as Subcommand, values, positionals, io);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      return usage(io, (error as Error).message);
    }
    if (error instanceof PkiError) {
      io.stderr.write(`wardstream certs: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};

async function run(sub: Subcommand, values: Values, positionals: string[], io: CommandIo): Promise<number> {
  const caDir: CaSource = { dir: resolveCaDir(values, io.env), files: caFiles(values, io.env) };
  switch (sub) {
    case 'init':
      expectPositionals(positionals, 0, 'init');
      return init(caDir, io);
    case 'issue': {
      const [deviceId] = expectPositionals(positionals, 1, 'issue DEVICE_ID');
      if (deviceId === undefined) throw new UsageError('issue needs a DEVICE_ID');
      return issue(caDir, deviceId, values, io);
    }
    case 'server':
      expectPositionals(positionals, 0, 'server');
      return server(caDir, values, io);
    case 'list':
      expectPositionals(positionals, 0, 'list');
      return list(caDir, values.json === true, io);
    case 'revoke': {
      const [target] = expectPositionals(positionals, 1, 'revoke SERIAL|DEVICE_ID');
      if (target === undefined) throw new UsageError('revoke needs a SERIAL or DEVICE_ID');
      if (values.reason === undefined || values.reason.trim() === '') {
        throw new UsageError('revoke needs --reason TEXT (it is kept with the revocation)');
      }
      return revoke(caDir, target, values.reason, io);
    }
  }
}

/** Where the CA's inventory lives, and the hospital's CA files when it supplies the CA. */
interface CaSource {
  readonly dir: string;
  readonly files: { readonly certPath: string; readonly keyPath: string } | undefined;
}

/** --ca-cert and --ca-key (or WARDSTREAM_CA_CERT/KEY, as `wardstream up` takes them): both or neither. */
function caFiles(values: Values, env: CommandIo['env']): CaSource['files'] {
  const certPath = values['ca-cert'] ?? env['WARDSTREAM_CA_CERT'];
  const keyPath = values['ca-key'] ?? env['WARDSTREAM_CA_KEY'];
  if ((certPath === undefined) !== (keyPath === undefined)) throw new UsageError('--ca-cert and --ca-key go together');
  return certPath === undefined || keyPath === undefined
    ? undefined
    : { certPath: resolve(certPath), keyPath: resolve(keyPath) };
}

/** The hospital's CA when its files are given (inventory in `dir`), else the platform's own in `dir`. */
function openCa(source: CaSource): Promise<CertificateAuthority> {
  return source.files === undefined
    ? CertificateAuthority.open(source.dir)
    : CertificateAuthority.fromFiles({ ...source.files, inventoryDir: source.dir });
}

/** --ca-dir, else --key-dir/ca, else <data-dir>-keys/ca: where the platform keeps it (see its config). */
function resolveCaDir(values: Values, env: CommandIo['env']): string {
  if (values['ca-dir'] !== undefined) return resolve(values['ca-dir']);
  const keyDir = values['key-dir'] ?? (values['data-dir'] === undefined ? env['WARDSTREAM_KEY_DIR'] : undefined);
  if (keyDir !== undefined && keyDir !== '') return resolve(keyDir, 'ca');
  const dataDir = values['data-dir'] ?? env['WARDSTREAM_DATA_DIR'] ?? 'wardstream-data';
  return resolve(`${resolve(dataDir)}-keys`, 'ca');
}

function expectPositionals(positionals: string[], count: number, shape: string): (string | undefined)[] {
  if (positionals.length > count) {
    throw new UsageError(`unexpected argument "${positionals[count] ?? ''}" (usage: wardstream certs ${shape})`);
  }
  return positionals;
}

function days(values: Values): number | undefined {
  if (values.days === undefined) return undefined;
  const n = Number(values.days);
  if (!Number.isSafeInteger(n) || n < 1 || n > 36_500) {
    throw new UsageError(`--days: "${values.days}" must be a whole number of days from 1 to 36500`);
  }
  return n;
}

async function init(caDir: CaSource, io: CommandIo): Promise<number> {
  if (caDir.files !== undefined) {
    const ca = await openCa(caDir);
    io.stdout.write(
      `certs: using the hospital's certificate authority "${ca.subject}" (inventory in ${caDir.dir})\n` +
        `  certificate  ${ca.certificatePath}\n  sha256       ${ca.fingerprint256}\n`,
    );
    return 0;
  }
  const existed = existsSync(join(caDir.dir, CA_CERT_FILE));
  const ca = await CertificateAuthority.openOrCreate(caDir.dir);
  io.stdout.write(
    `certs: ${existed ? 'using the existing' : 'created a new'} certificate authority "${ca.subject}"\n` +
      `  certificate  ${ca.certificatePath}\n` +
      `  sha256       ${ca.fingerprint256}\n` +
      (existed ? '' : `  back up ${caDir.dir}: its key signs every device certificate\n`),
  );
  return 0;
}

async function issue(caDir: CaSource, deviceId: string, values: Values, io: CommandIo): Promise<number> {
  const validityDays = days(values);
  const ca = await openCa(caDir);
  const out = resolve(values.out ?? `${deviceId}-credentials`);
  const files = refuseOverwrite(out, [`${deviceId}.crt`, `${deviceId}.key`], io);
  if (files === null) return 1;
  const issued = await ca.issueDevice(deviceId, validityDays === undefined ? {} : { validityDays });
  await writeCredential(out, files, issued.certificatePem, issued.keyPem, ca.certificatePem);
  io.stdout.write(
    `certs: issued a device certificate for ${deviceId}\n` +
      `  serial   ${issued.serial}\n` +
      `  expires  ${iso(issued.notAfter)}\n` +
      `  files    ${files.join(', ')} (key mode 0600), ${join(out, CA_CERT_FILE)}\n`,
  );
  return 0;
}

async function server(caDir: CaSource, values: Values, io: CommandIo): Promise<number> {
  const hosts = values.host ?? [];
  if (hosts.length === 0) throw new UsageError('server needs at least one --host (IP address or DNS name)');
  const validityDays = days(values);
  const ca = await openCa(caDir);
  const out = resolve(values.out ?? 'mqtt-server-credentials');
  const files = refuseOverwrite(out, ['server.crt', 'server.key'], io);
  if (files === null) return 1;
  const issued = await ca.issueServer(hosts, validityDays === undefined ? {} : { validityDays });
  await writeCredential(out, files, issued.certificatePem, issued.keyPem, ca.certificatePem);
  io.stdout.write(
    `certs: issued a server certificate for ${hosts.join(', ')}\n` +
      `  serial   ${issued.serial}\n` +
      `  expires  ${iso(issued.notAfter)}\n` +
      `  files    ${files.join(', ')} (key mode 0600), ${join(out, CA_CERT_FILE)}\n` +
      `  use      --mqtt-tls-cert ${files[0] ?? ''} --mqtt-tls-key ${files[1] ?? ''} --mqtt-tls-ca ${join(out, CA_CERT_FILE)}\n`,
  );
  return 0;
}

/** The certificate and key paths, or null (reported) when either exists: a key is never overwritten. */
function refuseOverwrite(out: string, names: string[], io: CommandIo): string[] | null {
  const paths = names.map((name) => join(out, name));
  const existing = paths.find((path) => existsSync(path));
  if (existing !== undefined) {
    io.stderr.write(`wardstream certs: ${existing} exists; choose another --out (a key is never overwritten)\n`);
    return null;
  }
  return paths;
}

async function writeCredential(
  out: string,
  [certPath, keyPath]: string[],
  certificatePem: string,
  keyPem: string,
  caPem: string,
): Promise<void> {
  await mkdir(out, { recursive: true, mode: 0o700 });
  await writeFile(keyPath ?? '', keyPem, { mode: 0o600, flag: 'wx' });
  await writeFile(certPath ?? '', certificatePem, { mode: 0o644, flag: 'wx' });
  await writeFile(join(out, CA_CERT_FILE), caPem, { mode: 0o644 });
}

type State = 'valid' | 'expired' | 'revoked';

function stateOf(cert: IssuedCertificate, now: number): State {
  if (cert.revokedAt !== null) return 'revoked';
  return cert.notAfter <= now ? 'expired' : 'valid';
}

async function list(caDir: CaSource, json: boolean, io: CommandIo): Promise<number> {
  const ca = await openCa(caDir);
  const now = Date.now();
  const certs = ca.list().map((cert) => ({ ...cert, state: stateOf(cert, now) }));
  if (json) {
    io.stdout.write(`${JSON.stringify(certs, null, 2)}\n`);
    return 0;
  }
  if (certs.length === 0) {
    io.stdout.write(`certs: the CA in ${caDir.dir} has issued no certificate yet\n`);
    return 0;
  }
  const rows = [
    ['SERIAL', 'KIND', 'SUBJECT', 'NOT AFTER', 'STATE'],
    ...certs.map((c) => [c.serial, c.kind, c.subject, iso(c.notAfter), c.state]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows) {
    io.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
  return 0;
}

async function revoke(caDir: CaSource, target: string, reason: string, io: CommandIo): Promise<number> {
  const ca = await openCa(caDir);
  const revoked = await ca.revoke(target, reason);
  for (const cert of revoked) {
    io.stdout.write(
      `certs: revoked ${cert.serial} (${cert.kind} ${cert.subject}) at ${iso(cert.revokedAt ?? 0)}: ${cert.revocationReason ?? ''}\n`,
    );
  }
  io.stdout.write('certs: takes effect on running platforms within 60 s\n');
  return 0;
}

/** ISO-8601 to the second: X.509 times have no finer resolution. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function usage(io: CommandIo, problem: string): number {
  io.stderr.write(`wardstream certs: ${problem}\nRun "wardstream certs --help" for the options.\n`);
  return 2;
}
