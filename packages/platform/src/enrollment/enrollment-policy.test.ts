import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_DEVICE_BUNDLE, loadEnrollmentPolicy, parseEnrollmentPolicy } from './enrollment-policy.js';
import { createManufacturerPki, type ManufacturerPki } from './testing-pki.js';

describe('enrollment policy', () => {
  let pki: ManufacturerPki;

  before(() => {
    pki = createManufacturerPki(['acme', 'globex']);
    writeFileSync(join(pki.dir, 'leaf.crt'), pki.bootstrap('acme', '/CN=SN1').cert);
    writeFileSync(join(pki.dir, 'empty.pem'), 'nothing here\n');
  });
  after(() => {
    pki.dispose();
  });

  it('fills the defaults and resolves CA paths against the policy folder', () => {
    const parsed = parseEnrollmentPolicy({ manufacturers: [{ name: 'acme', caPath: 'acme-ca.crt' }] }, pki.dir);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
    const [acme] = parsed.policy.manufacturers;
    assert.deepEqual(
      [acme?.name, acme?.caPath, acme?.autoApprove, acme?.deviceIdFrom, acme?.prefix, acme?.caCertificates.length],
      ['acme', pki.caPath('acme'), false, 'cn', '', 1],
    );
    assert.deepEqual(parsed.policy.bundle, DEFAULT_DEVICE_BUNDLE);
    assert.deepEqual(DEFAULT_DEVICE_BUNDLE.reportingIntervals, { vitalsSec: 1, statusSec: 60 });
  });

  it('lists every problem at once, each under its field', () => {
    const parsed = parseEnrollmentPolicy(
      {
        manufacturers: [
          {
            name: 'acme corp',
            caPath: 'acme-ca.crt',
            autoApprove: 'yes',
            deviceIdFrom: 'mac',
            prefix: 'a/',
            colour: 'red',
          },
          { name: 'globex' },
          { name: 'initech', caPath: 'missing.pem' },
          { name: 'leafy', caPath: 'leaf.crt' },
          { name: 'blank', caPath: 'empty.pem' },
        ],
        bundle: { reportingIntervals: { vitalsSec: 0, statusSec: 1.5 }, keepAliveSec: 70_000, mqttHost: 'a b', qos: 2 },
        extra: true,
      },
      pki.dir,
    );
    assert.ok(!parsed.ok);
    const fields = parsed.errors.map((e) => e.slice(0, e.indexOf(':')));
    assert.deepEqual(fields, [
      'policy.extra',
      'manufacturers[0].colour',
      'manufacturers[0].name',
      'manufacturers[0].autoApprove',
      'manufacturers[0].deviceIdFrom',
      'manufacturers[0].prefix',
      'manufacturers[1].caPath',
      'manufacturers[2].caPath',
      'manufacturers[3].caPath',
      'manufacturers[4].caPath',
      'bundle.qos',
      'bundle.mqttHost',
      'bundle.reportingIntervals.vitalsSec',
      'bundle.reportingIntervals.statusSec',
      'bundle.keepAliveSec',
    ]);
    const { errors } = parsed;
    assert.match(errors.find((e) => e.startsWith('manufacturers[3]')) ?? '', /not a CA certificate/);
    assert.match(errors.find((e) => e.startsWith('manufacturers[4]')) ?? '', /holds no PEM certificate/);
  });

  it('refuses two manufacturers with one name or one CA, and a policy with none', () => {
    const twins = parseEnrollmentPolicy(
      {
        manufacturers: [
          { name: 'acme', caPath: 'acme-ca.crt' },
          { name: 'acme', caPath: 'globex-ca.crt' },
          { name: 'acme-2', caPath: pki.caPath('acme') },
        ],
      },
      pki.dir,
    );
    assert.deepEqual(twins.ok ? [] : twins.errors.map((e) => e.slice(0, e.indexOf(':'))), [
      'manufacturers[1].name',
      'manufacturers[2].caPath',
    ]);
    const none = parseEnrollmentPolicy({ manufacturers: [] }, pki.dir);
    assert.deepEqual(none.ok ? [] : none.errors, ['manufacturers: required, a non-empty list']);
  });

  it('names the file when it is not JSON', () => {
    const path = join(pki.dir, 'broken.json');
    writeFileSync(path, '{"manufacturers": [');
    const parsed = loadEnrollmentPolicy(path);
    assert.ok(!parsed.ok);
    assert.match(parsed.errors[0] ?? '', /broken\.json/);
  });
});
