import assert from 'node:assert/strict';
import { it } from 'node:test';
import { JetStreamLogOptionsError, compileJetStreamLogOptions, type JetStreamTelemetryLogOptions } from './options.js';

void it('JetStreamTelemetryLog options: applies defaults and lists every problem at once', () => {
  const config = compileJetStreamLogOptions({ servers: 'nats://127.0.0.1:4222', replicas: 3 });
  assert.equal(config.prefix, 'WS_TELEMETRY');
  assert.equal(config.duplicateWindowMs, 120_000);
  assert.equal(config.partitionCount, undefined);
  assert.equal(config.connection.kind, 'own');
  const bad = {
    servers: [],
    prefix: 'ws.telemetry',
    replicas: 2,
    partitionCount: 0,
    duplicateWindowMs: 10,
    extra: true,
  } as unknown as JetStreamTelemetryLogOptions;
  assert.throws(
    () => compileJetStreamLogOptions(bad),
    (error) => {
      assert.ok(error instanceof JetStreamLogOptionsError);
      assert.equal(error.code, 'INVALID_INPUT');
      assert.equal(error.problems.length, 6, error.message);
      return true;
    },
  );
});
