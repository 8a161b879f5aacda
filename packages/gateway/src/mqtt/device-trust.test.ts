import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect as connectTls } from 'node:tls';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { decodeIngestRecord, deviceId } from '@wardstream/domain';
import type { IClientOptions } from 'mqtt';
import { generate, type Packet } from 'mqtt-packet';
import type { RefusalReason } from '../gateway-metrics.js';
import { createTestPki, type DeviceCertOptions, type KeyPair, type TestPki } from '../testing/certs.js';
import { startGateway, type GatewayHarness } from '../testing/harness.js';
import { connectDevice, subscribeCodes, telemetry, type TestDevice } from '../testing/mqtt-test-client.js';
import { RawMqttClient } from '../testing/raw-mqtt.js';
import { waitFor } from '../testing/wait.js';
import type { DeviceAuthDecision, DeviceAuthRequest } from './device-trust.js';
import { ConnectReturnCode, ReasonCode } from './reason-codes.js';

const DAY_MS = 86_400_000;
/** Short, so that a live session is cut quickly; the tests wait on events, never on this figure. */
const REAUTHORIZE_INTERVAL_MS = 200;
/** A generous bound on every wait: only a broken endpoint takes this long. */
const BOUND_MS = 10_000;

const encode = (packet: Packet) => generate(packet, { protocolVersion: 5 });

/** What a device refused at CONNECT sees: the CONNACK's code and Reason String, then the close. */
interface ConnectAnswer {
  readonly code: number | undefined;
  readonly reasonString: string | undefined;
}

/** The platform's side in these tests: revocation by certificate serial, approval by device id. */
class TrustRegistry {
  readonly revokedSerials = new Set<string>();
  readonly unapproved = new Set<string>();
  failing = false;
  readonly requests: DeviceAuthRequest[] = [];

  readonly authorize = (request: DeviceAuthRequest): DeviceAuthDecision => {
    this.requests.push(request);
    if (this.failing) throw new Error('registry unreachable');
    const serial = request.certificate?.serialNumber;
    if (serial !== undefined && this.revokedSerials.has(serial)) {
      return { ok: false, reason: 'certificate-revoked', detail: `certificate ${serial} was revoked` };
    }
    if (this.unapproved.has(request.deviceId)) {
      return { ok: false, reason: 'device-not-approved', detail: `device ${request.deviceId} awaits approval` };
    }
    return { ok: true };
  };

  revoke(pair: KeyPair): void {
    this.revokedSerials.add(new X509Certificate(pair.cert).serialNumber);
  }
}

describe('device trust: certificate, revocation and approval at the MQTT endpoint', () => {
  let pki: TestPki;
  let gw: GatewayHarness;
  let trust: TrustRegistry;
  const clients: (TestDevice | RawMqttClient)[] = [];

  const tlsFor = (cn: string, options: DeviceCertOptions = {}) => certOptions(pki.device(cn, options));
  const certOptions = (pair: KeyPair) => ({ ...pair, ca: pki.ca, rejectUnauthorized: true });

  /** CONNECT over TLS with a bare client; resolves once the server has answered and closed. */
  async function connectAnswer(tls: object, protocolVersion: 4 | 5, clientId = ''): Promise<ConnectAnswer> {
    const raw = await RawMqttClient.openTls(gw.endpoint.port, { ca: pki.ca, ...tls }, protocolVersion);
    clients.push(raw);
    let closed = false;
    void raw.closed.then(() => (closed = true));
    raw.send({ cmd: 'connect', clientId, protocolVersion, clean: true, keepalive: 30 }, protocolVersion);
    const connack = (await raw.next('connack')) as Extract<Packet, { cmd: 'connack' }>;
    await waitFor('the server to close the refused connection', () => closed, BOUND_MS);
    return {
      code: protocolVersion === 5 ? connack.reasonCode : connack.returnCode,
      reasonString: connack.properties?.reasonString,
    };
  }

  async function device(id: string, options: IClientOptions & { subscribeErrors?: boolean }): Promise<TestDevice> {
    const dev = await connectDevice(gw.url, id, { clientId: '', subscribeErrors: false, ...options });
    clients.push(dev);
    return dev;
  }

  /** Resolves when the client's connection closed (whoever closed it). */
  function closedOf(dev: TestDevice): () => boolean {
    let closed = false;
    dev.client.once('close', () => (closed = true));
    return () => closed;
  }

  const storedDeviceIds = () => gw.log.entries().map((e) => decodeIngestRecord(e.payload).deviceId);
  const refusals = (reason: RefusalReason) => gw.metrics.refusals.get(reason);
  const events = (reason: string) => gw.securityEvents.filter((e) => e.reason === reason);

  before(() => {
    pki = createTestPki();
  });
  after(() => {
    pki.dispose();
  });
  beforeEach(async () => {
    trust = new TrustRegistry();
    gw = await startGateway({
      identity: 'certificate',
      tls: { ...pki.server, ca: pki.ca },
      authorize: trust.authorize,
      reauthorizeIntervalMs: REAUTHORIZE_INTERVAL_MS,
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) {
      if (c instanceof RawMqttClient) c.destroy();
      else c.client.end(true);
    }
    await gw.close();
  });

  it('answers a device without a certificate CONNACK 0x87 (v5) / 0x05 (3.1.1), counted and logged', async () => {
    const v5 = await connectAnswer({}, 5);
    assert.equal(v5.code, ReasonCode.notAuthorized);
    assert.match(v5.reasonString ?? '', /no client certificate/);
    assert.equal((await connectAnswer({}, 4)).code, ConnectReturnCode.notAuthorized);
    assert.equal(refusals('no-certificate'), 2);
    assert.equal(events('no-certificate').length, 2);
    assert.equal(events('no-certificate')[0]?.remoteAddress, '127.0.0.1');
    assert.equal(gw.metrics.connectionsOpened, 0);
    assert.equal(trust.requests.length, 0, 'the hook is asked only about verified certificates');
  });

  it('refuses a certificate from a foreign CA as certificate-untrusted', async () => {
    const pair = pki.device('mon-1', { foreignCa: true });
    const v5 = await connectAnswer(pair, 5);
    assert.equal(v5.code, ReasonCode.notAuthorized);
    assert.match(v5.reasonString ?? '', /not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.equal((await connectAnswer(pair, 4)).code, ConnectReturnCode.notAuthorized);
    assert.equal(refusals('certificate-untrusted'), 2);
    const [event] = events('certificate-untrusted');
    assert.equal(event?.certificateSerial, new X509Certificate(pair.cert).serialNumber);
    assert.equal(event.deviceId, null, 'an unverified certificate names no device');
    assert.equal(gw.metrics.connectionsOpened, 0);
  });

  it('refuses an expired certificate as certificate-expired', async () => {
    const now = Date.now();
    const pair = pki.device('mon-1', { notBefore: new Date(now - 2 * DAY_MS), notAfter: new Date(now - DAY_MS) });
    const v5 = await connectAnswer(pair, 5);
    assert.equal(v5.code, ReasonCode.notAuthorized);
    assert.match(v5.reasonString ?? '', /client certificate of "mon-1" expired at /);
    assert.equal((await connectAnswer(pair, 4)).code, ConnectReturnCode.notAuthorized);
    assert.equal(refusals('certificate-expired'), 2);
    assert.equal(events('certificate-expired').length, 2);
    assert.equal(gw.metrics.connectionsOpened, 0);
  });

  it('refuses a certificate not valid yet as certificate-not-yet-valid', async () => {
    const now = Date.now();
    const pair = pki.device('mon-1', { notBefore: new Date(now + DAY_MS), notAfter: new Date(now + 2 * DAY_MS) });
    const v5 = await connectAnswer(pair, 5);
    assert.equal(v5.code, ReasonCode.notAuthorized);
    assert.match(v5.reasonString ?? '', /not valid yet/);
    assert.equal((await connectAnswer(pair, 4)).code, ConnectReturnCode.notAuthorized);
    assert.equal(refusals('certificate-not-yet-valid'), 2);
    assert.equal(events('certificate-not-yet-valid').length, 2);
  });

  it('processes nothing but CONNECT for an untrusted certificate', async () => {
    const pair = pki.device('mon-1', { foreignCa: true });
    // A PUBLISH first is a protocol violation: closed, nothing read further [MQTT-3.1.0-1].
    const first = await RawMqttClient.openTls(gw.endpoint.port, { ...pair, ca: pki.ca });
    clients.push(first);
    first.send({
      cmd: 'publish',
      topic: 'wardstream/v1/devices/mon-1/telemetry',
      payload: '{}',
      qos: 0,
      dup: false,
      retain: false,
    });
    await first.closed;
    // CONNECT and a PUBLISH in one write: CONNACK 0x87, and the PUBLISH is never handled.
    const piped = await RawMqttClient.openTls(gw.endpoint.port, { ...pair, ca: pki.ca });
    clients.push(piped);
    piped.write(
      Buffer.concat([
        encode({ cmd: 'connect', clientId: '', protocolVersion: 5, clean: true, keepalive: 30 }),
        encode({
          cmd: 'publish',
          topic: 'wardstream/v1/devices/mon-1/telemetry',
          payload: JSON.stringify(telemetry(1)),
          qos: 1,
          messageId: 1,
          dup: false,
          retain: false,
        }),
      ]),
    );
    const connack = (await piped.next('connack')) as Extract<Packet, { cmd: 'connack' }>;
    assert.equal(connack.reasonCode, ReasonCode.notAuthorized);
    await piped.closed;
    assert.equal(piped.packets.length, 0, 'no PUBACK nor anything else after the CONNACK');
    assert.equal(gw.log.entries().length, 0);
    assert.equal(gw.metrics.malformedPackets, 1);
    assert.equal(refusals('certificate-untrusted'), 1);
  });

  it('refuses a revoked certificate at CONNECT, and accepts a new certificate of the same device', async () => {
    const revoked = pki.device('mon-r');
    trust.revoke(revoked);
    const v5 = await connectAnswer(revoked, 5);
    assert.equal(v5.code, ReasonCode.notAuthorized);
    assert.equal(v5.reasonString, `certificate ${new X509Certificate(revoked.cert).serialNumber} was revoked`);
    assert.equal((await connectAnswer(revoked, 4)).code, ConnectReturnCode.notAuthorized);
    assert.equal(refusals('certificate-revoked'), 2);
    const [event] = events('certificate-revoked');
    assert.equal(event?.deviceId, 'mon-r');
    assert.equal(event.certificateSerial, new X509Certificate(revoked.cert).serialNumber);
    const asked = trust.requests[0];
    assert.equal(asked?.deviceId, 'mon-r');
    assert.equal(asked.certificate?.subjectCn, 'mon-r');
    assert.equal(asked.certificate.issuerCn, 'ca');
    assert.equal(asked.certificate.fingerprint256, new X509Certificate(revoked.cert).fingerprint256);
    assert.equal(asked.certificate.validTo, Date.parse(new X509Certificate(revoked.cert).validTo));
    assert.equal(gw.metrics.connectionsOpened, 0);

    const renewed = await device('mon-r', certOptions(pki.device('mon-r')));
    assert.equal((await renewed.publish(telemetry(1))).reasonCode, ReasonCode.success);
    assert.deepEqual(storedDeviceIds(), ['mon-r']);
  });

  it('refuses a device not approved yet as device-not-approved', async () => {
    trust.unapproved.add('mon-p');
    const v5 = await connectAnswer(tlsFor('mon-p'), 5);
    assert.equal(v5.code, ReasonCode.notAuthorized);
    assert.equal(v5.reasonString, 'device mon-p awaits approval');
    assert.equal((await connectAnswer(tlsFor('mon-p'), 4)).code, ConnectReturnCode.notAuthorized);
    assert.equal(refusals('device-not-approved'), 2);
    assert.equal(events('device-not-approved')[0]?.deviceId, 'mon-p');
  });

  it('cuts live sessions of a revoked certificate within one re-check: v5 DISCONNECT 0x98, 3.1.1 closed', async () => {
    const [pairV5, pairV4, pairOther] = [pki.device('mon-5'), pki.device('mon-4'), pki.device('mon-ok')];
    const v5 = await device('mon-5', { ...certOptions(pairV5), protocolVersion: 5 });
    const v4 = await device('mon-4', { ...certOptions(pairV4), protocolVersion: 4 });
    const other = await device('mon-ok', certOptions(pairOther));
    const v4Closed = closedOf(v4);
    assert.equal((await v5.publish(telemetry(1))).reasonCode, ReasonCode.success);
    assert.equal((await v4.publish(telemetry(1))).reasonCode, ReasonCode.success);

    trust.revoke(pairV5);
    trust.revoke(pairV4);
    await waitFor('the v5 session to receive DISCONNECT', () => v5.disconnects.length > 0, BOUND_MS);
    assert.deepEqual(v5.disconnects[0], {
      reasonCode: ReasonCode.administrativeAction,
      reasonString: `certificate ${new X509Certificate(pairV5.cert).serialNumber} was revoked`,
    });
    await waitFor('the 3.1.1 session to be closed', v4Closed, BOUND_MS);
    assert.equal(refusals('certificate-revoked'), 2);
    assert.deepEqual(
      events('certificate-revoked')
        .map((e) => e.deviceId)
        .sort(),
      ['mon-4', 'mon-5'],
    );
    // The acknowledged messages stay in the log; the device that was not revoked stays connected.
    assert.deepEqual(storedDeviceIds().sort(), ['mon-4', 'mon-5']);
    assert.equal((await other.publish(telemetry(1))).reasonCode, ReasonCode.success);
    await waitFor('only the trusted device to remain', () => gw.endpoint.stats().devices === 1, BOUND_MS);
  });

  it('answers the publishes received before a cut, then disconnects, and reads nothing after it', async () => {
    const pair = pki.device('mon-h');
    const dev = await device('mon-h', certOptions(pair));
    gw.log.hold();
    const first = dev.publish(telemetry(1));
    await waitFor('the publish to be in flight', () => gw.endpoint.stats().inFlight === 1);
    trust.revoke(pair);
    assert.equal(gw.endpoint.reauthorizeNow(), 1);
    dev.client.publish('wardstream/v1/devices/mon-h/telemetry', JSON.stringify(telemetry(2)), { qos: 1 });
    gw.log.release();
    assert.equal((await first).reasonCode, ReasonCode.success, 'the append under way is still acknowledged');
    await waitFor('DISCONNECT after the last answer', () => dev.disconnects.length > 0, BOUND_MS);
    assert.equal(dev.disconnects[0]?.reasonCode, ReasonCode.administrativeAction);
    const seqs = gw.log.entries().map((e) => decodeIngestRecord(e.payload).seq);
    assert.deepEqual(seqs, [1], 'the publish sent after the cut was not read');
  });

  it('cuts a live session whose certificate expires, and reports each cut', async () => {
    const pair = pki.device('mon-x');
    const dev = await device('mon-x', certOptions(pair));
    assert.equal(gw.endpoint.reauthorizeNow(), 0);
    gw.clock.set(Date.parse(new X509Certificate(pair.cert).validTo) + 1);
    assert.equal(gw.endpoint.reauthorizeNow(), 1);
    await waitFor('DISCONNECT', () => dev.disconnects.length > 0, BOUND_MS);
    assert.equal(dev.disconnects[0]?.reasonCode, ReasonCode.administrativeAction);
    assert.match(dev.disconnects[0].reasonString ?? '', /expired at/);
    assert.equal(refusals('certificate-expired'), 1);
    assert.equal(events('certificate-expired')[0]?.deviceId, 'mon-x');
  });

  it('fails closed when the hook throws: CONNACK 0x88 / 0x03, live sessions cut with 0x89', async () => {
    const dev = await device('mon-f', tlsFor('mon-f'));
    trust.failing = true;
    assert.equal((await connectAnswer(tlsFor('mon-g'), 5)).code, ReasonCode.serverUnavailable);
    assert.equal((await connectAnswer(tlsFor('mon-g'), 4)).code, ConnectReturnCode.serverUnavailable);
    await waitFor('the live session to be cut', () => dev.disconnects.length > 0, BOUND_MS);
    assert.equal(dev.disconnects[0]?.reasonCode, ReasonCode.serverBusy);
    assert.ok((refusals('server-unavailable') ?? 0) >= 3);
    assert.ok(gw.internalErrors.some((e) => e instanceof Error && e.message === 'registry unreachable'));
  });

  it('refuses a publish to another device topic (0x87, nothing stored) and a foreign subscription, each logged', async () => {
    const v5 = await device('mon-a', tlsFor('mon-a'));
    const ack = await v5.publish(telemetry(1), { topic: 'wardstream/v1/devices/mon-b/telemetry' });
    assert.equal(ack.reasonCode, ReasonCode.notAuthorized);
    const v4 = await device('mon-c', { ...tlsFor('mon-c'), protocolVersion: 4, subscribeErrors: true });
    await v4.publish(telemetry(1), { topic: 'wardstream/v1/devices/mon-b/telemetry' });
    await waitFor('the errors-topic report', () => v4.reports.length > 0);
    assert.equal(v4.reports[0]?.['reason'], 'not-authorized');
    assert.equal(gw.log.entries().length, 0);
    assert.equal(refusals('not-authorized'), 2);
    assert.deepEqual(
      events('not-authorized').map((e) => e.deviceId),
      ['mon-a', 'mon-c'],
    );
    assert.deepEqual(await subscribeCodes(v5, ['wardstream/v1/devices/mon-b/errors']), [ReasonCode.notAuthorized]);
    assert.equal(events('subscribe-refused')[0]?.deviceId, 'mon-a');
  });

  it('stores a payload claiming another device id under the certificate id only', async () => {
    // The wire contract (DESIGN 3.1, docs/WIRE.md) has no device identity field: the id comes from
    // the certificate, and an extra field is ignored, never read as an identity.
    const dev = await device('mon-a', tlsFor('mon-a'));
    const claim = telemetry(1, { deviceId: 'mon-b', device: 'mon-b' });
    assert.equal((await dev.publish(claim)).reasonCode, ReasonCode.success);
    assert.deepEqual(storedDeviceIds(), ['mon-a']);
    assert.ok(!gw.log.appendedKeys.some((key) => key.includes('mon-b')));
    assert.ok(gw.log.entries().every((e) => !Buffer.from(e.payload).toString().includes('mon-b')));
  });

  it('refuses a TLS 1.1 client at the handshake, counted as tls-handshake', async () => {
    const socket = connectTls({
      host: '127.0.0.1',
      port: gw.endpoint.port,
      ca: pki.ca,
      ...pki.device('mon-1'),
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      // OpenSSL 3 offers TLS 1.1 only at security level 0.
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    const error = await new Promise<unknown>((resolve) => {
      socket.once('secureConnect', () => {
        resolve(null);
      });
      socket.once('error', resolve);
    });
    socket.destroy();
    assert.equal((error as { code?: unknown } | null)?.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    await waitFor('the handshake refusal to be counted', () => refusals('tls-handshake') === 1);
    assert.match(events('tls-handshake')[0]?.detail ?? '', /unsupported protocol/);
    assert.equal(gw.metrics.connectionsOpened, 0);
  });

  it('reports the certificate of an accepted connection (not of a refused one), and whether the device is connected', async () => {
    // A whole second: X.509 times have no milliseconds.
    const notAfter = new Date(Math.floor((Date.now() + 20 * DAY_MS) / 1000) * 1000);
    const dev = await device('mon-c', certOptions(pki.device('mon-c', { notAfter })));
    assert.equal(gw.endpoint.isConnected(deviceId('mon-c')), true);
    assert.deepEqual(
      gw.certificates.map((c) => [c.deviceId, c.certificate.subjectCn, c.certificate.validTo]),
      [['mon-c', 'mon-c', notAfter.getTime()]],
    );
    trust.unapproved.add('mon-d');
    assert.equal((await connectAnswer(tlsFor('mon-d'), 5)).code, ReasonCode.notAuthorized);
    assert.equal(gw.endpoint.isConnected(deviceId('mon-d')), false);
    assert.equal(gw.certificates.length, 1, 'a refused connection reports no certificate');
    const closed = closedOf(dev);
    dev.client.end();
    await waitFor('the connection to close', closed, BOUND_MS);
    await waitFor('the endpoint to see the device gone', () => !gw.endpoint.isConnected(deviceId('mon-c')), BOUND_MS);
  });

  it('acknowledges a valid device (PUBACK 0) and stores its record, v5 and 3.1.1', async () => {
    const v5 = await device('mon-v', tlsFor('mon-v'));
    assert.equal((await v5.publish(telemetry(1))).reasonCode, ReasonCode.success);
    const v4 = await device('mon-w', { ...tlsFor('mon-w'), protocolVersion: 4 });
    assert.equal((await v4.publish(telemetry(1))).reasonCode, ReasonCode.success);
    assert.deepEqual(storedDeviceIds().sort(), ['mon-v', 'mon-w']);
    assert.equal(gw.metrics.messagesAccepted, 2);
    assert.deepEqual(gw.securityEvents, []);
    assert.deepEqual([...new Set(trust.requests.map((r) => r.deviceId))].sort(), ['mon-v', 'mon-w']);
  });
});
