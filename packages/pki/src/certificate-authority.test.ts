import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CertificateAuthority } from './certificate-authority.js';
import { PkiError } from './errors.js';
import { normalizeSerial } from './serial.js';
import { x509 } from './x509.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function refusedWith(code: string, message?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof PkiError, `expected a PkiError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

test('openOrCreate makes a P-256 root CA on first use (key 0600, dir 0700) and reopens the same one', async (t) => {
  const caDir = join(await tempDir(t), 'keys', 'ca');
  const ca = await CertificateAuthority.openOrCreate(caDir);

  assert.equal((await stat(join(caDir, 'ca.key'))).mode & 0o777, 0o600);
  assert.equal((await stat(caDir)).mode & 0o777, 0o700);
  const key = createPrivateKey(await readFile(join(caDir, 'ca.key'), 'utf8'));
  assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.match((await readFile(join(caDir, 'ca.key'), 'utf8')).split('\n')[0]!, /^-----BEGIN PRIVATE KEY-----$/);

  const cert = new X509Certificate(ca.certificatePem);
  assert.equal(cert.ca, true);
  assert.match(cert.subject, /^CN=Wardstream device CA [0-9a-f]{6}$/);
  assert.equal(cert.issuer, cert.subject);
  assert.ok(cert.verify(cert.publicKey), 'self-signed');
  assert.ok(cert.checkPrivateKey(key));
  const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 86_400_000);
  assert.ok(years > 9.9 && years < 10.1, `validity ${years} years`);

  const parsed = new x509.X509Certificate(ca.certificatePem);
  const constraints = parsed.getExtension(x509.BasicConstraintsExtension);
  assert.equal(constraints?.ca, true);
  assert.equal(constraints.critical, true);
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  assert.equal(usage?.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
  assert.equal(usage.critical, true);
  assert.ok(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);

  const reopened = await CertificateAuthority.open(caDir);
  assert.equal(reopened.certificatePem, ca.certificatePem);
  const again = await CertificateAuthority.openOrCreate(caDir, { commonName: 'ignored: it exists' });
  assert.equal(again.fingerprint256, ca.fingerprint256);
});

test('a directory holding only the key or only the certificate is refused, never re-created', async (t) => {
  const root = await tempDir(t);
  const complete = join(root, 'ca');
  await CertificateAuthority.openOrCreate(complete, { commonName: 'Test CA' });
  for (const [kept, missing] of [
    ['ca.crt', 'ca.key'],
    ['ca.key', 'ca.crt'],
  ] as const) {
    const half = join(root, `only-${kept}`);
    await mkdir(half);
    await copyFile(join(complete, kept), join(half, kept));
    const expected = new RegExp(`${kept} without ${missing}`);
    await assert.rejects(CertificateAuthority.open(half), refusedWith('ca-incomplete', expected));
    await assert.rejects(CertificateAuthority.openOrCreate(half), refusedWith('ca-incomplete', expected));
  }
  const absent = join(root, 'nowhere');
  await assert.rejects(
    CertificateAuthority.open(absent),
    refusedWith('ca-missing', new RegExp(`${absent}: the directory does not exist`)),
  );
});

test('a CA key that is not the certificate’s own is refused', async (t) => {
  const root = await tempDir(t);
  await CertificateAuthority.openOrCreate(join(root, 'a'));
  await CertificateAuthority.openOrCreate(join(root, 'b'));
  await copyFile(join(root, 'b', 'ca.key'), join(root, 'a', 'ca.key'));
  await assert.rejects(
    CertificateAuthority.open(join(root, 'a')),
    refusedWith('ca-invalid', /is not the private key of/),
  );
});

test('a device certificate: CN = device id, clientAuth, the validity asked, signed by the CA', async (t) => {
  const now = Date.parse('2026-03-01T12:00:00.250Z');
  const ca = await CertificateAuthority.openOrCreate(join(await tempDir(t), 'ca'), { now: () => now });
  const issued = await ca.issueDevice('bed_12.spo2-3', { validityDays: 30 });

  const cert = new X509Certificate(issued.certificatePem);
  const caCert = new X509Certificate(ca.certificatePem);
  assert.equal(cert.subject, 'CN=bed_12.spo2-3');
  assert.ok(cert.checkIssued(caCert));
  assert.ok(cert.verify(caCert.publicKey));
  assert.equal(cert.ca, false);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(cert.checkPrivateKey(createPrivateKey(issued.keyPem)));
  // an hour's grace for lagging device clocks, then exactly the days asked, on whole seconds
  assert.equal(Date.parse(cert.validFrom), Date.parse('2026-03-01T11:00:00Z'));
  assert.equal(Date.parse(cert.validTo), Date.parse('2026-03-31T12:00:00Z'));
  assert.equal(issued.notBefore, Date.parse(cert.validFrom));
  assert.equal(issued.notAfter, Date.parse(cert.validTo));
  assert.equal(issued.serial, normalizeSerial(cert.serialNumber));
  assert.equal(issued.deviceId, 'bed_12.spo2-3');

  const parsed = new x509.X509Certificate(issued.certificatePem);
  assert.equal(parsed.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.digitalSignature);
  const caKeyId = new x509.X509Certificate(ca.certificatePem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  assert.equal(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, caKeyId);

  assert.deepEqual(ca.list(), [
    {
      serial: issued.serial,
      kind: 'device',
      subject: 'bed_12.spo2-3',
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      revokedAt: null,
      revocationReason: null,
    },
  ]);
  const inventory = await readFile(join(ca.dir, 'issued.json'), 'utf8');
  assert.doesNotMatch(inventory, /PRIVATE KEY/);
  assert.equal((await ca.issueDevice('pump-1')).notAfter, Date.parse('2027-04-02T12:00:00Z'), 'default 397 days');
});

test('a bad device id, hostname or validity is refused before anything is signed', async (t) => {
  const ca = await CertificateAuthority.openOrCreate(join(await tempDir(t), 'ca'));
  await assert.rejects(ca.issueDevice('ward/bed 1'), refusedWith('invalid-device-id', /1-64 of A-Z a-z 0-9 \. _ -/));
  await assert.rejects(ca.issueDevice('x'.repeat(65)), refusedWith('invalid-device-id'));
  await assert.rejects(ca.issueDevice('pump-1', { validityDays: 0 }), refusedWith('invalid-validity'));
  await assert.rejects(
    ca.issueDevice('pump-1', { notBefore: Date.now(), notAfter: Date.now() - 1000 }),
    refusedWith('invalid-validity', /would end .* before it starts/),
  );
  await assert.rejects(ca.issueServer([]), refusedWith('invalid-hostname'));
  await assert.rejects(
    ca.issueServer(['mqtt.ward-3.example', 'not a host']),
    refusedWith('invalid-hostname', /"not a host"/),
  );
  assert.deepEqual(ca.list(), []);
});

test('a certificate never outlives its CA', async (t) => {
  const ca = await CertificateAuthority.openOrCreate(join(await tempDir(t), 'ca'), { validityDays: 10 });
  const issued = await ca.issueDevice('pump-1', { validityDays: 397 });
  assert.equal(issued.notAfter, Date.parse(new X509Certificate(ca.certificatePem).validTo));
});

test('two CA instances on one directory (platform and CLI) issuing at once lose no inventory entry', async (t) => {
  const dir = join(await tempDir(t), 'ca');
  const first = await CertificateAuthority.openOrCreate(dir);
  const second = await CertificateAuthority.open(dir);
  const issued = await Promise.all(
    Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? first : second).issueDevice(`dev-${i}`)),
  );
  const listed = first.list().map((c) => c.serial);
  assert.equal(listed.length, 16);
  assert.deepEqual(new Set(listed), new Set(issued.map((c) => c.serial)));
});
