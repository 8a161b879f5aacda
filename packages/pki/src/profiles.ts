import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { isValidId } from '@wardstream/domain';
import { PkiError } from './errors.js';
import { x509 } from './x509.js';

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A device's TLS client certificate: an end entity that signs handshakes as a client. */
export function deviceExtensions(): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ];
}

export function checkDeviceId(deviceId: string): void {
  if (!isValidId(deviceId)) {
    throw new PkiError(
      'invalid-device-id',
      `invalid device id "${deviceId.slice(0, 80)}": use 1-64 of A-Z a-z 0-9 . _ -`,
    );
  }
}

/** The device keys the platform accepts in TLS: EC on P-256 or P-384, RSA of 2048 bits or more. */
export function checkDeviceKey(spki: Buffer): void {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails;
  const ok =
    (key.asymmetricKeyType === 'ec' && (details?.namedCurve === 'prime256v1' || details?.namedCurve === 'secp384r1')) ||
    (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048);
  if (!ok) {
    const kind = `${key.asymmetricKeyType ?? 'unknown'} ${details?.namedCurve ?? details?.modulusLength ?? ''}`.trim();
    throw new PkiError('bad-csr', `unsupported key in the request (${kind}): use EC P-256, P-384 or RSA >= 2048`);
  }
}

/**
 * A TLS server certificate for the hostnames: IP addresses as IP SANs, others as DNS names (RFC 6125:
 * clients match the SANs, not the CN). Throws a PkiError `invalid-hostname` for anything else.
 */
export function serverExtensions(hostnames: readonly string[]): x509.Extension[] {
  const names = hostnames.map((host): x509.JsonGeneralName => {
    if (isIP(host) !== 0) return { type: 'ip', value: host };
    if (HOSTNAME.test(host)) return { type: 'dns', value: host.toLowerCase() };
    throw new PkiError('invalid-hostname', `"${host.slice(0, 80)}" is neither an IP address nor a host name`);
  });
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(names),
  ];
}
