import type { TLSSocket } from 'node:tls';
import type { DeviceId } from '@wardstream/domain';
import type { RefusalReason } from '../gateway-metrics.js';

/** The client certificate a TLS connection presented, as the platform's trust checks need it. */
export interface PeerCertificateInfo {
  /** Hex, as Node reports it (upper case, no separators; leading zeros may be missing): normalize before comparing. */
  readonly serialNumber: string;
  /** SHA-256 of the DER certificate, `AB:CD:…`. */
  readonly fingerprint256: string;
  /** Null when absent or ambiguous (several CNs). */
  readonly subjectCn: string | null;
  readonly issuerCn: string | null;
  /** notAfter, epoch ms. */
  readonly validTo: number;
}

/** What the authorization hook is asked: may this certified device connect (or stay connected)? */
export interface DeviceAuthRequest {
  readonly deviceId: DeviceId;
  readonly certificate: PeerCertificateInfo | null;
}

/** The hook's answer; `detail` is sent to the device as the Reason String (v5) and logged. */
export type DeviceAuthDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'certificate-revoked' | 'device-not-approved'; readonly detail: string };

/** One refusal on security grounds, for the security log. */
export interface SecurityEvent {
  /** Epoch ms, from the endpoint's clock. */
  readonly at: number;
  readonly reason: RefusalReason;
  /** The device the connection speaks for; null before its identity was established (certificate refusals). */
  readonly deviceId: DeviceId | null;
  readonly remoteAddress: string | null;
  readonly certificateSerial: string | null;
  readonly detail: string;
}

/** What the TLS layer established about a client, read once the handshake completed. */
export interface TlsPeer {
  /** The certificate chained to a trusted CA and every check OpenSSL makes passed. */
  readonly authorized: boolean;
  /** OpenSSL's verification error code (e.g. `CERT_HAS_EXPIRED`) when not authorized. */
  readonly authorizationError: string | null;
  /** Null when the client sent no certificate. */
  readonly certificate: PeerCertificateInfo | null;
}

export type CertificateRefusalReason = Extract<
  RefusalReason,
  'no-certificate' | 'certificate-expired' | 'certificate-not-yet-valid' | 'certificate-untrusted'
>;

function commonName(name: unknown): string | null {
  const cn: unknown = (name as { CN?: unknown } | undefined)?.CN;
  return typeof cn === 'string' ? cn : null;
}

/**
 * Reads the verification result and the client certificate of a socket whose handshake completed.
 * The server runs with `rejectUnauthorized: false` so that a device with a bad certificate still
 * reaches CONNECT and is told why; nothing but CONNECT is ever processed for it.
 */
export function readTlsPeer(socket: TLSSocket): TlsPeer {
  const cert = socket.getPeerCertificate();
  // Node returns an empty object when the peer sent no certificate.
  const present = typeof (cert as { raw?: unknown }).raw === 'object';
  // Typed as Error, but Node sets the OpenSSL code string (e.g. 'CERT_HAS_EXPIRED') or leaves it unset.
  const error = socket.authorizationError as unknown;
  return {
    authorized: socket.authorized,
    authorizationError: typeof error === 'string' ? error : error instanceof Error ? error.message : null,
    certificate: present
      ? {
          serialNumber: cert.serialNumber,
          fingerprint256: cert.fingerprint256,
          subjectCn: commonName(cert.subject),
          issuerCn: commonName(cert.issuer),
          validTo: Date.parse(cert.valid_to),
        }
      : null,
  };
}

/** Why a TLS peer's certificate is not acceptable, or null when it verified. */
export function certificateRefusal(peer: TlsPeer): { reason: CertificateRefusalReason; detail: string } | null {
  const cert = peer.certificate;
  if (cert === null)
    return { reason: 'no-certificate', detail: 'no client certificate: connect with the device certificate' };
  if (peer.authorized) return null;
  const subject = `client certificate of "${cert.subjectCn ?? '(no CN)'}"`;
  switch (peer.authorizationError) {
    case 'CERT_HAS_EXPIRED':
      return { reason: 'certificate-expired', detail: `${subject} expired at ${new Date(cert.validTo).toISOString()}` };
    case 'CERT_NOT_YET_VALID':
      return { reason: 'certificate-not-yet-valid', detail: `${subject} is not valid yet` };
    case null:
    default:
      // Foreign CA, self-signed, bad signature, wrong key usage…: OpenSSL's code says which.
      return {
        reason: 'certificate-untrusted',
        detail: `${subject} is not trusted: ${peer.authorizationError ?? 'unverified'}`,
      };
  }
}
