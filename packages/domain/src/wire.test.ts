import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalogue } from './catalogue.js';
import { deviceId } from './ids.js';
import { DEFAULT_PLAUSIBILITY } from './plausibility.js';
import { QualityFlag } from './quality.js';
import { DEFAULT_WIRE_LIMITS, validateTelemetry, type WireContext, type WireVerdict } from './wire.js';

const ctx: WireContext = {
  catalogue: new Catalogue(),
  plausibility: DEFAULT_PLAUSIBILITY,
  limits: DEFAULT_WIRE_LIMITS,
};
const dev = deviceId('mon-1');
const NOW = 1_764_000_000_000;

function check(body: unknown, receivedAt = NOW): WireVerdict {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return validateTelemetry(ctx, dev, new TextEncoder().encode(text), receivedAt);
}

function accepted(v: WireVerdict) {
  assert.equal(v.kind, 'accepted', JSON.stringify(v));
  return v;
}

function rejected(v: WireVerdict, reason: string) {
  assert.equal(v.kind, 'rejected');
  assert.equal(v.reason, reason, v.detail);
}

describe('device wire contract (DESIGN 3.1)', () => {
  it('accepts the documented example and normalises codes and units', () => {
    const v = accepted(
      check({
        seq: 1042,
        boot: 'b7',
        ts: NOW,
        readings: [
          { code: 'MDC_PULS_OXIM_SAT_O2', value: 97, unit: '%' },
          { code: 'heart_rate', value: 72, unit: '/min' },
        ],
        waveforms: [{ code: 'MDC_ECG_ELEC_POTL_II', fs: 250, t0: NOW, unit: 'mV', samples: [0.1, 0.2] }],
        status: { battery: 0.82, rssi: -61, errors: [] },
      }),
    );
    assert.equal(v.message.seq, 1042);
    assert.equal(v.message.boot, 'b7');
    assert.equal(v.message.observedAt, NOW);
    assert.deepEqual(
      v.message.readings.map((r) => [r.code, r.value, r.unit, r.quality]),
      [
        ['MDC_PULS_OXIM_SAT_O2', 97, '%', 0],
        ['MDC_ECG_HEART_RATE', 72, '/min', 0],
      ],
    );
    assert.equal(v.message.waveforms[0]?.fsHz, 250);
    assert.equal(v.message.status?.batteryFraction, 0.82);
    assert.deepEqual(v.problems, []);
  });

  it('converts °F to Cel, kPa to mm[Hg] and a fraction to %', () => {
    const v = accepted(
      check({
        seq: 1,
        ts: NOW,
        readings: [
          { code: 'temp', value: 98.6, unit: '[degF]' },
          { code: 'nibp_sys', value: 16, unit: 'kPa' },
          { code: 'spo2', value: 0.97, unit: '1' },
        ],
      }),
    );
    const [t, bp, sat] = v.message.readings;
    assert.ok(Math.abs((t?.value ?? 0) - 37) < 1e-9);
    assert.equal(t?.unit, 'Cel');
    assert.ok(Math.abs((bp?.value ?? 0) - 120.00985) < 1e-4);
    assert.equal(bp?.unit, 'mm[Hg]');
    assert.ok(Math.abs((sat?.value ?? 0) - 97) < 1e-9);
  });

  it('accepts ISO-8601 timestamps and defaults boot to the empty string', () => {
    const v = accepted(check({ seq: 3, ts: '2025-11-24T16:00:00.000Z', readings: [] }));
    assert.equal(v.message.observedAt, Date.parse('2025-11-24T16:00:00.000Z'));
    assert.equal(v.message.boot, '');
  });

  it('refuses a date that does not exist instead of rolling it over', () => {
    rejected(check({ seq: 1, ts: '2026-02-30T10:00:00Z' }), 'bad-timestamp');
    rejected(check({ seq: 1, ts: '2026-04-31T10:00:00Z' }), 'bad-timestamp');
    rejected(check({ seq: 1, ts: '2026-01-01T24:00:00Z' }), 'bad-timestamp');
    accepted(check({ seq: 1, ts: '2028-02-29T10:00:00+01:00' }));
  });

  it('does not call a heart rate of 0 (asystole) implausible', () => {
    const v = accepted(check({ seq: 1, ts: NOW, readings: [{ code: 'hr', value: 0, unit: '/min' }] }));
    assert.equal(v.message.readings[0]!.quality, 0);
  });

  it('flags implausible values and keeps them unaltered', () => {
    const v = accepted(check({ seq: 1, ts: NOW, readings: [{ code: 'spo2', value: 140, unit: '%' }] }));
    const reading = v.message.readings[0]!;
    assert.equal(reading.value, 140);
    assert.equal(reading.quality, QualityFlag.implausible);
  });

  it('flags every reading of a message whose clock is off by more than the tolerance', () => {
    const v = accepted(check({ seq: 1, ts: NOW + 3_600_000, readings: [{ code: 'hr', value: 70, unit: '/min' }] }));
    assert.equal(v.message.readings[0]?.quality, QualityFlag.clockSkew);
    const old = accepted(check({ seq: 2, ts: 0, readings: [{ code: 'hr', value: 70, unit: '/min' }] }));
    assert.equal(old.message.readings[0]?.quality, QualityFlag.clockSkew);
  });

  it('carries the device artifact mark as a flag', () => {
    const v = accepted(check({ seq: 1, ts: NOW, readings: [{ code: 'spo2', value: 80, unit: '%', artifact: true }] }));
    assert.equal(v.message.readings[0]?.quality, QualityFlag.artifact);
  });

  it('rejects a payload over the size limit before parsing it', () => {
    rejected(check('x'.repeat(DEFAULT_WIRE_LIMITS.maxPayloadBytes + 1)), 'payload-too-large');
  });

  it('rejects malformed JSON and non-objects', () => {
    rejected(check('{"seq": 1,'), 'malformed-json');
    rejected(check('[1,2]'), 'schema');
    rejected(check(new Uint8Array([0xff, 0xfe]).toString()), 'malformed-json');
  });

  it('rejects a message without seq, and a bad seq, ts or boot', () => {
    rejected(check({ ts: NOW, readings: [] }), 'missing-seq');
    rejected(check({ seq: -1, ts: NOW }), 'schema');
    rejected(check({ seq: 1.5, ts: NOW }), 'schema');
    rejected(check({ seq: '7', ts: NOW }), 'schema');
    rejected(check({ seq: 1 }), 'schema');
    rejected(check({ seq: 1, ts: 'yesterday' }), 'bad-timestamp');
    rejected(check({ seq: 1, ts: NOW, boot: '' }), 'schema');
    rejected(check({ seq: 1, ts: NOW, readings: {} }), 'schema');
  });

  it('keeps the valid readings of a message and reports each bad one', () => {
    const v = accepted(
      check({
        seq: 9,
        ts: NOW,
        readings: [
          { code: 'MDC_NOT_A_CODE', value: 1, unit: '1' },
          { code: 'hr', value: 70, unit: 'bpm' },
          { code: 'spo2', value: 'high', unit: '%' },
          { code: 'resp_rate', value: 16, unit: '/min' },
          { code: 'MDC_RESP_RATE', value: 17, unit: '/min' },
        ],
      }),
    );
    assert.deepEqual(
      v.message.readings.map((r) => r.code),
      ['MDC_RESP_RATE'],
    );
    assert.deepEqual(
      v.problems.map((p) => [p.path, p.reason]),
      [
        ['readings[0]', 'unknown-code'],
        ['readings[1]', 'unknown-unit'],
        ['readings[2]', 'schema'],
        ['readings[4]', 'duplicate-code'],
      ],
    );
  });

  it('rejects a message in which nothing is valid, naming the first problem', () => {
    rejected(check({ seq: 1, ts: NOW, readings: [{ code: 'nope', value: 1, unit: '1' }] }), 'unknown-code');
    rejected(check({ seq: 1, ts: NOW, readings: [{ code: 'hr', value: 1, unit: 'furlongs' }] }), 'unknown-unit');
  });

  it('refuses too many items and bad waveforms', () => {
    const many = Array.from({ length: DEFAULT_WIRE_LIMITS.maxReadings + 1 }, () => ({
      code: 'hr',
      value: 1,
      unit: '/min',
    }));
    rejected(check({ seq: 1, ts: NOW, readings: many }), 'too-many-items');
    const v = accepted(
      check({
        seq: 1,
        ts: NOW,
        readings: [{ code: 'hr', value: 60, unit: '/min' }],
        waveforms: [
          { code: 'hr', fs: 250, t0: NOW, unit: '/min', samples: [1] },
          { code: 'ecg_ii', fs: 0, t0: NOW, unit: 'mV', samples: [1] },
          { code: 'ecg_ii', fs: 250, t0: NOW, unit: 'mV', samples: [1, null] },
        ],
      }),
    );
    assert.deepEqual(
      v.problems.map((p) => p.reason),
      ['unknown-code', 'schema', 'schema'],
    );
  });

  it('accepts a firmware version in the status; a bad one is refused alone, the rest of the status kept', () => {
    const v = accepted(check({ seq: 6, ts: NOW, status: { battery: 0.5, firmware: 'acme-mon 4.2.1 (build 77)' } }));
    assert.equal(v.message.status?.firmware, 'acme-mon 4.2.1 (build 77)');
    assert.equal(accepted(check({ seq: 6, ts: NOW, status: { battery: 0.5 } })).message.status?.firmware, undefined);
    for (const firmware of ['', 'x'.repeat(65), 'v1\n', 'v1\u00e9', 4.2, null]) {
      const bad = accepted(
        check({
          seq: 7,
          ts: NOW,
          readings: [{ code: 'hr', value: 60, unit: '/min' }],
          status: { battery: 0.12, errors: ['ECG_LEAD_OFF'], firmware },
        }),
      );
      // The battery and the lead-off error still reach the clinical engine; only the firmware is dropped.
      assert.deepEqual(
        bad.message.status,
        { batteryFraction: 0.12, errors: ['ECG_LEAD_OFF'] },
        JSON.stringify(firmware),
      );
      assert.equal(bad.message.readings.length, 1);
      assert.deepEqual(
        bad.problems.map((p) => [p.path, p.reason]),
        [['status.firmware', 'schema']],
      );
    }
    assert.equal(
      accepted(check({ seq: 8, ts: NOW, status: { firmware: 'x'.repeat(64) } })).message.status?.firmware?.length,
      64,
    );
    // A status-only message with a bad firmware is still a status: accepted, the firmware refused.
    const statusOnly = accepted(check({ seq: 9, ts: NOW, status: { battery: 0.3, firmware: '' } }));
    assert.deepEqual(statusOnly.message.status, { batteryFraction: 0.3, errors: [] });
    assert.deepEqual(
      statusOnly.problems.map((p) => p.path),
      ['status.firmware'],
    );
  });

  it('accepts a status-only message', () => {
    const v = accepted(check({ seq: 5, ts: NOW, status: { battery: 0.1 } }));
    assert.equal(v.message.readings.length, 0);
    assert.equal(v.message.status?.batteryFraction, 0.1);
  });
});
