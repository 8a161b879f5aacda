import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SyncBridge } from './sync-bridge.js';
import type { FixtureProtocol } from './sync-bridge.fixture.js';

const FIXTURE = new URL('./sync-bridge.fixture.js', import.meta.url);

function bridge(callTimeoutMs = 10_000): SyncBridge<FixtureProtocol> {
  return new SyncBridge<FixtureProtocol>(FIXTURE, { name: 'test bridge', callTimeoutMs, workerData: { n: 7 } });
}

void describe('SyncBridge', () => {
  void it('returns what the worker answers, synchronously', () => {
    const b = bridge();
    try {
      assert.deepEqual(b.call('data'), { n: 7 });
      assert.deepEqual(b.call('echo', { a: [1, null, 'x'] }), { a: [1, null, 'x'] });
      assert.equal(b.call('echo', 'second'), 'second');
    } finally {
      b.close();
    }
  });

  void it('passes a WardstreamError code through and makes other failures UNAVAILABLE', () => {
    const b = bridge();
    try {
      assert.throws(() => b.call('fail', 'CONFLICT'), { code: 'CONFLICT', message: 'failed with CONFLICT' });
      assert.throws(() => b.call('fail', 'INVALID_INPUT'), { code: 'INVALID_INPUT' });
      assert.throws(() => b.call('bug'), { code: 'UNAVAILABLE', message: /bug failed in the worker: TypeError/ });
      assert.equal(b.call('echo', 'still works'), 'still works');
    } finally {
      b.close();
    }
  });

  void it('throws UNAVAILABLE when no answer comes in time, and drops the late answer', () => {
    const b = bridge(200);
    try {
      assert.throws(() => b.call('hold'), { code: 'UNAVAILABLE', message: /no answer to hold within 200 ms/ });
      // The held request answers now, before this one: its late reply must not be taken for this one's.
      assert.equal(b.call('release'), 'released');
      assert.equal(b.call('echo', 1), 1);
    } finally {
      b.close();
    }
  });

  void it('after a worker crash, throws UNAVAILABLE naming the cause on every call', () => {
    const b = bridge();
    try {
      assert.throws(() => b.call('crash'), { code: 'UNAVAILABLE', message: /driver callback blew up/ });
      assert.throws(() => b.call('echo', 1), {
        code: 'UNAVAILABLE',
        message: /crashed: Error: driver callback blew up/,
      });
    } finally {
      b.close();
    }
  });

  void it('throws CLOSED after close, which can be called again', () => {
    const b = bridge();
    b.close();
    b.close();
    assert.throws(() => b.call('echo', 1), { code: 'CLOSED', message: 'test bridge is closed' });
  });

  void it('refuses arguments that cannot be cloned as INVALID_INPUT', () => {
    const b = bridge();
    try {
      assert.throws(() => b.call('echo', () => 1), { code: 'INVALID_INPUT' });
      assert.equal(b.call('echo', 2), 2);
    } finally {
      b.close();
    }
  });
});
