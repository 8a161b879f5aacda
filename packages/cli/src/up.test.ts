import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig, type EmbeddedPlatform } from '@wardstream/platform';
import { banner } from './up.js';

const platform = {
  mqttPort: 1884,
  httpPort: 8080,
  devPlaintextMqttPort: undefined,
  enrollmentPort: undefined,
  identity: undefined,
} as unknown as EmbeddedPlatform;

describe('wardstream up: the banner', () => {
  it('points the certs and token commands at a --key-dir outside <data-dir>-keys, and brackets IPv6', async () => {
    const parsed = parseConfig(['--data-dir', '/srv/ws', '--key-dir', '/secure/ws-keys', '--host', '::1'], {});
    assert.ok(parsed.ok);
    const text = await banner(parsed.config, platform);
    assert.match(text, /certs issue DEVICE_ID --key-dir \/secure\/ws-keys/);
    assert.match(text, /token .* --key-dir \/secure\/ws-keys/);
    assert.match(text, /mqtts:\/\/\[::1\]:1884/);
    assert.match(text, /http:\/\/\[::1\]:8080\/api\/v1/);
  });

  it('keeps --data-dir when the keys are in their default place', async () => {
    const parsed = parseConfig(['--data-dir', '/srv/ws'], {});
    assert.ok(parsed.ok);
    assert.match(await banner(parsed.config, platform), /certs issue DEVICE_ID --data-dir \/srv\/ws\n/);
  });
});
