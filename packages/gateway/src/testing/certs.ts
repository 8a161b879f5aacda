import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM material for one party. */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

/** A throwaway PKI for mutual-TLS tests: a CA, a server certificate for 127.0.0.1, device certificates. */
export interface TestPki {
  readonly ca: string;
  readonly server: KeyPair;
  /** A device certificate with subject CN `cn`, signed by the CA (or by a foreign CA). */
  device(cn: string, options?: { foreignCa?: boolean }): KeyPair;
  /** Deletes the temporary directory. */
  dispose(): void;
}

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

function issue(dir: string, ca: string, name: string, subject: string, extensions: string): KeyPair {
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
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
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
      return issue(dir, ca, `device-${serial}`, `/CN=${cn}`, 'extendedKeyUsage=clientAuth\n');
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
