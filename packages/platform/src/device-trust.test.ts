import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CertificateAuthority } from '@wardstream/pki';
import { openDeviceTrust, serverHostnames } from './device-trust.js';
import { demoTls } from './demo.js';
import { SILENT_LOGGER } from './logger.js';

async function open(keyDir: string, mqttHost = '127.0.0.1') {
  const trust = await openDeviceTrust({ keyDir, mqttTls: { kind: 'platform-ca' }, mqttHost, logger: SILENT_LOGGER });
  trust.close();
  return trust;
}

function matches(tls: { key: string | Buffer; cert: string | Buffer }): boolean {
  return new X509Certificate(tls.cert).checkPrivateKey(createPrivateKey(tls.key));
}

function otherKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

describe('the MQTT server certificate in the key directory', () => {
  it('is reused across starts, for mixed-case and IPv6 hosts too, with its key 0600', async (t) => {
    const keyDir = await mkdtemp(join(tmpdir(), 'ws-trust-'));
    t.after(() => rm(keyDir, { recursive: true, force: true }));
    for (const host of ['Ward-GW.example', '::1']) {
      const first = await open(keyDir, host);
      const second = await open(keyDir, host);
      assert.equal(second.tls.cert, first.tls.cert, `reused for ${host}`);
      assert.ok(matches(second.tls));
    }
    assert.equal(statSync(join(keyDir, 'mqtt-server.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(keyDir, 'mqtt-server.crt')).mode & 0o777, 0o644);
  });

  it('is issued again when the key on disk is not the certificate’s (a crash between the writes)', async (t) => {
    const keyDir = await mkdtemp(join(tmpdir(), 'ws-trust-'));
    t.after(() => rm(keyDir, { recursive: true, force: true }));
    const first = await open(keyDir);
    writeFileSync(join(keyDir, 'mqtt-server.key'), otherKeyPem(), { mode: 0o600 });
    const second = await open(keyDir);
    assert.notEqual(second.tls.cert, first.tls.cert);
    assert.ok(matches(second.tls), 'the listener gets a key that matches its certificate');
    assert.equal(readFileSync(join(keyDir, 'mqtt-server.key'), 'utf8'), second.tls.key);
  });

  it('is issued again when the certificate file is damaged, instead of failing the start', async (t) => {
    const keyDir = await mkdtemp(join(tmpdir(), 'ws-trust-'));
    t.after(() => rm(keyDir, { recursive: true, force: true }));
    await open(keyDir);
    writeFileSync(join(keyDir, 'mqtt-server.crt'), '-----BEGIN CERTIFICATE-----\ngarbage\n');
    const again = await open(keyDir);
    assert.ok(matches(again.tls));
  });

  it('names no wildcard address and strips IPv6 brackets', () => {
    const names = serverHostnames('0.0.0.0', '::', '[fe80::1]', 'GW.Example');
    assert.ok(!names.includes('0.0.0.0') && !names.includes('::'));
    assert.ok(names.includes('fe80::1') && names.includes('gw.example'));
  });
});

describe('the demo devices’ certificates', () => {
  it('are issued again when a key file is missing or not the certificate’s', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ws-demo-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const ca = await CertificateAuthority.openOrCreate(join(dir, 'ca'));
    const credentials = { ca, dir: join(dir, 'demo-devices') };
    const ids = ['demo-mon-0001', 'demo-mon-0002'] as never[];
    const first = await demoTls(credentials, ids, Date.now());
    writeFileSync(join(credentials.dir, 'demo-mon-0001.key'), otherKeyPem());
    await rm(join(credentials.dir, 'demo-mon-0002.key'));
    const second = await demoTls(credentials, ids, Date.now());
    for (const id of ['demo-mon-0001', 'demo-mon-0002']) {
      assert.notEqual(second(id).cert, first(id).cert, `${id} issued again`);
      assert.ok(matches(second(id)), `${id}: key matches certificate`);
    }
    assert.equal(statSync(join(credentials.dir, 'demo-mon-0002.key')).mode & 0o777, 0o600);
    const third = await demoTls(credentials, ids, Date.now());
    assert.equal(third('demo-mon-0001').cert, second('demo-mon-0001').cert, 'a good pair is reused');
  });
});
