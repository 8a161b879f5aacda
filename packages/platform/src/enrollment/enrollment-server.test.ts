import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deviceId, ManualClock } from '@wardstream/domain';
import { CertificateAuthority } from '@wardstream/pki';
import { ApprovalIndex, AUTO_APPROVER, SqliteRegistry } from '@wardstream/registry';
import { loadEnrollmentPolicy, type EnrollmentPolicy } from './enrollment-policy.js';
import type { EnrollmentRefusal, EnrollmentSecurityEvent } from './enrollment-refusal.js';
import { EnrollmentServerOptionsError } from './enrollment-server-options.js';
import { EnrollmentServer } from './enrollment-server.js';
import { pkiCsrSigner } from './pki-csr-signer.js';
import { createManufacturerPki, type BootstrapCredential, type ManufacturerPki } from './testing-pki.js';

const T0 = 1_764_000_000_000;
const MQTT_PORT = 8883;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

interface Json {
  [key: string]: unknown;
}
interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: Json;
}

async function waitFor(what: string, predicate: () => boolean): Promise<void> {
  for (let i = 0; !predicate(); i++) {
    if (i > 2_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const spki = (key: KeyObject | string) =>
  (typeof key === 'string' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' }).toString('base64');

describe('EnrollmentServer (zero-touch enrollment over mutual TLS on 127.0.0.1)', () => {
  let pki: ManufacturerPki;
  let ca: CertificateAuthority;
  let policy: EnrollmentPolicy;
  let registry: SqliteRegistry;
  let index: ApprovalIndex;
  let server: EnrollmentServer;
  const clock = new ManualClock(T0);
  const refusals = new Map<EnrollmentRefusal, number>();
  const events: EnrollmentSecurityEvent[] = [];
  const issued: string[] = [];

  const send = (
    method: string,
    path: string,
    options: {
      readonly body?: string;
      readonly cred?: BootstrapCredential;
      readonly tls?: Record<string, unknown>;
      /** Send the body in 1 KiB chunks without a Content-Length. */
      readonly chunked?: boolean;
    } = {},
  ): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          method,
          ca: ca.certificatePem,
          agent: false,
          ...(options.cred === undefined ? {} : { key: options.cred.key, cert: options.cred.cert }),
          ...(options.body === undefined ? {} : { headers: { 'content-type': 'application/json' } }),
          ...options.tls,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              type: res.headers['content-type'] ?? '',
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json,
            });
          });
        },
      );
      req.on('error', reject);
      if (options.chunked === true && options.body !== undefined) {
        for (let i = 0; i < options.body.length; i += 1024) req.write(options.body.slice(i, i + 1024));
        req.end();
      } else req.end(options.body);
    });
  const enroll = (cred: BootstrapCredential, csr: string) =>
    send('POST', '/enroll/v1', { cred, body: JSON.stringify({ csr }) });
  const count = (reason: EnrollmentRefusal) => refusals.get(reason) ?? 0;

  before(async () => {
    pki = createManufacturerPki(['acme', 'globex', 'foreign']);
    const policyPath = join(pki.dir, 'policy.json');
    writeFileSync(
      policyPath,
      JSON.stringify({
        manufacturers: [
          { name: 'acme', caPath: 'acme-ca.crt', deviceIdFrom: 'cn', prefix: 'acme-' },
          {
            name: 'globex',
            caPath: pki.caPath('globex'),
            deviceIdFrom: 'serialNumber',
            prefix: 'gx-',
            autoApprove: true,
          },
        ],
        bundle: { reportingIntervals: { vitalsSec: 2, statusSec: 30 } },
      }),
    );
    const parsed = loadEnrollmentPolicy(policyPath);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
    policy = parsed.policy;
    ca = await CertificateAuthority.openOrCreate(join(pki.dir, 'platform-ca'));
    const tls = await ca.issueServer(['127.0.0.1']);
    registry = await SqliteRegistry.open({ path: join(pki.dir, 'registry.db') });
    index = await ApprovalIndex.load(registry);
    server = await EnrollmentServer.listen(
      { port: 0, tls: { cert: tls.certificatePem, key: tls.keyPem }, mqtt: { port: MQTT_PORT } },
      {
        registry,
        signer: pkiCsrSigner(ca),
        policy,
        clock,
        metrics: {
          enrolled: (state) => issued.push(state),
          refused: (reason) => refusals.set(reason, count(reason) + 1),
        },
        onSecurityEvent: (e) => events.push(e),
        onInternalError: (err) => {
          throw err;
        },
      },
    );
  });

  after(async () => {
    await server.close();
    index.close();
    await registry.close();
    pki.dispose();
  });

  it('enrolls a device of a known manufacturer: its own key, CN = derived id, pending until an admin approves', async () => {
    const bootstrap = pki.bootstrap('acme', '/O=acme/CN=SN1');
    const device = pki.deviceCsr('/CN=whatever-the-device-asks');
    const res = await enroll(bootstrap, device.csr);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.deviceId, 'acme-SN1');
    assert.equal(res.body.status, 'pending');

    const cert = new X509Certificate(res.body.certificate as string);
    const platformCa = new X509Certificate(ca.certificatePem);
    assert.equal(cert.subject, 'CN=acme-SN1');
    assert.ok(cert.checkIssued(platformCa) && cert.verify(platformCa.publicKey), 'chains to the platform CA');
    assert.equal(spki(cert.publicKey), spki(device.key), 'the certificate is for the key the device generated');
    assert.ok(cert.keyUsage.includes(CLIENT_AUTH));
    assert.equal(res.body.caCertificate, ca.certificatePem);
    assert.deepEqual(res.body.mqtt, {
      host: '127.0.0.1',
      port: MQTT_PORT,
      telemetryTopic: 'wardstream/v1/devices/acme-SN1/telemetry',
      errorsTopic: 'wardstream/v1/devices/acme-SN1/errors',
      qos: 1,
      protocolVersions: [4, 5],
      keepAliveSec: 60,
    });
    assert.deepEqual(res.body.reporting, { vitalsSec: 2, statusSec: 30 });

    const recorded = await registry.getDevice(deviceId('acme-SN1'));
    assert.deepEqual(
      [recorded?.enrollment, recorded?.manufacturer, recorded?.bootstrapSerial, recorded?.enrolledAt],
      ['pending', 'acme', new X509Certificate(bootstrap.cert).serialNumber, T0],
    );
    assert.equal(index.isApproved(deviceId('acme-SN1')), false);
    assert.equal((await send('GET', '/enroll/v1/status', { cred: bootstrap })).body.status, 'pending');

    await registry.setEnrollment(deviceId('acme-SN1'), 'approved', 'admin-1', T0 + 1_000);
    assert.equal(index.isApproved(deviceId('acme-SN1')), true);
    const status = await send('GET', '/enroll/v1/status', { cred: bootstrap });
    assert.deepEqual([status.status, status.body.status], [200, 'approved']);

    const again = await enroll(bootstrap, pki.deviceCsr().csr);
    assert.deepEqual([again.status, again.body.status], [201, 'approved'], 're-enrollment keeps the state');
    assert.notEqual(again.body.certificateSerial, res.body.certificateSerial, 'a new certificate');
  });

  it('approves a device of an auto-approved manufacturer directly, its id from the subject serialNumber', async () => {
    const res = await enroll(pki.bootstrap('globex', '/CN=Model X/serialNumber=G-77'), pki.deviceCsr().csr);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.deviceId, res.body.status], ['gx-G-77', 'approved']);
    assert.equal(index.isApproved(deviceId('gx-G-77')), true);
    assert.equal((await registry.getDevice(deviceId('gx-G-77')))?.enrollmentDecision?.by, AUTO_APPROVER);
  });

  it('keeps a rejected device rejected: re-enrolling is refused, polling says so', async () => {
    const bootstrap = pki.bootstrap('acme', '/CN=SN9');
    assert.equal((await enroll(bootstrap, pki.deviceCsr().csr)).status, 201);
    await registry.setEnrollment(deviceId('acme-SN9'), 'rejected', 'admin-1', T0 + 2_000, 'not ours');
    const before = count('device-rejected');
    const again = await enroll(bootstrap, pki.deviceCsr().csr);
    assert.equal(again.status, 403);
    assert.equal(again.body.type, 'urn:wardstream:problem:device-rejected');
    assert.match(String(again.body.detail), /not ours/);
    assert.equal(count('device-rejected'), before + 1);
    assert.equal((await registry.getDevice(deviceId('acme-SN9')))?.enrollment, 'rejected');
    assert.equal(index.isApproved(deviceId('acme-SN9')), false);
    assert.equal((await send('GET', '/enroll/v1/status', { cred: bootstrap })).body.status, 'rejected');
  });

  it('refuses, answers why (RFC 9457) and counts each refusal as a security event', async () => {
    const acme = pki.bootstrap('acme', '/CN=SN20');
    const csr = pki.deviceCsr().csr;
    const operational = await ca.issueDevice('acme-SN1');
    const cases: [string, () => Promise<Answer>, number, EnrollmentRefusal][] = [
      [
        'no client certificate',
        () => send('POST', '/enroll/v1', { body: JSON.stringify({ csr }) }),
        401,
        'no-certificate',
      ],
      ['a foreign CA', () => enroll(pki.bootstrap('foreign', '/CN=SN21'), csr), 403, 'certificate-untrusted'],
      [
        'an operational certificate',
        () => enroll({ key: operational.keyPem, cert: operational.certificatePem }, csr),
        403,
        'certificate-untrusted',
      ],
      [
        'an expired bootstrap',
        () => enroll(pki.bootstrap('acme', '/CN=SN22', { expired: true }), csr),
        403,
        'certificate-expired',
      ],
      ['a CN that is no device id', () => enroll(pki.bootstrap('acme', '/CN=bed 4'), csr), 403, 'bad-device-id'],
      ['not a CSR', () => enroll(acme, 'hello'), 422, 'bad-csr'],
      ['a CSR without proof of possession', () => enroll(acme, pki.forgedCsr()), 422, 'bad-csr'],
      ['no csr field', () => send('POST', '/enroll/v1', { cred: acme, body: '{"csr": 1}' }), 422, 'bad-csr'],
      ['a body that is no JSON', () => send('POST', '/enroll/v1', { cred: acme, body: '{' }), 400, 'invalid-body'],
      [
        'a body above 16 KiB',
        () => send('POST', '/enroll/v1', { cred: acme, body: JSON.stringify({ csr: 'x'.repeat(17 * 1024) }) }),
        413,
        'body-too-large',
      ],
      [
        'a chunked body above 16 KiB',
        () =>
          send('POST', '/enroll/v1', {
            cred: acme,
            body: JSON.stringify({ csr: 'x'.repeat(17 * 1024) }),
            chunked: true,
          }),
        413,
        'body-too-large',
      ],
      ['a GET of the enroll path', () => send('GET', '/enroll/v1', { cred: acme }), 405, 'method-not-allowed'],
      ['an unknown path', () => send('GET', '/enroll/v2', { cred: acme }), 404, 'not-found'],
      [
        'the status of a device that never enrolled',
        () => send('GET', '/enroll/v1/status', { cred: pki.bootstrap('acme', '/CN=SN23') }),
        404,
        'not-enrolled',
      ],
    ];
    for (const [name, attempt, status, reason] of cases) {
      const before = count(reason);
      const eventsBefore = events.length;
      const res = await attempt();
      assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
      assert.equal(res.type, 'application/problem+json', name);
      assert.equal(res.body.type, `urn:wardstream:problem:${reason}`, name);
      assert.equal(res.body.status, status, name);
      assert.equal(count(reason), before + 1, `${name} is counted`);
      assert.equal(events.length, eventsBefore + 1, `${name} is one security event`);
      const event = events.at(-1);
      assert.ok(event !== undefined);
      assert.equal(event.reason, reason, name);
      assert.equal(event.remoteAddress, '127.0.0.1', name);
      assert.equal(event.at, T0, name);
      // Routing comes before the certificate is read: a wrong path or method carries no serial.
      if (!['no-certificate', 'not-found', 'method-not-allowed'].includes(reason))
        assert.match(event.bootstrapSerial ?? '', /^[0-9A-F]+$/, name);
    }
    // A refused certificate records nothing. A genuine bootstrap with a forged CSR is recorded pending
    // (recorded before signing, so no certificate exists for a device the registry does not hold).
    assert.equal(await registry.getDevice(deviceId('acme-SN22')), undefined);
    assert.equal((await registry.getDevice(deviceId('acme-SN20')))?.enrollment, 'pending');
  });

  it('counts a TLS 1.1 handshake as a refusal', async () => {
    const before = count('tls-handshake');
    await assert.rejects(
      send('GET', '/enroll/v1/status', {
        cred: pki.bootstrap('acme', '/CN=SN30'),
        tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' },
      }),
    );
    await waitFor('the handshake refusal', () => count('tls-handshake') === before + 1);
    assert.equal(events.at(-1)?.reason, 'tls-handshake');
  });

  it('counts every certificate issued by the state it left the device in', () => {
    assert.deepEqual(issued, ['pending', 'approved', 'approved', 'pending']);
  });

  it('refuses to enroll over a device id in use by a device that did not enroll: 409, counted, nothing recorded or signed', async () => {
    // Registered by an admin (holding an operator-issued certificate), and first seen on connect
    // under an auto-approved manufacturer's prefix: a bootstrap certificate deriving either id must
    // neither get a certificate for it nor knock the real device to pending.
    const registered = deviceId('acme-SN40');
    const seen = deviceId('gx-G-41');
    await registry.putDevice({ id: registered, model: 'M1' }, T0);
    await registry.deviceConnected(seen, T0);
    const before = [await registry.getDevice(registered), await registry.getDevice(seen)];
    const issuedBefore = issued.length;
    for (const [id, cred] of [
      [registered, pki.bootstrap('acme', '/CN=SN40')],
      [seen, pki.bootstrap('globex', '/CN=Model X/serialNumber=G-41')],
    ] as const) {
      const counted = count('device-id-in-use');
      const eventsBefore = events.length;
      const res = await enroll(cred, pki.deviceCsr().csr);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.type, 'application/problem+json');
      assert.equal(res.body.type, 'urn:wardstream:problem:device-id-in-use');
      assert.equal(res.body.certificate, undefined);
      assert.equal(count('device-id-in-use'), counted + 1);
      assert.equal(events.length, eventsBefore + 1);
      assert.deepEqual([events.at(-1)?.reason, events.at(-1)?.deviceId], ['device-id-in-use', id]);
      assert.equal(index.isApproved(id), true, `${id} is still approved for its own certificate`);
    }
    assert.equal(issued.length, issuedBefore, 'no certificate was signed');
    assert.deepEqual([await registry.getDevice(registered), await registry.getDevice(seen)], before);
    assert.equal(before[0]?.enrollment, null);
  });

  it('lets a device that enrolled re-enroll with the same bootstrap certificate, keeping its state', async () => {
    const bootstrap = pki.bootstrap('acme', '/CN=SN42');
    assert.equal((await enroll(bootstrap, pki.deviceCsr().csr)).status, 201);
    await registry.setEnrollment(deviceId('acme-SN42'), 'approved', 'admin-1', T0 + 3_000);
    const again = await enroll(bootstrap, pki.deviceCsr().csr);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal(again.body.status, 'approved');
  });

  it('refuses to start with a policy naming the platform CA as a manufacturer', async () => {
    const platformCa = new X509Certificate(ca.certificatePem);
    const bad: EnrollmentPolicy = {
      ...policy,
      manufacturers: [{ ...policy.manufacturers[0]!, name: 'self', caCertificates: [platformCa] }],
    };
    await assert.rejects(
      EnrollmentServer.listen(
        { port: 0, tls: { cert: '', key: '' }, mqtt: { port: MQTT_PORT } },
        { registry, signer: pkiCsrSigner(ca), policy: bad, clock },
      ),
      (err: unknown) => err instanceof EnrollmentServerOptionsError && /names the platform CA/.test(err.message),
    );
  });
});
