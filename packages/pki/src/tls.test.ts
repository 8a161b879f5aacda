import assert from 'node:assert/strict';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateAuthority } from './certificate-authority.js';
import { normalizeSerial } from './serial.js';
import { TlsProbeServer, tryClient } from './testing/tls-probe.js';
import { x509 } from './x509.js';

const DAY_MS = 86_400_000;

async function setUp(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ dir: string; ca: CertificateAuthority }> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-pki-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return { dir, ca: await CertificateAuthority.openOrCreate(join(dir, 'ca')) };
}

async function deviceServer(
  ca: CertificateAuthority,
  t: { after: (fn: () => Promise<void>) => void },
  rejectUnauthorized = true,
): Promise<TlsProbeServer> {
  const server = await ca.issueServer(['127.0.0.1', 'localhost']);
  const probe = await TlsProbeServer.start({
    certificatePem: server.certificatePem,
    keyPem: server.keyPem,
    caPem: ca.certificatePem,
    rejectUnauthorized,
  });
  t.after(() => probe.close());
  return probe;
}

test('a TLS server trusting the CA accepts its device and sees the CN and serial the CA recorded', async (t) => {
  const { ca } = await setUp(t);
  const probe = await deviceServer(ca, t);
  const device = await ca.issueDevice('bed-7.monitor');

  const answer = await tryClient({
    port: probe.port,
    ca: ca.certificatePem,
    cert: device.certificatePem,
    key: device.keyPem,
  });

  assert.deepEqual(answer, { received: 'ok', error: null });
  assert.equal(probe.accepted.length, 1);
  assert.equal(probe.accepted[0]!.commonName, 'bed-7.monitor');
  assert.equal(normalizeSerial(probe.accepted[0]!.serialNumber), device.serial);
  assert.equal(ca.list()[1]!.serial, normalizeSerial(probe.accepted[0]!.serialNumber), 'as the inventory holds it');
});

test('a device certificate from another CA, an expired one, or none is refused', async (t) => {
  const { dir, ca } = await setUp(t);
  const foreignCa = await CertificateAuthority.openOrCreate(join(dir, 'foreign-ca'));
  const foreign = await foreignCa.issueDevice('bed-7.monitor');
  const now = Date.now();
  const expired = await ca.issueDevice('bed-8.monitor', { notBefore: now - 30 * DAY_MS, notAfter: now - DAY_MS });
  const probe = await deviceServer(ca, t);
  const observer = await deviceServer(ca, t, false);

  for (const credential of [foreign, expired]) {
    const client = { ca: ca.certificatePem, cert: credential.certificatePem, key: credential.keyPem };
    assert.equal((await tryClient({ port: probe.port, ...client })).received, '', credential.deviceId);
    await tryClient({ port: observer.port, ...client });
  }
  const anonymous = await tryClient({ port: probe.port, ca: ca.certificatePem });
  assert.equal(anonymous.received, '');

  assert.deepEqual(probe.accepted, []);
  assert.equal(probe.clientErrors, 3);
  // why, as OpenSSL sees it: the refusals are for the reasons meant, not a broken certificate
  assert.deepEqual(observer.authorizationErrors, ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED']);
});

test('a client checking the server certificate accepts it for 127.0.0.1 and refuses it for a name it lacks', async (t) => {
  const { ca } = await setUp(t);
  const probe = await deviceServer(ca, t);
  const device = await ca.issueDevice('pump-2');
  const client = { port: probe.port, ca: ca.certificatePem, cert: device.certificatePem, key: device.keyPem };

  assert.deepEqual(await tryClient({ ...client, host: '127.0.0.1' }), { received: 'ok', error: null });
  assert.deepEqual(await tryClient({ ...client, servername: 'localhost' }), { received: 'ok', error: null });
  const wrongName = await tryClient({ ...client, servername: 'mqtt.elsewhere.example' });
  assert.deepEqual(wrongName, { received: '', error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  const v6 = new X509Certificate((await ca.issueServer(['::1', 'MQTT.Ward-3.example'])).certificatePem);
  assert.equal(v6.subjectAltName, 'IP Address:0:0:0:0:0:0:0:1, DNS:mqtt.ward-3.example');
});

test('a hospital intermediate CA (P-384, SEC1 key file, chain file) issues devices a TLS server accepts', async (t) => {
  const { dir } = await setUp(t);
  const hospital = await hospitalPki(dir);
  const ca = await CertificateAuthority.fromFiles({
    certPath: hospital.chainPath,
    keyPath: hospital.keyPath,
    inventoryDir: join(dir, 'inventory'),
  });
  assert.equal(ca.subject, 'CN=Wardstream devices, O=St Example Hospital');
  const device = await ca.issueDevice('icu-3.vent');
  const intermediate = new X509Certificate(ca.certificatePem);
  assert.ok(new X509Certificate(device.certificatePem).checkIssued(intermediate), 'issuer name kept byte for byte');
  const probe = await deviceServer(ca, t);

  const answer = await tryClient({
    port: probe.port,
    ca: ca.certificatePem,
    cert: device.certificatePem,
    key: device.keyPem,
  });

  assert.deepEqual(answer, { received: 'ok', error: null });
  assert.equal(probe.accepted[0]?.commonName, 'icu-3.vent');
  assert.deepEqual(
    ca.list().map((c) => c.subject),
    ['icu-3.vent', '127.0.0.1'],
  );
});

/** A root and an intermediate made the way another PKI would: PrintableString names, P-384, SEC1 key. */
async function hospitalPki(dir: string): Promise<{ chainPath: string; keyPath: string }> {
  const p384 = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
  const rootKeys = await webcrypto.subtle.generateKey(p384, true, ['sign', 'verify']);
  const now = Date.now();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=St Example Root, O=St Example Hospital',
    keys: rootKeys,
    signingAlgorithm: p384,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const keys = await webcrypto.subtle.generateKey(p384, true, ['sign', 'verify']);
  const intermediate = await x509.X509CertificateGenerator.create({
    subject: 'CN=Wardstream devices, O=St Example Hospital',
    issuer: root.subjectName,
    publicKey: keys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: p384,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 1825 * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const sec1 = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'sec1', format: 'pem' });
  const chainPath = join(dir, 'wardstream-intermediate-chain.pem');
  const keyPath = join(dir, 'wardstream-intermediate.key');
  await writeFile(chainPath, `${intermediate.toString('pem')}\n${root.toString('pem')}\n`);
  await writeFile(keyPath, sec1, { mode: 0o600 });
  return { chainPath, keyPath };
}
