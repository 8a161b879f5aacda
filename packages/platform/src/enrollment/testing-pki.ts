import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A bootstrap certificate as a manufacturer installs it in a device, with its key. */
export interface BootstrapCredential {
  readonly key: string;
  readonly cert: string;
}

/**
 * Throwaway manufacturer CAs and what a device carries, made with the `openssl` command line, as a
 * device integrator would: CA files for the enrollment policy, bootstrap certificates (optionally
 * already expired), and a device's own key and CSR. For tests only.
 */
export interface ManufacturerPki {
  readonly dir: string;
  /** Path of manufacturer `name`'s CA certificate (PEM). */
  caPath(name: string): string;
  /** A bootstrap certificate for `subject` (e.g. `/CN=SN1` or `/CN=x/serialNumber=SN1`) signed by `name`'s CA. */
  bootstrap(name: string, subject: string, options?: { readonly expired?: boolean }): BootstrapCredential;
  /** A P-256 key generated "on the device" and its PKCS#10 request. */
  deviceCsr(subject?: string): { readonly key: string; readonly csr: string };
  /** A request that parses but whose signature does not verify: no proof of possession. */
  forgedCsr(): string;
  dispose(): void;
}

function openssl(cwd: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Creates a CA for each of `manufacturers` in a temporary directory. */
export function createManufacturerPki(manufacturers: readonly string[]): ManufacturerPki {
  const dir = mkdtempSync(join(tmpdir(), 'wardstream-enroll-'));
  for (const name of manufacturers) {
    writeFileSync(
      join(dir, `${name}-ca.ext`),
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n',
    );
    openssl(dir, [
      'req',
      '-x509',
      ...P256,
      '-keyout',
      `${name}-ca.key`,
      '-out',
      `${name}-ca.crt`,
      '-days',
      '2',
      '-subj',
      `/O=${name}/CN=${name} device bootstrap CA`,
    ]);
  }
  writeFileSync(join(dir, 'bootstrap.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  let n = 0;
  const deviceCsr = (subject = '/CN=ignored-by-the-ca') => {
    n++;
    openssl(dir, ['req', ...P256, '-keyout', `dev-${n}.key`, '-out', `dev-${n}.csr`, '-subj', subject]);
    return {
      key: readFileSync(join(dir, `dev-${n}.key`), 'utf8'),
      csr: readFileSync(join(dir, `dev-${n}.csr`), 'utf8'),
    };
  };
  return {
    dir,
    caPath: (name) => join(dir, `${name}-ca.crt`),
    bootstrap(name, subject, options = {}) {
      n++;
      openssl(dir, ['req', ...P256, '-keyout', `boot-${n}.key`, '-out', `boot-${n}.csr`, '-subj', subject]);
      // -days -1 puts notAfter a day before notBefore (now): expired from the start.
      openssl(dir, [
        'x509',
        '-req',
        '-in',
        `boot-${n}.csr`,
        '-CA',
        `${name}-ca.crt`,
        '-CAkey',
        `${name}-ca.key`,
        '-CAcreateserial',
        '-out',
        `boot-${n}.crt`,
        '-days',
        options.expired === true ? '-1' : '2',
        '-extfile',
        'bootstrap.ext',
      ]);
      return {
        key: readFileSync(join(dir, `boot-${n}.key`), 'utf8'),
        cert: readFileSync(join(dir, `boot-${n}.crt`), 'utf8'),
      };
    },
    deviceCsr,
    forgedCsr() {
      const { csr } = deviceCsr();
      const body = csr.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
      const der = Buffer.from(body, 'base64');
      // The last byte is inside the signature's s integer: flipping it keeps the DER well formed.
      der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
      const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
