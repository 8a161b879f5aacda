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

  it('refuses bytes that are not a record', () => {
    assert.throws(() => decodeIngestRecord(new TextEncoder().encode('{"d":1}')), RangeError);
    assert.throws(() => decodeIngestRecord(new Uint8Array([0xff])));
  });
});
