import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeIngestRecord } from '@wardstream/domain';
import { connectAsync, type IClientOptions } from 'mqtt';
import { createTestPki, type TestPki } from '../testing/certs.js';
import { startGateway, type GatewayHarness } from '../testing/harness.js';
import { connectDevice, telemetry } from '../testing/mqtt-test-client.js';
import { ConnectReturnCode, ReasonCode } from './reason-codes.js';

/** Resolves with the error code a refused connection attempt fails with. */
async function refusedCode(url: string, options: IClientOptions): Promise<unknown> {
  try {
    const client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options }, false);
    await client.endAsync();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'connected';
}

describe('device identity from the client certificate (mutual TLS)', () => {
  let pki: TestPki;
  let gw: GatewayHarness;
  let tlsFor: (cn: string, foreignCa?: boolean) => IClientOptions;
  before(async () => {
    pki = createTestPki();
    gw = await startGateway({ identity: 'certificate', tls: { ...pki.server, ca: pki.ca } });
    tlsFor = (cn, foreignCa = false) => ({ ...pki.device(cn, { foreignCa }), ca: pki.ca, rejectUnauthorized: true });
  });
  after(async () => {
    await gw.close();
    pki.dispose();
  });

  for (const protocolVersion of [5, 4] as const) {
    it(`takes the device id from the certificate CN (v${protocolVersion}) and stores under it`, async () => {
      const dev = await connectDevice(gw.url, 'mon-7', { ...tlsFor('mon-7'), clientId: '', protocolVersion });
      const before = gw.log.entries().length;
      await dev.publish(telemetry(protocolVersion));
      const [entry] = gw.log.entries().slice(before);
      assert.equal(entry === undefined ? undefined : decodeIngestRecord(entry.payload).deviceId, 'mon-7');
      await dev.end();
    });
  }

  it('refuses a certified device publishing under another id (v5 0x87, 3.1.1 errors topic)', async () => {
    const v5 = await connectDevice(gw.url, 'mon-7', { ...tlsFor('mon-7'), clientId: 'mon-7' });
    const before = gw.log.entries().length;
    const ack = await v5.publish(telemetry(9), { topic: 'wardstream/v1/devices/mon-8/telemetry' });
    assert.equal(ack.reasonCode, ReasonCode.notAuthorized);
    await v5.end();
    const v4 = await connectDevice(gw.url, 'mon-7', { ...tlsFor('mon-7'), clientId: '', protocolVersion: 4 });
    await v4.publish(telemetry(9), { topic: 'wardstream/v1/devices/mon-8/telemetry' });
    assert.equal(v4.reports.at(-1)?.['reason'], 'not-authorized');
    await v4.end();
    assert.equal(gw.log.entries().length, before);
  });

  it('refuses a client id that differs from the certificate CN: CONNACK 0x85 (v5) / 0x02 (3.1.1)', async () => {
    assert.equal(
      await refusedCode(gw.url, { ...tlsFor('mon-7'), clientId: 'mon-8', protocolVersion: 5 }),
      ReasonCode.clientIdentifierNotValid,
    );
    assert.equal(
      await refusedCode(gw.url, { ...tlsFor('mon-7'), clientId: 'mon-8', protocolVersion: 4 }),
      ConnectReturnCode.identifierRejected,
    );
    assert.equal(gw.metrics.refusals.get('bad-identity'), 2);
  });

  it('refuses a client without a certificate, or with one from another CA, at CONNECT: 0x87 (v5) / 0x05 (3.1.1)', async () => {
    const withoutCert = { ca: pki.ca, rejectUnauthorized: true, clientId: 'mon-7' };
    assert.equal(await refusedCode(gw.url, { ...withoutCert, protocolVersion: 5 }), ReasonCode.notAuthorized);
    assert.equal(await refusedCode(gw.url, { ...withoutCert, protocolVersion: 4 }), ConnectReturnCode.notAuthorized);
    const foreign = await refusedCode(gw.url, { ...tlsFor('mon-7', true), clientId: 'mon-7', protocolVersion: 5 });
    assert.equal(foreign, ReasonCode.notAuthorized);
    assert.equal(gw.metrics.refusals.get('no-certificate'), 2);
    assert.equal(gw.metrics.refusals.get('certificate-untrusted'), 1);
    assert.equal(gw.metrics.connectionsOpened, 4, 'only the certified connections of the tests above');
  });
});

describe('device identity from the client id (development mode)', () => {
  let gw: GatewayHarness;
  before(async () => {
    gw = await startGateway({ identity: 'client-id' });
  });
  after(() => gw.close());

  it('refuses a client id that is not a device id: CONNACK 0x85 (v5) / 0x02 (3.1.1)', async () => {
    assert.equal(
      await refusedCode(gw.url, { clientId: 'bad id!', protocolVersion: 5 }),
      ReasonCode.clientIdentifierNotValid,
    );
    assert.equal(
      await refusedCode(gw.url, { clientId: 'bad id!', protocolVersion: 4 }),
      ConnectReturnCode.identifierRejected,
    );
    assert.equal(gw.metrics.refusals.get('bad-identity'), 2);
  });

  it('hands the platform each connected device', async () => {
    const seen: string[] = [];
    const hooked = await startGateway({ onDeviceConnected: (id) => seen.push(id) });
    const dev = await connectDevice(hooked.url, 'mon-11', { subscribeErrors: false });
    assert.deepEqual(seen, ['mon-11']);
    await dev.end();
    await hooked.close();
  });
});
