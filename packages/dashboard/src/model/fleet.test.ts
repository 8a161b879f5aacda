import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fleetRows, formatExpiry, formatSkew, type ApiFleetDevice } from './fleet.js';

const NOW = Date.UTC(2026, 10, 25, 8, 0, 0);
const DAY_MS = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();

function device(id: string, more: Partial<ApiFleetDevice> = {}): ApiFleetDevice {
  return {
    id,
    model: 'simulated bedside monitor',
    connected: true,
    binding: { bound: true, since: at(NOW - DAY_MS), wardId: 'demo-ward' },
    lastSeenAt: at(NOW - 2_000),
    battery: 0.823,
    rssiDbm: -61.4,
    firmware: 'fw 1.0',
    clockSkewMs: -35,
    certificate: { notAfter: at(NOW + 396 * DAY_MS + 3_600_000) },
    counters: { messages: 10, implausible: 0, artifact: 0, late: 0, clockSkew: 0, refusedMessages: 0, refusedItems: 0 },
    deviceErrors: [],
    attention: [],
    ...more,
  };
}

describe('fleet view model', () => {
  it('shows a healthy device as an operator reads it', () => {
    const [row] = fleetRows({ observedSince: at(NOW - 60_000), devices: [device('mon-1')] }, NOW);
    assert.deepEqual(row, {
      id: 'mon-1',
      model: 'simulated bedside monitor',
      binding: 'ward demo-ward',
      connected: true,
      lastSeen: { text: '2 s ago', silent: false, at: at(NOW - 2_000) },
      battery: { text: '82 %', tone: 'normal' },
      signal: '-61 dBm',
      clockSkew: { text: '−35 ms', tone: 'normal' },
      firmware: 'fw 1.0',
      certificate: { text: '2027-12-26 · 396 days left', tone: 'normal', notAfter: at(NOW + 396 * DAY_MS + 3_600_000) },
      counters: '—',
      deviceErrors: '—',
      attention: [],
    });
  });

  it('marks what needs attention: stale when silent, amber when expiring, red when expired', () => {
    const rows = fleetRows(
      {
        observedSince: at(NOW - 60_000),
        devices: [
          device('a-ok'),
          device('b-expiring', {
            certificate: { notAfter: at(NOW + 12 * DAY_MS) },
            battery: 0.08,
            attention: ['certificate-expiring', 'battery-low'],
          }),
          device('c-silent', {
            binding: { bound: false, since: null, wardId: null },
            lastSeenAt: null,
            battery: null,
            rssiDbm: null,
            firmware: null,
            clockSkewMs: null,
            certificate: null,
            attention: ['silent'],
          }),
          device('d-expired', {
            certificate: { notAfter: at(NOW - 3 * DAY_MS) },
            clockSkewMs: 3_600_000,
            counters: {
              messages: 9,
              implausible: 2,
              artifact: 0,
              late: 1,
              clockSkew: 9,
              refusedMessages: 3,
              refusedItems: 0,
            },
            deviceErrors: ['SPO2_PROBE_OFF', 'LOW_PERFUSION'],
            attention: ['certificate-expired', 'clock-skew', 'device-errors', 'rejected-messages'],
          }),
        ],
      },
      NOW,
    );
    // Red reasons first, then amber, then the rest; by id within each.
    assert.deepEqual(
      rows.map((r) => r.id),
      ['c-silent', 'd-expired', 'b-expiring', 'a-ok'],
    );
    const [silent, expired, expiring] = rows;
    assert.ok(silent !== undefined && expired !== undefined && expiring !== undefined);
    assert.deepEqual(
      [silent.binding, silent.lastSeen.text, silent.lastSeen.silent, silent.battery.text, silent.certificate.text],
      ['unbound', 'never', true, '—', '—'],
    );
    assert.deepEqual(silent.attention, [{ reason: 'silent', label: 'silent', tone: 'alarm' }]);
    assert.deepEqual(expired.certificate, {
      text: '2026-11-22 · expired 3 d ago',
      tone: 'alarm',
      notAfter: at(NOW - 3 * DAY_MS),
    });
    assert.deepEqual(expired.clockSkew, { text: '+1 h 0 min', tone: 'warning' });
    assert.equal(expired.counters, '2 implausible, 1 late, 9 clock-skewed, 3 msgs refused');
    assert.equal(expired.deviceErrors, 'SPO2_PROBE_OFF, LOW_PERFUSION');
    assert.deepEqual(expiring.certificate.tone, 'warning');
    assert.equal(expiring.certificate.text, '2026-12-07 · 12 days left');
    assert.deepEqual(expiring.battery, { text: '8 %', tone: 'warning' });
    assert.deepEqual(
      expiring.attention.map((t) => [t.label, t.tone]),
      [
        ['certificate expiring', 'warning'],
        ['battery low', 'warning'],
      ],
    );
    assert.deepEqual(
      fleetRows(
        { observedSince: at(NOW), devices: [device('a-ok'), device('z', { attention: ['x-new'] })] },
        NOW,
        true,
      ).map((r) => [r.id, r.attention[0]?.label]),
      [['z', 'x-new']],
    );
  });

  it('formats clock skew and expiry for reading across a room', () => {
    assert.deepEqual(
      [formatSkew(-40), formatSkew(3_210), formatSkew(-125_000), formatSkew(-86_400_000 - 7_200_000)],
      ['−40 ms', '+3.2 s', '−2 min', '−1 d 2 h'],
    );
    assert.equal(formatExpiry(NOW + DAY_MS + 5, NOW), '2026-11-26 · 1 day left');
    assert.equal(formatExpiry(NOW, NOW), '2026-11-25 · expired 0 d ago');
  });
});
