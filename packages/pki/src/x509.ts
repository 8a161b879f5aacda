// @peculiar/x509 v2 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata API and, since v2, no longer loads a polyfill itself. ES modules evaluate their imports
// in order, so this line runs before the library is evaluated. This file is the only one that
// imports the library.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

/** ECDSA P-256 with SHA-256: what every key this CA generates uses (RFC 5480, RFC 5758). */
export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A key that signs certificates, with the WebCrypto algorithm that goes with it. */
export interface SigningKey {
  readonly key: webcrypto.CryptoKey;
  readonly algorithm: (webcrypto.EcdsaParams & webcrypto.EcKeyImportParams) | webcrypto.RsaHashedImportParams;
}

export async function generateP256(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
}

export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/**
 * Imports a CA's private key in any PEM form Node reads (PKCS#8, SEC1 "EC PRIVATE KEY", PKCS#1
 * RSA), since a hospital's PKI hands out whichever its tooling writes. EC keys on P-256 or P-384
 * sign with the matching SHA-2; RSA keys sign PKCS#1 v1.5 with SHA-256.
 */
export async function importSigningKey(pem: string): Promise<{ signing: SigningKey; keyObject: KeyObject }> {
  const keyObject = createPrivateKey(pem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const details = keyObject.asymmetricKeyDetails;
  let algorithm: SigningKey['algorithm'];
  if (keyObject.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') {
    algorithm = EC_P256;
  } else if (keyObject.asymmetricKeyType === 'ec' && details?.namedCurve === 'secp384r1') {
    algorithm = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  } else if (keyObject.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) {
    algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else {
    const kind = `${keyObject.asymmetricKeyType ?? 'unknown'} ${details?.namedCurve ?? details?.modulusLength ?? ''}`;
    throw new PkiError('ca-invalid', `unsupported CA key type (${kind.trim()}): use EC P-256, P-384 or RSA >= 2048`);
  }
  const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  return { signing: { key, algorithm }, keyObject };
}

/** The public half of a private key, as SPKI DER (to compare a key with a certificate). */
export function spkiOf(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}
