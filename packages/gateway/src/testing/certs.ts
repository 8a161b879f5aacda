import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM material for one party. */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

/** How a test device certificate is issued. */
export interface DeviceCertOptions {
  /** Sign with a second CA the server does not trust. */
  readonly foreignCa?: boolean;
  /**
   * Validity window; default from now to two days on. A window in the past gives an expired
   * certificate, one in the future a not-yet-valid one.
   */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** A throwaway PKI for mutual-TLS tests: a CA, a server certificate for 127.0.0.1, device certificates. */
export interface TestPki {
  readonly ca: string;
  readonly server: KeyPair;
  /** A device certificate with subject CN `cn`, signed by the CA (or by a foreign CA). */
  device(cn: string, options?: DeviceCertOptions): KeyPair;
  /** Deletes the temporary directory. */
  dispose(): void;
}

const DAY_MS = 86_400_000;

function openssl(cwd: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function newCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
}

/** `YYYYMMDDHHMMSSZ`, the GeneralizedTime form `openssl ca -startdate/-enddate` take. */
function generalizedTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;
}

/**
 * `openssl ca` arguments signing `name.csr` for an arbitrary window: `x509 -days` cannot back-date,
 * and OpenSSL 3.0's `x509` has no `-not_before`. `ca` needs a configuration and a database, written
 * once per CA.
 */
function caSignArgs(dir: string, ca: string, window: { from: Date; to: Date }): string[] {
  const config = `${ca}.cnf`;
  if (!existsSync(join(dir, config))) {
    writeFileSync(join(dir, `${ca}.index`), '');
    writeFileSync(join(dir, `${ca}.ca-serial`), '01\n');
    writeFileSync(
      join(dir, config),
      [
        '[ca]',
        'default_ca = test_ca',
        '[test_ca]',
        `database = ${ca}.index`,
        // Required by `openssl ca` even with -rand_serial, which does not use it.
        `serial = ${ca}.ca-serial`,
        'new_certs_dir = .',
        'default_md = sha256',
        'unique_subject = no',
        'policy = any_cn',
        '[any_cn]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
  }
  return [
    'ca',
    '-batch',
    '-notext',
    '-config',
    config,
    '-cert',
    `${ca}.crt`,
    '-keyfile',
    `${ca}.key`,
    '-rand_serial',
    '-startdate',
    generalizedTime(window.from),
    '-enddate',
    generalizedTime(window.to),
  ];
}

function issue(
  dir: string,
  ca: string,
  name: string,
  subject: string,
  extensions: string,
  window?: { from: Date; to: Date },
): KeyPair {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  ]);
  const sign =
    window === undefined
      ? ['x509', '-req', '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2']
      : caSignArgs(dir, ca, window);
  openssl(dir, [...sign, '-in', `${name}.csr`, '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
  return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.crt`), 'utf8') };
}

/** Generates the PKI with the `openssl` command line into a temporary directory. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'wardstream-pki-'));
  newCa(dir, 'ca');
  newCa(dir, 'foreign-ca');
  const server = issue(
    dir,
    'ca',
    'server',
    '/CN=localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  let serial = 0;
  return {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    server,
    device(cn, options = {}) {
      serial++;
      const ca = options.foreignCa === true ? 'foreign-ca' : 'ca';
      const { notBefore, notAfter } = options;
      const window =
        notBefore === undefined && notAfter === undefined
          ? undefined
          : {
              from: notBefore ?? new Date(),
              to: notAfter ?? new Date((notBefore?.getTime() ?? Date.now()) + 2 * DAY_MS),
            };
      return issue(dir, ca, `device-${serial}`, `/CN=${cn}`, 'extendedKeyUsage=clientAuth\n', window);
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
