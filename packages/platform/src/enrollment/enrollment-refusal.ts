import type { DeviceId } from '@wardstream/domain';

/**
 * Why the enrollment endpoint refused a request. Stable strings: metric labels, security-log
 * reasons and the last segment of the problem `type`. The certificate reasons are the MQTT
 * endpoint's (`@wardstream/gateway` RefusalReason), so one security log reads the same for both.
 */
export type EnrollmentRefusal =
  | 'no-certificate'
  | 'certificate-untrusted'
  | 'certificate-expired'
  | 'certificate-not-yet-valid'
  | 'bad-device-id'
  | 'device-rejected'
  | 'device-id-in-use'
  | 'manufacturer-conflict'
  | 'not-enrolled'
  | 'invalid-body'
  | 'bad-csr'
  | 'body-too-large'
  | 'not-found'
  | 'method-not-allowed'
  | 'tls-handshake';

/** HTTP status and problem title of each refusal; exhaustive, so a new reason must be given both. */
export function refusalStatus(reason: Exclude<EnrollmentRefusal, 'tls-handshake'>): {
  readonly status: number;
  readonly title: string;
} {
  switch (reason) {
    case 'no-certificate':
      return { status: 401, title: 'A bootstrap client certificate is required' };
    case 'certificate-untrusted':
      return { status: 403, title: 'The client certificate is not from a known manufacturer' };
    case 'certificate-expired':
      return { status: 403, title: 'The bootstrap certificate has expired' };
    case 'certificate-not-yet-valid':
      return { status: 403, title: 'The bootstrap certificate is not valid yet' };
    case 'bad-device-id':
      return { status: 403, title: 'The bootstrap certificate does not name a valid device' };
    case 'device-rejected':
      return { status: 403, title: 'The device was rejected by an administrator' };
    case 'device-id-in-use':
      return { status: 409, title: 'The device id is in use by a device that did not enroll' };
    case 'manufacturer-conflict':
      return { status: 409, title: 'The device id belongs to a device of another manufacturer' };
    case 'not-enrolled':
      return { status: 404, title: 'The device has not enrolled' };
    case 'invalid-body':
      return { status: 400, title: 'The request body is invalid' };
    case 'bad-csr':
      return { status: 422, title: 'The certificate signing request is invalid' };
    case 'body-too-large':
      return { status: 413, title: 'The request body is too large' };
    case 'not-found':
      return { status: 404, title: 'Not found' };
    case 'method-not-allowed':
      return { status: 405, title: 'Method not allowed' };
  }
}

/** One refusal, for the security log. */
export interface EnrollmentSecurityEvent {
  /** Epoch ms, from the server's clock. */
  readonly at: number;
  readonly reason: EnrollmentRefusal;
  readonly remoteAddress: string | null;
  readonly detail: string;
  /** Serial (hex) of the bootstrap certificate presented, when there was one. */
  readonly bootstrapSerial: string | null;
  /** The device the certificate names, once derived. */
  readonly deviceId: DeviceId | null;
}
