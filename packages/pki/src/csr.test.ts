import assert from 'node:assert/strict';
import { createPublicKey, webcrypto, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateAuthority } from './certificate-authority.js';
import { PkiError } from './errors.js';
import { EC_P256, x509 } from './x509.js';

async function setUp(t: { after: (fn: () => Promise<void>) => void }): Promise<CertificateAuthority> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-pki-csr-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return CertificateAuthority.openOrCreate(join(dir, 'ca'));
}

/** A CSR as a device would make it; its subject claims to be someone else. */
async function deviceCsr(
  algorithm: (webcrypto.EcKeyGenParams & webcrypto.EcdsaParams) | webcrypto.RsaHashedKeyGenParams = EC_P256,
): Promise<{ pem: string; spki: Buffer }> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=admin-console, O=Somebody Else',
    keys,
    signingAlgorithm: algorithm,
  });
  return { pem: csr.toString('pem'), spki: Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey)) };
}

function refusedWith(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof PkiError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

test('signCsr signs the device’s own key with CN = the device id the CA chose, not the subject asked', async (t) => {
  const ca = await setUp(t);
  const csr = await deviceCsr();

  const issued = await ca.signCsr(csr.pem, 'infusion-pump-0042', { validityDays: 90 });

  const cert = new X509Certificate(issued.certificatePem);
  assert.equal(cert.subject, 'CN=infusion-pump-0042');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(cert.checkIssued(new X509Certificate(ca.certificatePem)));
  assert.ok(cert.publicKey.equals(createPublicKey({ key: csr.spki, format: 'der', type: 'spki' })));
  assert.equal(issued.subject, 'infusion-pump-0042');
  assert.equal(issued.kind, 'device');
  assert.equal(issued.revokedAt, null);
  assert.equal(issued.notAfter - Math.floor(Date.now() / 1000) * 1000 <= 90 * 86_400_000, true);
  assert.deepEqual(
    ca.list().map((c) => [c.serial, c.subject]),
    [[issued.serial, 'infusion-pump-0042']],
  );
});

test('a CSR whose signature does not verify (no proof of possession) is refused', async (t) => {
  const ca = await setUp(t);
  const { pem } = await deviceCsr();
  const der = x509.PemConverter.decodeFirst(pem);
  const bytes = new Uint8Array(der.slice(0));
  // the last byte belongs to the signature's s integer: the DER stays well formed, the signature wrong
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
  const forged = x509.PemConverter.encode(bytes.buffer, 'CERTIFICATE REQUEST');

  await assert.rejects(ca.signCsr(forged, 'pump-1'), refusedWith('csr-signature'));
  assert.deepEqual(ca.list(), []);
});

test('garbage, an oversized request, a weak key or a bad device id is refused with its own code', async (t) => {
  const ca = await setUp(t);
  const { pem } = await deviceCsr();
  await assert.rejects(
    ca.signCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', 'pump-1'),
    refusedWith('bad-csr'),
  );
  await assert.rejects(ca.signCsr(pem + ' '.repeat(20_000), 'pump-1'), refusedWith('bad-csr'));
  const rsa1024 = await deviceCsr({
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 1024,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  });
  await assert.rejects(ca.signCsr(rsa1024.pem, 'pump-1'), refusedWith('bad-csr'));
  await assert.rejects(ca.signCsr(pem, '../etc'), refusedWith('invalid-device-id'));
  assert.deepEqual(ca.list(), []);
});
