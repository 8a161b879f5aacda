import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseRoleConfig, roleHelp } from './role-config.js';

const BASE = {
  WARDSTREAM_NATS: 'nats://10.0.0.1:4222,nats://10.0.0.2:4222',
  WARDSTREAM_POSTGRES: 'postgres://ws@db/ws',
};

void describe('role configuration (flags, WARDSTREAM_* variables, --config file)', () => {
  void it('a processor from the environment alone, with the defaults filled in', () => {
    const parsed = parseRoleConfig('processor', ['--member-id', 'proc-a'], BASE);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.config.role, 'processor');
    assert.deepEqual(parsed.config.natsServers, ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222']);
    assert.equal(parsed.config.partitions, 16);
    assert.equal(parsed.config.replicas, 1);
    assert.equal(parsed.config.pgSchema, 'wardstream');
    assert.equal(parsed.config.memberId, 'proc-a');
  });

  void it('lists every problem at once, naming the flag and its variable', () => {
    const parsed = parseRoleConfig('gateway', ['--partitions', '0', '--replicas', 'three'], {
      WARDSTREAM_NATS: 'http://x',
      WARDSTREAM_PG_SCHEMA: 'Bad-Schema',
    });
    assert.ok(!parsed.ok);
    const text = parsed.errors.join('\n');
    for (const expected of [
      /--postgres \(WARDSTREAM_POSTGRES\) is required/,
      /--nats .*"http:\/\/x" is not nats:\/\/host:port/,
      /--pg-schema .*Bad-Schema/,
      /--partitions .*"0" must be an integer from 1 to 256/,
      /--replicas .*"three"/,
      /--mqtt-tls-cert\/-key\/-ca\) or the shared platform CA \(--key-dir\)/,
    ]) {
      assert.match(text, expected);
    }
    assert.equal(parsed.errors.length, 6, text);
  });

  void it('refuses a variable or a file key that is not an option of the role', () => {
    const parsed = parseRoleConfig('processor', [], {
      ...BASE,
      WARDSTREAM_MQTT_PORT: '1884',
      WARDSTREAM_PARTITONS: '8',
    });
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.errors.sort(), [
      'WARDSTREAM_MQTT_PORT is not an option of the processor role',
      'WARDSTREAM_PARTITONS is not an option of the processor role',
    ]);
  });

  void it('a --config file fills what flags and variables do not give, and flags win over both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-role-config-'));
    const file = join(dir, 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({ partitions: 32, 'mqtt-port': 8883, 'key-dir': '/keys', nats: 'nats://file:4222' }),
    );
    const parsed = parseRoleConfig('gateway', ['--config', file, '--mqtt-port', '1885'], BASE);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.ok(parsed.config.role === 'gateway');
    assert.equal(parsed.config.partitions, 32);
    assert.equal(parsed.config.mqttPort, 1885);
    assert.equal(parsed.config.keyDir, '/keys');
    assert.deepEqual(
      parsed.config.natsServers,
      ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'],
      'the variable wins over the file',
    );

    writeFileSync(file, JSON.stringify({ 'http-port': 80, partitions: [8] }));
    const bad = parseRoleConfig('gateway', ['--config', file, '--key-dir', '/k'], BASE);
    assert.ok(!bad.ok);
    assert.deepEqual(bad.errors.sort(), [
      `--config ${file}: "http-port" is not an option of the gateway role`,
      `--config ${file}: "partitions" must be a string or a number`,
    ]);
  });

  void it('the api refuses plain HTTP off loopback and needs the OIDC provider', () => {
    const parsed = parseRoleConfig('api', ['--host', '0.0.0.0'], BASE);
    assert.ok(!parsed.ok);
    assert.equal(parsed.errors.length, 3, parsed.errors.join('\n'));
    assert.match(parsed.errors.join('\n'), /plain HTTP on the network/);
    const ok = parseRoleConfig(
      'api',
      ['--oidc-issuer', 'https://idp.example', '--oidc-jwks-url', 'https://idp.example/jwks'],
      BASE,
    );
    assert.ok(ok.ok && ok.config.role === 'api' && ok.config.httpTls === undefined && ok.config.host === '127.0.0.1');
  });

  void it('each role’s help lists its own options only', () => {
    assert.match(roleHelp('gateway'), /--mqtt-port/);
    assert.doesNotMatch(roleHelp('gateway'), /--member-id/);
    assert.match(roleHelp('processor'), /--lease-ttl-ms/);
    assert.doesNotMatch(roleHelp('api'), /--dev-plaintext-mqtt-port/);
  });

  void it('a processor takes the local clinical policy file of `up`, and names the file and field it refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-role-policy-'));
    const good = join(dir, 'policy.json');
    writeFileSync(good, JSON.stringify({ ecg: { priority: { irregular: 'medium' } } }));
    const parsed = parseRoleConfig('processor', ['--clinical-policy', good], BASE);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.config.role, 'processor');
    assert.equal(parsed.config.clinicalPolicy.ecg.priority.irregular, 'medium');
    assert.equal(parsed.config.clinicalPolicy.ecg.priority.asystole, 'high', 'the rest keeps its default');
    const defaults = parseRoleConfig('processor', [], BASE);
    assert.ok(defaults.ok);
    assert.equal(defaults.config.role, 'processor');
    assert.notEqual(defaults.config.clinicalPolicy.ecg.priority.irregular, 'medium');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ecg: { priority: { irregular: 'loud' } } }));
    const refused = parseRoleConfig('processor', [], { ...BASE, WARDSTREAM_CLINICAL_POLICY: bad });
    assert.ok(!refused.ok);
    assert.equal(refused.errors.length, 1, refused.errors.join('\n'));
    assert.match(
      refused.errors[0] ?? '',
      /^--clinical-policy \(WARDSTREAM_CLINICAL_POLICY\): .*bad\.json: .*irregular/,
    );
    const missing = parseRoleConfig('processor', ['--clinical-policy', join(dir, 'none.json')], BASE);
    assert.ok(!missing.ok);
    assert.match(missing.errors.join('\n'), /none\.json: ENOENT/);
  });
});
