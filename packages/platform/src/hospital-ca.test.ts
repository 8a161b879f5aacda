import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CA_CERT_FILE, CA_KEY_FILE, CertificateAuthority } from '@wardstream/pki';
import { parseConfig } from './config.js';
import { startEmbedded } from './embedded.js';
import { SILENT_LOGGER } from './logger.js';
import { connectTlsDevice } from './testing/tls-device.js';

describe("the hospital's CA instead of the platform's own (--ca-cert, --ca-key)", () => {
  it('signs the listener and device certificates; the inventory stays in <key-dir>/ca', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-hospital-ca-'));
    // Stands in for the hospital PKI's CA for Wardstream: a CA certificate and key in files.
    const hospital = await CertificateAuthority.openOrCreate(join(dir, 'hospital'), { commonName: 'Hospital PKI' });
    const parsed = parseConfig(
      [
        '--data-dir',
        join(dir, 'data'),
        '--http-port',
        '0',
        '--mqtt-port',
        '0',
        '--ca-cert',
        join(dir, 'hospital', CA_CERT_FILE),
        '--ca-key',
        join(dir, 'hospital', CA_KEY_FILE),
      ],
      {},
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
    const platform = await startEmbedded(parsed.config, { logger: SILENT_LOGGER });
    t.after(async () => {
      await platform.stop();
      await rm(dir, { recursive: true, force: true });
    });
    assert.equal(platform.ca?.subject, hospital.subject);

    const issued = await platform.ca.issueDevice('bed-1.monitor');
    const hospitalCert = new X509Certificate(hospital.certificatePem);
    assert.ok(new X509Certificate(issued.certificatePem).checkIssued(hospitalCert), 'issued by the hospital CA');
    // The device trusts only the hospital's CA, and the listener's certificate chains to it.
    const device = await connectTlsDevice(platform.mqttPort, 'bed-1.monitor', {
      ca: hospital.certificatePem,
      cert: issued.certificatePem,
      key: issued.keyPem,
    });
    const outcome = await device.publish({
      seq: 1,
      boot: 'b1',
      ts: Date.now(),
      readings: [{ code: 'MDC_ECG_HEART_RATE', value: 72, unit: '/min' }],
    });
    assert.deepEqual(outcome, { kind: 'acked', reasonCode: 0 });
    await device.end();
    const inventory = await CertificateAuthority.fromFiles({
      certPath: join(dir, 'hospital', CA_CERT_FILE),
      keyPath: join(dir, 'hospital', CA_KEY_FILE),
      inventoryDir: join(dir, 'data-keys', 'ca'),
    });
    const recorded = inventory.list().map((c) => `${c.kind} ${c.subject}`);
    assert.ok(recorded.includes('device bed-1.monitor'), recorded.join(', '));
    assert.ok(
      recorded.some((r) => r.startsWith('server ')),
      'the listener certificate too',
    );
    assert.equal(hospital.list().length, 0, "nothing is recorded in the hospital CA's own directory");
  });
});
