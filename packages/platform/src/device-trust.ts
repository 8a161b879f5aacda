import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { DeviceAuthDecision, DeviceAuthRequest } from '@wardstream/gateway';
import { CertificateAuthority, normalizeSerial, RevocationWatcher } from '@wardstream/pki';
import type { MqttTlsConfig } from './config.js';
import type { Logger } from './logger.js';

/** PEM material of the MQTT TLS listener. */
export interface ListenerTls {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}

/** Which devices are approved (zero-touch enrollment); absent: every certified device is. */
export interface DeviceApprovals {
  /** False for a device enrolled and still pending, or rejected. */
  isApproved(deviceId: string): boolean;
}

/**
 * What the platform trusts a device by: the TLS material of its listener, the deployment's CA when
 * it is the platform's own, and the authorization the MQTT endpoint asks at CONNECT and again while
 * a device stays connected (revocation, enrollment approval).
 */
export interface DeviceTrust {
  readonly tls: ListenerTls;
  /** The platform's own CA (`<key-dir>/ca`); null when the hospital's PKI supplies the TLS files. */
  readonly ca: CertificateAuthority | null;
  authorize(request: DeviceAuthRequest): DeviceAuthDecision;
  /** Called when the revocation list changes, so live sessions of a revoked certificate are cut at once. */
  onRevocationsChanged(listener: () => void): void;
  close(): void;
}

export interface DeviceTrustOptions {
  readonly keyDir: string;
  readonly mqttTls: MqttTlsConfig;
  /** The hospital's CA certificate (chain) and key, instead of the platform's own in `<key-dir>/ca`. */
  readonly deviceCa?: { readonly certPath: string; readonly keyPath: string } | undefined;
  /** Hosts devices reach the MQTT listener by (the server certificate's names). */
  readonly mqttHost: string;
  /** Other addresses the same certificate serves (the HTTP API's, when it uses HTTPS). */
  readonly otherHosts?: readonly string[];
  readonly logger: Logger;
  readonly approvals?: DeviceApprovals;
  /** How often the revocation list is re-read (default the watcher's, 5 s: well inside the 60 s bound). */
  readonly revocationIntervalMs?: number;
  readonly now?: () => number;
}

const SERVER_CERT = 'mqtt-server.crt';
const SERVER_KEY = 'mqtt-server.key';
/** A server certificate this close to its end is replaced at start. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** RFC 1123 host name, as the CA accepts it for a server certificate. */
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * The names the server certificate must carry: the configured hosts, loopback, and this machine's
 * name. Wildcard addresses (0.0.0.0, ::) name no host; IPv6 may come bracketed; DNS names are
 * compared without case; a machine name that is no valid host name (an underscore) is left out
 * rather than failing the start.
 */
export function serverHostnames(...hosts: string[]): string[] {
  const names = new Set<string>(['127.0.0.1', 'localhost']);
  const add = (raw: string, optional: boolean) => {
    const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    if (host === '' || host === '0.0.0.0' || host === '::') return;
    if (isIP(host) !== 0) names.add(host);
    else if (!optional || HOSTNAME.test(host)) names.add(host.toLowerCase());
  };
  add(hostname(), true);
  for (const host of hosts) add(host, false);
  return [...names];
}

/** True when `cert` names `host` (an IP address, or a DNS name in any case). */
function certificateNames(cert: X509Certificate, host: string): boolean {
  return isIP(host) !== 0
    ? cert.checkIP(host) !== undefined
    : cert.checkHost(host, { subject: 'never', wildcards: false }) !== undefined;
}

/** A certificate and its key as read back from disk. */
export interface CredentialFiles {
  readonly cert: string;
  readonly key: string;
  readonly parsed: X509Certificate;
}

/**
 * The certificate and key at these paths, or undefined when either is missing, unreadable or
 * unparseable, or the key is not the certificate's (a crash between the two writes, a hand edit):
 * the caller issues a new pair instead of handing TLS a pair that cannot work.
 */
export function readCredentialFiles(certPath: string, keyPath: string): CredentialFiles | undefined {
  try {
    const cert = readFileSync(certPath, 'utf8');
    const key = readFileSync(keyPath, 'utf8');
    const parsed = new X509Certificate(cert);
    return parsed.checkPrivateKey(createPrivateKey(key)) ? { cert, key, parsed } : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces `path` atomically and durably: a temporary file (created with `mode`), fsync, rename. */
function writeFileAtomicSync(path: string, data: string, mode: number): void {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * Writes a key (0600) and its certificate (0644), each atomically. A crash between the two leaves a
 * pair that readCredentialFiles refuses, so it is issued again.
 */
export function writeCredentialFiles(certPath: string, keyPath: string, certPem: string, keyPem: string): void {
  writeFileAtomicSync(keyPath, keyPem, 0o600);
  writeFileAtomicSync(certPath, certPem, 0o644);
}

/**
 * The listener's certificate from the platform's CA: reused while it matches its key, is valid for
 * 30 more days, issued by the same CA and names every host; otherwise issued again (at first
 * start, after a CA change or a new `--mqtt-host`).
 */
async function serverCredential(
  ca: CertificateAuthority,
  keyDir: string,
  hostnames: string[],
  now: number,
  logger: Logger,
): Promise<{ key: string; cert: string }> {
  const certPath = join(keyDir, SERVER_CERT);
  const keyPath = join(keyDir, SERVER_KEY);
  const existing = readCredentialFiles(certPath, keyPath);
  if (existing !== undefined) {
    const { parsed } = existing;
    const current =
      parsed.checkIssued(new X509Certificate(ca.certificatePem)) &&
      Date.parse(parsed.validTo) - now > RENEW_BEFORE_MS &&
      hostnames.every((h) => certificateNames(parsed, h));
    if (current) return { key: existing.key, cert: existing.cert };
  }
  const issued = await ca.issueServer(hostnames);
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  writeCredentialFiles(certPath, keyPath, issued.certificatePem, issued.keyPem);
  logger.info('trust', 'issued the MQTT server certificate', { serial: issued.serial, hostnames });
  return { key: issued.keyPem, cert: issued.certificatePem };
}

/**
 * Opens the device side of the platform's trust: the CA (created at first start in
 * `<key-dir>/ca`, outside the data directory), the listener's TLS material, and the revocation list
 * that `wardstream certs revoke` (another process) writes, re-read every few seconds.
 */
export async function openDeviceTrust(options: DeviceTrustOptions): Promise<DeviceTrust> {
  const { keyDir, logger } = options;
  const now = options.now ?? Date.now;
  const caDir = join(keyDir, 'ca');
  let ca: CertificateAuthority | null = null;
  let tls: ListenerTls;
  if (options.mqttTls.kind === 'platform-ca') {
    const supplied = options.deviceCa;
    if (supplied !== undefined) {
      ca = await CertificateAuthority.fromFiles({ ...supplied, inventoryDir: caDir }, { now });
      logger.info('trust', "the device certificate authority is the hospital's", { ca: ca.subject, inventory: caDir });
    } else {
      const existed = existsSync(caDir);
      ca = await CertificateAuthority.openOrCreate(caDir, { now });
      if (!existed) logger.info('trust', 'created the device certificate authority', { dir: caDir, ca: ca.subject });
    }
    const server = await serverCredential(
      ca,
      keyDir,
      serverHostnames(options.mqttHost, ...(options.otherHosts ?? [])),
      now(),
      logger,
    );
    tls = { ...server, ca: ca.certificatePem };
  } else {
    const files = options.mqttTls;
    tls = {
      cert: readFileSync(files.certPath, 'utf8'),
      key: readFileSync(files.keyPath, 'utf8'),
      ca: readFileSync(files.caPath, 'utf8'),
    };
  }

  const listeners: (() => void)[] = [];
  // With the hospital's PKI the list still applies (by serial) when the key directory holds one.
  const watcher = RevocationWatcher.start(caDir, {
    ...(options.revocationIntervalMs === undefined ? {} : { intervalMs: options.revocationIntervalMs }),
    onError: (err) => {
      logger.error('trust', 'the revocation list could not be read: the last one read stays in force', {
        error: err.message,
      });
    },
    onChange: (serials) => {
      logger.warn('security', 'revocation list changed', { revoked: serials.size });
      for (const l of listeners) l();
    },
  });

  return {
    tls,
    ca,
    authorize: (request) => {
      const serial = request.certificate === null ? null : normalizeSerial(request.certificate.serialNumber);
      if (serial !== null && watcher.isRevoked(serial)) {
        const why = watcher.revocation(serial)?.reason;
        return {
          ok: false,
          reason: 'certificate-revoked',
          detail: `certificate ${serial} is revoked${why === undefined ? '' : `: ${why}`}`,
        };
      }
      if (options.approvals !== undefined && !options.approvals.isApproved(request.deviceId)) {
        return {
          ok: false,
          reason: 'device-not-approved',
          detail: 'the device is enrolled but not approved by an administrator',
        };
      }
      return { ok: true };
    },
    onRevocationsChanged: (listener) => {
      listeners.push(listener);
    },
    close: () => {
      watcher.close();
    },
  };
}
