import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMqttEndpointOptions, MqttEndpointOptionsError, type MqttEndpointOptions } from './endpoint-options.js';

describe('compileMqttEndpointOptions', () => {
  it('applies the defaults', () => {
    const compiled = compileMqttEndpointOptions({ port: 0, identity: 'client-id' });
    assert.equal(compiled.host, '127.0.0.1');
    assert.equal(compiled.receiveMaximum, 100);
    assert.equal(compiled.maxPacketBytes, 128 * 1024);
    assert.equal(compiled.tls, null);
    assert.equal(compiled.reauthorizeIntervalMs, 10_000);
  });

  it('names every problem at once', () => {
    const options = {
      port: 70_000,
      identity: 'certificate',
      receiveMaximum: 0,
      maxPacketBytes: 10,
      reauthorizeIntervalMs: 120_000,
    } satisfies MqttEndpointOptions;
    assert.throws(
      () => compileMqttEndpointOptions(options),
      (error: unknown) => {
        assert.ok(error instanceof MqttEndpointOptionsError);
        assert.equal(error.problems.length, 5);
        assert.match(error.message, /certificate" needs tls/);
        assert.match(error.message, /port must be an integer in 0\.\.65535/);
        assert.match(error.message, /receiveMaximum/);
        assert.match(error.message, /maxPacketBytes/);
        assert.match(error.message, /reauthorizeIntervalMs must be an integer in 10\.\.60000/);
        return true;
      },
    );
  });
});
