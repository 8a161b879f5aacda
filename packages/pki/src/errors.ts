/**
 * Why the certificate authority refused or failed. Stable codes: the CLI prints the message, the
 * enrollment endpoint maps the code to an answer, and none of them carries key material.
 */
export type PkiFailure =
  /** `open()` on a directory without a CA. */
  | 'ca-missing'
  /** A certificate without its key, or a key without its certificate. */
  | 'ca-incomplete'
  /** The CA files exist but cannot be used (unreadable, not a CA, key does not match). */
  | 'ca-invalid'
  | 'invalid-device-id'
  | 'invalid-hostname'
  | 'invalid-serial'
  | 'invalid-validity'
  /** A revocation without a reason: the reason is what an auditor reads later. */
  | 'invalid-reason'
  /** A CSR that cannot be parsed, or whose key type the CA does not sign. */
  | 'bad-csr'
  /** A CSR whose signature does not verify against its own public key: no proof of possession. */
  | 'csr-signature'
  | 'unknown-certificate'
  /** issued.json or revoked.json exists but is not what the CA wrote. */
  | 'inventory-corrupt'
  /** Another process held the CA directory's lock for too long. */
  | 'lock-timeout';

export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(
    readonly code: PkiFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
