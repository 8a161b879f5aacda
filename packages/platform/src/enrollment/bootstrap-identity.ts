import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { isValidId, type DeviceId } from '@wardstream/domain';
import type { ManufacturerPolicy } from './enrollment-policy.js';
import type { EnrollmentRefusal } from './enrollment-refusal.js';

/** What the TLS layer established about an enrollment client. */
export interface BootstrapPeer {
  /** The chain verified against the manufacturer CAs and every OpenSSL check (validity, purpose) passed. */
  readonly authorized: boolean;
  /** OpenSSL's verification error code (e.g. `CERT_HAS_EXPIRED`) when not authorized. */
  readonly authorizationError: string | null;
  /** The client certificate first, then its issuers as the TLS layer built the chain; empty without one. */
  readonly chain: readonly X509Certificate[];
  /** The client certificate's subject attributes (`CN`, `serialNumber`…); an array when repeated. */
  readonly subject: Readonly<Record<string, string | string[] | undefined>>;
}

/** A device whose bootstrap certificate a known manufacturer issued. */
export interface VerifiedBootstrap {
  readonly ok: true;
  readonly manufacturer: ManufacturerPolicy;
  readonly deviceId: DeviceId;
  /** Serial (hex) of the bootstrap certificate. */
  readonly serial: string;
}

export type BootstrapIdentity =
  | VerifiedBootstrap
  | {
      readonly ok: false;
      readonly reason: Extract<
        EnrollmentRefusal,
        | 'no-certificate'
        | 'certificate-untrusted'
        | 'certificate-expired'
        | 'certificate-not-yet-valid'
        | 'bad-device-id'
      >;
      readonly detail: string;
      readonly serial: string | null;
    };

/** Reads the verification result and chain of a socket whose handshake completed. */
export function readBootstrapPeer(socket: TLSSocket): BootstrapPeer {
  const leaf = socket.getPeerCertificate(true);
  const chain: X509Certificate[] = [];
  // Node returns an empty object without a certificate; a self-signed root is its own issuer.
  let cert: DetailedPeerCertificate | undefined = Buffer.isBuffer(leaf.raw) ? leaf : undefined;
  while (cert !== undefined && chain.length < 10) {
    chain.push(new X509Certificate(cert.raw));
    // Typed as always present; at runtime it is missing past the last certificate the peer sent.
    const next = cert.issuerCertificate as DetailedPeerCertificate | undefined;
    cert = next === cert || next === undefined || !Buffer.isBuffer(next.raw) ? undefined : next;
  }
  // Typed as an Error; Node sets OpenSSL's code string (e.g. CERT_HAS_EXPIRED).
  const error: unknown = socket.authorizationError;
  return {
    authorized: socket.authorized,
    authorizationError: typeof error === 'string' ? error : error instanceof Error ? error.message : null,
    chain,
    subject: chain.length > 0 ? leaf.subject : {},
  };
}

/** The manufacturer whose CA is in the chain or issued a certificate of it, nearest the leaf first. */
function manufacturerOf(
  chain: readonly X509Certificate[],
  manufacturers: readonly ManufacturerPolicy[],
): ManufacturerPolicy | undefined {
  for (const cert of chain) {
    for (const m of manufacturers) {
      for (const ca of m.caCertificates) {
        if (cert.fingerprint256 === ca.fingerprint256) return m;
        if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) return m;
      }
    }
  }
  return undefined;
}

const BAD_VALIDITY: Readonly<Record<string, 'certificate-expired' | 'certificate-not-yet-valid'>> = {
  CERT_HAS_EXPIRED: 'certificate-expired',
  CERT_NOT_YET_VALID: 'certificate-not-yet-valid',
};

/**
 * Who an enrollment client is. Trust is OpenSSL's verification against the manufacturer CAs (the
 * server's `ca`); this names the manufacturer whose CA anchors the chain and derives the device
 * id: the manufacturer's `prefix` followed by the subject CN or serialNumber attribute, which must
 * be present once and make a valid device id.
 */
export function identifyBootstrap(
  peer: BootstrapPeer,
  manufacturers: readonly ManufacturerPolicy[],
): BootstrapIdentity {
  const leaf = peer.chain[0];
  if (leaf === undefined) {
    return {
      ok: false,
      reason: 'no-certificate',
      detail: 'present the bootstrap certificate the manufacturer installed',
      serial: null,
    };
  }
  const serial = leaf.serialNumber;
  if (!peer.authorized) {
    const code = peer.authorizationError ?? 'unknown verification error';
    const reason = BAD_VALIDITY[code] ?? 'certificate-untrusted';
    const detail =
      reason === 'certificate-untrusted'
        ? `certificate ${serial} does not chain to a manufacturer CA of the enrollment policy (${code})`
        : `certificate ${serial} is valid from ${leaf.validFrom} to ${leaf.validTo} (${code})`;
    return { ok: false, reason, detail, serial };
  }
  const manufacturer = manufacturerOf(peer.chain, manufacturers);
  if (manufacturer === undefined) {
    return {
      ok: false,
      reason: 'certificate-untrusted',
      detail: `certificate ${serial} matches no manufacturer CA`,
      serial,
    };
  }
  const attribute = manufacturer.deviceIdFrom === 'cn' ? 'CN' : 'serialNumber';
  const value = peer.subject[attribute];
  if (typeof value !== 'string') {
    const why = value === undefined ? 'has no' : 'has more than one';
    return { ok: false, reason: 'bad-device-id', detail: `certificate ${serial} ${why} subject ${attribute}`, serial };
  }
  const id = `${manufacturer.prefix}${value}`;
  if (!isValidId(id)) {
    return {
      ok: false,
      reason: 'bad-device-id',
      detail: `"${id.slice(0, 80)}" (prefix + subject ${attribute}) is not a device id: use 1-64 of A-Z a-z 0-9 . _ -`,
      serial,
    };
  }
  return { ok: true, manufacturer, deviceId: id as DeviceId, serial };
}
