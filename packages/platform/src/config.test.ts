import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HTTP_PORT, DEFAULT_MQTT_PORT, parseConfig } from './config.js';

describe('platform configuration', () => {
  it('has defaults that suit a laptop', () => {
    const parsed = parseConfig([], {});
    assert.ok(parsed.ok);
    assert.equal(parsed.config.httpPort, DEFAULT_HTTP_PORT);
    assert.equal(parsed.config.mqttPort, DEFAULT_MQTT_PORT);
    assert.equal(parsed.config.host, '127.0.0.1');
    assert.deepEqual(parsed.config.mqttTls, { kind: 'platform-ca' }, 'mutual TLS by default');
    assert.equal(parsed.config.devPlaintextMqttPort, undefined, 'no plaintext listener unless asked');
    assert.deepEqual(parsed.config.tokens, {
      kind: 'embedded',
      issuer: `http://127.0.0.1:${DEFAULT_HTTP_PORT}`,
      audience: 'wardstream',
    });
    assert.equal(parsed.config.enrollment, undefined);
    assert.equal(parsed.config.demoPatients, 0);
  });

  it('takes WARDSTREAM_* variables, and flags over them', () => {
    const env = { WARDSTREAM_HTTP_PORT: '9000', WARDSTREAM_MQTT_PORT: '9001', WARDSTREAM_DATA_DIR: '/tmp/ws' };
    const fromEnv = parseConfig([], env);
    assert.ok(fromEnv.ok);
    assert.equal(fromEnv.config.httpPort, 9000);
    assert.equal(fromEnv.config.dataDir, '/tmp/ws');
    const flags = parseConfig(['--http-port', '9100', '--demo', '20'], env);
    assert.ok(flags.ok);
    assert.equal(flags.config.httpPort, 9100);
    assert.equal(flags.config.mqttPort, 9001);
    assert.equal(flags.config.demoPatients, 20);
  });

  it('lists every problem at once', () => {
    const parsed = parseConfig(['--http-port', 'eighty', '--mqtt-port', '70000', '--mqtt-tls-cert', 'a.pem'], {});
    assert.equal(parsed.ok, false);
    assert.equal(parsed.errors.length, 3);
    assert.match(parsed.errors.join('\n'), /--http-port.*"eighty"/);
    assert.match(parsed.errors.join('\n'), /--mqtt-port.*65535/);
    assert.match(parsed.errors.join('\n'), /go together/);
  });

  it('keeps the audit key outside the data directory', () => {
    const defaults = parseConfig(['--data-dir', '/srv/ws/data'], {});
    assert.ok(defaults.ok);
    assert.equal(defaults.config.keyDir, '/srv/ws/data-keys');
    assert.equal(defaults.config.auditKeyDir, '/srv/ws/data-keys');
    const keysInside = parseConfig(['--data-dir', '/srv/ws/data', '--key-dir', '/srv/ws/data/k'], {});
    assert.ok(!keysInside.ok);
    assert.match(keysInside.errors.join('\n'), /--key-dir must be outside --data-dir/);
    const inside = parseConfig(['--data-dir', '/srv/ws/data', '--audit-key-dir', '/srv/ws/data/keys'], {});
    assert.ok(!inside.ok);
    assert.match(inside.errors.join('\n'), /--audit-key-dir must be outside --data-dir/);
  });

  it("takes the hospital's PKI and OIDC provider instead of the platform's own", () => {
    const parsed = parseConfig(
      [
        '--mqtt-tls-cert',
        's.crt',
        '--mqtt-tls-key',
        's.key',
        '--mqtt-tls-ca',
        'ca.crt',
        '--oidc-issuer',
        'https://idp.example.org/realms/ward',
        '--oidc-jwks-url',
        'https://idp.example.org/realms/ward/certs',
      ],
      {},
    );
    assert.ok(parsed.ok);
    assert.equal(parsed.config.mqttTls.kind, 'files');
    assert.deepEqual(parsed.config.tokens, {
      kind: 'external',
      issuer: 'https://idp.example.org/realms/ward',
      audience: 'wardstream',
      jwksUrl: 'https://idp.example.org/realms/ward/certs',
    });
  });

  it('pairs the options that only work together, and checks URLs and ports', () => {
    const parsed = parseConfig(
      ['--oidc-issuer', 'idp', '--enrollment-port', '8443', '--dev-plaintext-mqtt-port', '1884'],
      {},
    );
    assert.equal(parsed.ok, false);
    const text = parsed.errors.join('\n');
    assert.match(text, /--oidc-issuer and --oidc-jwks-url go together/);
    assert.match(text, /--oidc-issuer: "idp" is not an http\(s\) URL/);
    assert.match(text, /--enrollment-port and --enrollment-policy go together/);
    assert.match(text, /--dev-plaintext-mqtt-port must differ/);
  });

  it('keeps the API off the network in clear: HTTPS, or an explicit choice', () => {
    const exposed = parseConfig(['--host', '0.0.0.0'], {});
    assert.equal(exposed.ok, false);
    assert.match(
      exposed.errors.join('\n'),
      /--host 0\.0\.0\.0 would serve bearer tokens and patient data over plain HTTP/,
    );
    const platformCa = parseConfig(['--host', '0.0.0.0', '--http-tls', 'platform-ca'], {});
    assert.ok(platformCa.ok);
    assert.deepEqual(platformCa.config.httpTls, { kind: 'platform-ca' });
    assert.equal(platformCa.config.tokens.issuer, `https://127.0.0.1:${DEFAULT_HTTP_PORT}`);
    const proxied = parseConfig(['--host', '10.1.2.3', '--http-tls', 'off'], {});
    assert.ok(proxied.ok, 'behind a TLS-terminating proxy, said explicitly');
    const files = parseConfig(['--host', '10.1.2.3', '--http-tls-cert', 'api.crt', '--http-tls-key', 'api.key'], {});
    assert.ok(files.ok);
    assert.equal(files.config.httpTls.kind, 'files');
    const bad = parseConfig(['--http-tls', 'yes', '--http-tls-cert', 'api.crt'], {});
    assert.equal(bad.ok, false);
    assert.match(bad.errors.join('\n'), /--http-tls: "yes" is not one of platform-ca, off/);
    assert.match(bad.errors.join('\n'), /--http-tls-cert and --http-tls-key go together/);
  });

  it('refuses a misspelt WARDSTREAM_ variable instead of ignoring it', () => {
    const parsed = parseConfig([], { WARDSTREAM_HTTP_POR: '9000' });
    assert.equal(parsed.ok, false);
    assert.match(parsed.errors.join('\n'), /unknown environment variable WARDSTREAM_HTTP_POR/);
  });

  it('puts the MQTT endpoint on its own address when asked', () => {
    const parsed = parseConfig(['--mqtt-host', '0.0.0.0'], {});
    assert.ok(parsed.ok);
    assert.equal(parsed.config.host, '127.0.0.1');
    assert.equal(parsed.config.mqttHost, '0.0.0.0');
  });

  it('refuses unknown options with a clear message', () => {
    const parsed = parseConfig(['--htp-port', '1'], {});
    assert.equal(parsed.ok, false);
    assert.match(parsed.errors[0] ?? '', /htp-port/);
  });
  it('takes --public-url as an origin only, and a fixed port for the plaintext listener', () => {
    for (const url of ['https://ward.example/api', 'https://ward.example?x=1', 'https://u:p@ward.example', 'ftp://x']) {
      const parsed = parseConfig(['--public-url', url], {});
      assert.equal(parsed.ok, false, url);
      assert.match(parsed.errors.join('\n'), /--public-url/);
    }
    const origin = parseConfig(['--public-url', 'https://ward.example:8443/'], {});
    assert.ok(origin.ok);
    assert.equal(origin.config.tokens.issuer, 'https://ward.example:8443');
    const zero = parseConfig(['--dev-plaintext-mqtt-port', '0'], {});
    assert.equal(zero.ok, false);
    assert.match(zero.errors.join('\n'), /--dev-plaintext-mqtt-port/);
    const empty = parseConfig([], { WARDSTREAM_DEV_PLAINTEXT_MQTT_PORT: '' });
    assert.ok(empty.ok);
    assert.equal(empty.config.devPlaintextMqttPort, undefined);
  });

  it('brackets an IPv6 --host in the embedded issuer', () => {
    const parsed = parseConfig(['--host', '::1'], {});
    assert.ok(parsed.ok);
    assert.equal(parsed.config.tokens.issuer, `http://[::1]:${DEFAULT_HTTP_PORT}`);
    assert.ok(URL.canParse(parsed.config.tokens.issuer));
  });
});
