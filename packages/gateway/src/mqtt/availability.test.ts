import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGateway } from '../testing/harness.js';
import { connectDevice, telemetry, type AckResult } from '../testing/mqtt-test-client.js';
import { waitFor } from '../testing/wait.js';
import { ConnectReturnCode, ReasonCode } from './reason-codes.js';

const ENOSPC = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });

describe('when the telemetry log is unavailable', () => {
  for (const protocolVersion of [5, 4] as const) {
    it(`v${protocolVersion}: no PUBACK, the client is disconnected and refused until the log recovers, then the re-sent message is stored once`, async () => {
      const gw = await startGateway();
      const dev = await connectDevice(gw.url, 'mon-20', {
        protocolVersion,
        reconnectPeriod: 20,
        reconnectOnConnackError: true,
        subscribeErrors: false,
      });
      const connackErrors: unknown[] = [];
      dev.client.on('error', (error) => connackErrors.push((error as { code?: unknown }).code));
      let closes = 0;
      dev.client.on('close', () => closes++);

      gw.log.failWith('disk full', ENOSPC);
      const answered: { ack?: AckResult } = {};
      const acked = dev.publish(telemetry(1)).then((a) => (answered.ack = a));
      await waitFor('the disconnect', () => closes > 0);
      if (protocolVersion === 5) {
        const [disconnect] = dev.disconnects;
        assert.ok(disconnect);
        assert.equal(disconnect.reasonCode, ReasonCode.serverBusy);
        assert.match(disconnect.reasonString ?? '', /telemetry log unavailable: disk full \(ENOSPC\)/);
      }
      await waitFor('a refused reconnect', () => connackErrors.length > 0);
      const refusedWith = protocolVersion === 5 ? ReasonCode.serverUnavailable : ConnectReturnCode.serverUnavailable;
      assert.equal(connackErrors[0], refusedWith);
      assert.deepEqual(Object.keys(answered), [], 'nothing was acknowledged');
      assert.equal(gw.log.entries().length, 0);
      assert.ok(gw.metrics.unavailable >= 1);
      assert.ok((gw.metrics.refusals.get('server-unavailable') ?? 0) >= 1);

      gw.log.recover();
      await acked;
      assert.equal(answered.ack?.reasonCode, 0);
      assert.equal(gw.log.entries().length, 1);
      await dev.end();
      await gw.close();
    });
  }
});

describe('close()', () => {
  it('lets in-flight appends finish and their PUBACKs go out, then disconnects with 0x8B', async () => {
    const gw = await startGateway();
    const v5 = await connectDevice(gw.url, 'mon-21', { subscribeErrors: false });
    const v4 = await connectDevice(gw.url, 'mon-22', { protocolVersion: 4, subscribeErrors: false });
    gw.log.hold();
    const acks = [v5.publish(telemetry(1)), v5.publish(telemetry(2)), v4.publish(telemetry(1))];
    await waitFor('three publishes in flight', () => gw.endpoint.stats().inFlight === 3);
    const closed = gw.endpoint.close();
    await waitFor('the batch to reach the log', () => gw.log.appendCalls > 0);
    gw.log.release();
    assert.deepEqual(
      (await Promise.all(acks)).map((a) => a.reasonCode),
      [0, 0, 0],
    );
    await closed;
    assert.equal(gw.log.entries().length, 3);
    assert.deepEqual(
      v5.disconnects.map((d) => d.reasonCode),
      [ReasonCode.serverShuttingDown],
    );
    assert.deepEqual(gw.endpoint.stats(), { connections: 0, devices: 0, inFlight: 0 });
    await Promise.all([v5.end(), v4.end()]);
  });
});
