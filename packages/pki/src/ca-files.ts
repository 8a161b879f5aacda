import { randomBytes, X509Certificate as NodeCertificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { PkiError } from './errors.js';
import { randomSerial } from './serial.js';
import { EC_P256, generateP256, importSigningKey, privateKeyPem, x509, type SigningKey } from './x509.js';

export const CA_KEY_FILE = 'ca.key';
export const CA_CERT_FILE = 'ca.crt';
export const DAY_MS = 86_400_000;
/**
 * Every certificate starts an hour before it is signed: a device whose clock lags (no RTC battery,
 * no NTP yet) would otherwise refuse a server certificate, or be refused, for its first minutes.
 */
export const CLOCK_SKEW_MS = 3_600_000;

/** A CA ready to sign: its certificate (parsed), the chain to hand to TLS peers, its key. */
export interface LoadedCa {
  readonly certificate: x509.X509Certificate;
  /** The issuing CA's certificate first, then any certificates above it, PEM. */
  readonly chainPem: string;
  readonly signing: SigningKey;
}

export interface CreateCaOptions {
  readonly commonName?: string;
  readonly validityDays?: number;
  readonly now: () => number;
}

/**
 * Creates ca.key (PKCS#8, 0600) and ca.crt in `dir` (0700): a self-signed ECDSA P-256 root, CA:true
 * with path length 0 (it signs end entities only), keyCertSign and cRLSign, subject key identifier.
 * The key is renamed into place before the certificate, so a crash between the two leaves a key
 * without a certificate, which open() reports rather than silently making a second CA.
 */
export async function createCaFiles(dir: string, options: CreateCaOptions): Promise<void> {
  const validityDays = options.validityDays ?? 3650;
  if (!Number.isFinite(validityDays) || validityDays <= 0) {
    throw new PkiError('invalid-validity', `CA validity must be a positive number of days, not ${validityDays}`);
  }
  const commonName = options.commonName ?? `Wardstream device CA ${randomBytes(3).toString('hex')}`;
  const now = options.now();
  const keys = await generateP256();
  const name = new x509.Name([{ CN: [{ utf8String: commonName }] }]);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: name,
    notBefore: new Date(seconds(now - CLOCK_SKEW_MS)),
    notAfter: new Date(seconds(now + validityDays * DAY_MS)),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await writeFileAtomic(join(dir, CA_KEY_FILE), await privateKeyPem(keys.privateKey), 0o600);
  await writeFileAtomic(join(dir, CA_CERT_FILE), certificate.toString('pem') + '\n', 0o644);
}

/** Which of the CA files a directory holds. */
export function caFilesIn(dir: string): { key: boolean; certificate: boolean } {
  return { key: existsSync(join(dir, CA_KEY_FILE)), certificate: existsSync(join(dir, CA_CERT_FILE)) };
}

/**
 * Loads a CA from a certificate file (the issuing CA first; a hospital's intermediate may be
 * followed by the certificates above it) and its private key. Refuses, naming the file, a
 * certificate that is not a CA, one not allowed to sign certificates, and a key that is not its own.
 */
export async function loadCa(certPath: string, keyPath: string): Promise<LoadedCa> {
  const certText = readText(certPath);
  const blocks = certText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const [first] = blocks;
  if (first === undefined) throw new PkiError('ca-invalid', `${certPath} holds no PEM certificate`);
  let nodeCert: NodeCertificate;
  let certificate: x509.X509Certificate;
  try {
    nodeCert = new NodeCertificate(first);
    certificate = new x509.X509Certificate(first);
  } catch (error) {
    throw new PkiError('ca-invalid', `${certPath}: cannot parse the certificate: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!nodeCert.ca)
    throw new PkiError('ca-invalid', `${certPath} is not a CA certificate (basicConstraints CA:true missing)`);
  const usage = certificate.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new PkiError('ca-invalid', `${certPath} may not sign certificates (keyUsage lacks keyCertSign)`);
  }
  let loaded: Awaited<ReturnType<typeof importSigningKey>>;
  try {
    loaded = await importSigningKey(readText(keyPath));
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError('ca-invalid', `${keyPath}: cannot read the private key: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!nodeCert.checkPrivateKey(loaded.keyObject)) {
    throw new PkiError('ca-invalid', `${keyPath} is not the private key of ${certPath}`);
  }
  return { certificate, chainPem: `${blocks.join('\n')}\n`, signing: loaded.signing };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new PkiError('ca-invalid', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** X.509 times have one-second resolution (RFC 5280 4.1.2.5); keep ours on that grid. */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
