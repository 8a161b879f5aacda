import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceId, type DeviceFleetStatus } from '@wardstream/domain';
import { attentionReasons, DEFAULT_CERTIFICATE_EXPIRY_WARNING_MS, fleetAttentionPolicy } from './fleet-attention.js';

const START = 1_764_000_000_000;
const POLICY = fleetAttentionPolicy({ staleAfterMs: 30_000, batteryLowFraction: 0.1 }, 60_000);

function status(changes: Partial<DeviceFleetStatus> = {}): DeviceFleetStatus {
  return {
    deviceId: deviceId('mon-1'),
    lastSeenAt: START + 100_000,
    lastObservedAt: START + 100_000,
    batteryFraction: 0.5,
    rssiDbm: -60,
    firmware: 'fw',
    deviceErrors: [],
    clockSkewMs: 0,
    certificateNotAfter: START + 365 * 86_400_000,
    counters: {
      messages: 1,
      implausible: 0,
      artifact: 0,
      late: 0,
      clockSkew: 0,
      refusedMessages: 0,
      refusedItems: 0,
    },
    ...changes,
  };
}

const reasons = (s: DeviceFleetStatus | undefined, now = START + 100_000, enrollment: 'pending' | null = null) =>
  attentionReasons({ status: s, enrollment }, POLICY, START, now);

describe('fleet attention reasons', () => {
  it('finds nothing wrong with a healthy device', () => {
    assert.deepEqual(reasons(status()), []);
    assert.equal(POLICY.certificateExpiringWithinMs, DEFAULT_CERTIFICATE_EXPIRY_WARNING_MS);
  });

  it('calls a device silent past the stale limit, counting from no earlier than the start', () => {
    assert.deepEqual(reasons(status(), START + 130_000), []);
    assert.deepEqual(reasons(status(), START + 130_001), ['silent']);
    // Never seen since the start: silent once the stale limit has passed from the start.
    assert.deepEqual(reasons(undefined, START + 30_000), []);
    assert.deepEqual(reasons(undefined, START + 30_001), ['silent']);
    // A record replayed after a restart was received before the start: not silent at once.
    assert.deepEqual(reasons(status({ lastSeenAt: START - 3_600_000 }), START + 10_000), []);
  });

  it('applies each limit as documented: battery at or below, skew beyond, certificate within 30 days', () => {
    const now = START + 100_000;
    assert.deepEqual(reasons(status({ batteryFraction: 0.1 })), ['battery-low']);
    assert.deepEqual(reasons(status({ batteryFraction: 0.11 })), []);
    assert.deepEqual(reasons(status({ clockSkewMs: -60_000 })), []);
    assert.deepEqual(reasons(status({ clockSkewMs: -60_001 })), ['clock-skew']);
    assert.deepEqual(reasons(status({ certificateNotAfter: now + 30 * 86_400_000 })), ['certificate-expiring']);
    assert.deepEqual(reasons(status({ certificateNotAfter: now + 30 * 86_400_000 + 1 })), []);
    assert.deepEqual(reasons(status({ certificateNotAfter: now })), ['certificate-expired']);
  });

  it('flags device errors, refusals and a pending enrollment', () => {
    assert.deepEqual(reasons(status({ deviceErrors: ['BATTERY_FAULT'] })), ['device-errors']);
    const refused = status();
    assert.deepEqual(reasons({ ...refused, counters: { ...refused.counters, refusedItems: 1 } }), [
      'rejected-messages',
    ]);
    assert.deepEqual(reasons(status(), START + 100_000, 'pending'), ['not-approved']);
  });
});
