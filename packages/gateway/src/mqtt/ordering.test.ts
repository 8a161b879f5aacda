import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Packet } from 'mqtt-packet';
import { startGateway } from '../testing/harness.js';
import { connectDevice, telemetry } from '../testing/mqtt-test-client.js';
import { turns, waitFor } from '../testing/wait.js';
import { ReasonCode } from './reason-codes.js';

describe('PUBACK order and back-pressure', () => {
  for (const protocolVersion of [5, 4] as const) {
    it(`v${protocolVersion}: PUBACKs leave in PUBLISH order even when later appends settle first [MQTT-4.6.0-2]`, async () => {
      const gw = await startGateway();
      const dev = await connectDevice(gw.url, 'mon-30', { protocolVersion, subscribeErrors: false });
      const order: number[] = [];
      dev.client.on('packetreceive', (p: Packet) => {
        if (p.cmd === 'puback' && p.messageId !== undefined) order.push(p.messageId);
      });
      const published: number[] = [];
      dev.client.on('packetsend', (p: Packet) => {
        if (p.cmd === 'publish' && p.messageId !== undefined) published.push(p.messageId);
      });
      gw.log.hold();
      const acks = [];
      // One append batch per message: wait for each to reach the log before sending the next.
      for (let seq = 1; seq <= 4; seq++) {
        acks.push(dev.publish(telemetry(seq)));
        await waitFor(`append ${seq}`, () => gw.log.appendCalls === seq);
        // A message the wire contract rejects is answered at once, yet must wait for the ones before it.
        if (seq === 2) acks.push(dev.publish({ boot: 'b1', ts: 0, readings: [] }));
      }
      await waitFor('the rejected message', () => gw.metrics.rejections.get('missing-seq') === 1);
      assert.deepEqual(order, [], 'nothing is acknowledged while the first append is pending');
      gw.log.release('lifo');
      await Promise.all(acks);
      assert.equal(order.length, 5);
      assert.deepEqual(order, published);
      await dev.end();
      await gw.close();
    });
  }

  it('3.1.1: stops reading a client with receiveMaximum unanswered publishes, and resumes', async () => {
    const gw = await startGateway({ receiveMaximum: 5 });
    const dev = await connectDevice(gw.url, 'mon-31', { protocolVersion: 4, subscribeErrors: false });
    gw.log.hold();
    const acks = Array.from({ length: 20 }, (_, i) => dev.publish(telemetry(i + 1)));
    await waitFor('five in flight', () => gw.endpoint.stats().inFlight === 5);
    await turns(50);
    assert.equal(gw.endpoint.stats().inFlight, 5, 'the rest waits in the socket, unread');
    gw.log.release();
    assert.ok((await Promise.all(acks)).every((a) => a.reasonCode === 0));
    assert.equal(gw.log.entries().length, 20);
    await dev.end();
    await gw.close();
  });

  it('v5: a client exceeding Receive Maximum is disconnected with 0x93 and nothing is acknowledged', async () => {
    const gw = await startGateway({ receiveMaximum: 2 });
    const dev = await connectDevice(gw.url, 'mon-32', { subscribeErrors: false });
    let closed = false;
    dev.client.on('close', () => (closed = true));
    gw.log.hold();
    for (let seq = 1; seq <= 3; seq++) void dev.publish(telemetry(seq)).catch(() => undefined);
    await waitFor('the disconnect', () => closed);
    assert.equal(dev.disconnects[0]?.reasonCode, ReasonCode.receiveMaximumExceeded);
    assert.equal(gw.metrics.refusals.get('receive-maximum-exceeded'), 1);
    gw.log.release();
    await dev.client.endAsync(true);
    await gw.close();
  });
});
