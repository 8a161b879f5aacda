import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deviceId, patientId } from './ids.js';
import { decodeIngestRecord, encodeIngestRecord } from './ingest-codec.js';
import type { IngestRecord } from './reading.js';

describe('ingest record codec', () => {
  it('round-trips a record exactly', () => {
    const record: IngestRecord = {
      deviceId: deviceId('mon-1'),
      patientId: patientId('p-9'),
      boot: 'b7',
      seq: 12,
      observedAt: 1_764_000_000_123,
      receivedAt: 1_764_000_000_456,
      readings: [{ code: 'MDC_TEMP_BODY', value: 37.123456789, unit: 'Cel', quality: 9 }],
      waveforms: [
        { code: 'MDC_ECG_ELEC_POTL_II', unit: 'mV', fsHz: 250, startAt: 5, samples: [0.1, -0.2], quality: 0 },
      ],
      status: { batteryFraction: 0.5, errors: ['lead-off'] },
    };
    assert.deepEqual(decodeIngestRecord(encodeIngestRecord(record)), record);
  });

  it('carries the firmware version of the status, and decodes records written before it existed', () => {
    const record: IngestRecord = {
      deviceId: deviceId('mon-1'),
      patientId: null,
      boot: 'b7',
      seq: 13,
      observedAt: 1_764_000_000_123,
      receivedAt: 1_764_000_000_456,
      readings: [],
      waveforms: [],
      status: { batteryFraction: 0.9, rssiDbm: -61, errors: [], firmware: 'acme-mon 4.2.1 (build 77)' },
    };
    assert.deepEqual(decodeIngestRecord(encodeIngestRecord(record)), record);
    // Bytes as an earlier version wrote them: a status without firmware.
    const old =
      '{"d":"mon-1","p":null,"b":"b7","s":12,"o":5,"r":6,"rd":[],"st":{"batteryFraction":0.5,"errors":["lead-off"]}}';
    const decoded = decodeIngestRecord(new TextEncoder().encode(old));
    assert.deepEqual(decoded.status, { batteryFraction: 0.5, errors: ['lead-off'] });
    assert.equal('firmware' in (decoded.status ?? {}), false);
  });

  it('refuses a status that is not one', () => {
    const bad = (st: string) =>
      new TextEncoder().encode(`{"d":"m","p":null,"b":"","s":1,"o":5,"r":6,"rd":[],"st":${st}}`);
    assert.throws(() => decodeIngestRecord(bad('{"errors":[],"firmware":42}')), RangeError);
    assert.throws(() => decodeIngestRecord(bad('{"batteryFraction":0.5}')), RangeError);
    assert.throws(() => decodeIngestRecord(bad('"ok"')), RangeError);
  });

  it('refuses bytes that are not a record', () => {
    assert.throws(() => decodeIngestRecord(new TextEncoder().encode('{"d":1}')), RangeError);
    assert.throws(() => decodeIngestRecord(new Uint8Array([0xff])));
  });
});
