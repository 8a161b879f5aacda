import { WardstreamError, type DeviceId } from '@wardstream/domain';
import { PkiError, type CertificateAuthority } from '@wardstream/pki';
import type { CsrSigner } from './csr-signer.js';

/**
 * The deployment's CA as enrollment's CSR signer. The CA's refusals of the request itself (cannot
 * be parsed, unsupported key, no proof of possession) become INVALID_INPUT, answered 422; every
 * other failure of the CA stays what it is (a 500: the device may retry).
 */
export function pkiCsrSigner(ca: CertificateAuthority, options: { readonly validityDays?: number } = {}): CsrSigner {
  return {
    get caCertificatePem() {
      return ca.certificatePem;
    },
    async signCsr(csrPem: string, deviceId: DeviceId) {
      try {
        const issued = await ca.signCsr(
          csrPem,
          deviceId,
          options.validityDays === undefined ? {} : { validityDays: options.validityDays },
        );
        return { serial: issued.serial, certificatePem: issued.certificatePem, notAfter: issued.notAfter };
      } catch (err) {
        if (err instanceof PkiError && (err.code === 'bad-csr' || err.code === 'csr-signature')) {
          throw new WardstreamError('INVALID_INPUT', err.message, { cause: err });
        }
        throw err;
      }
    },
  };
}
