import type { DeviceId } from '@wardstream/domain';

/** An operational certificate issued for a device. */
export interface SignedCertificate {
  /** Hex serial number, as the certificate carries it. */
  readonly serial: string;
  readonly certificatePem: string;
  /** Epoch ms after which the certificate is no longer valid. */
  readonly notAfter: number;
}

/**
 * The port through which enrollment has a CSR signed by the platform CA. The signer verifies the
 * CSR's self-signature (the device holds the key: proof of possession), puts `deviceId` in the
 * subject CN whatever the CSR asked for, and issues a client-authentication certificate.
 * Rejects with `WardstreamError('INVALID_INPUT')` for a CSR that cannot be parsed, whose key the CA
 * does not sign or whose signature does not verify; any other rejection is a failure of the CA.
 * Adapter: `pkiCsrSigner` (the deployment's `CertificateAuthority`).
 */
export interface CsrSigner {
  /** The CA certificate the issued certificates chain to (PEM), handed to devices as their trust anchor. */
  readonly caCertificatePem: string;
  signCsr(csrPem: string, deviceId: DeviceId): Promise<SignedCertificate>;
}
