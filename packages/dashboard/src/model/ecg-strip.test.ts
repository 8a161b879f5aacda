import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chooseEcgCode,
  ECG_PAPER,
  ecgStrip,
  ecgSummary,
  LEAD_II,
  paperPoint,
  stripBaseline,
  type ApiWaveform,
} from './ecg-strip.js';

const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
const segment = (
  startAt: number,
  samples: readonly number[],
  code = LEAD_II,
  fsHz = 250,
  deviceId = 'mon-1',
): ApiWaveform => ({
  deviceId,
  code,
  unit: 'mV',
  fsHz,
  startAt,
  samples,
});

describe('ECG strip', () => {
  it('shows lead II when present, else the first ECG lead, never a pleth', () => {
    assert.equal(chooseEcgCode(['MDC_PULS_OXIM_PLETH', 'MDC_ECG_ELEC_POTL_I', LEAD_II]), LEAD_II);
    assert.equal(
      chooseEcgCode(['MDC_PULS_OXIM_PLETH', 'MDC_ECG_ELEC_POTL_V1', 'MDC_ECG_ELEC_POTL_I']),
      'MDC_ECG_ELEC_POTL_I',
    );
    assert.equal(chooseEcgCode(['MDC_PULS_OXIM_PLETH']), undefined);
    assert.equal(chooseEcgCode([]), undefined);
  });

  it('keeps every sample of the last 10 s, ending at the newest, with the gaps left empty', () => {
    // 12 s at 250 Hz in 1 s segments, the 5th second missing; and a pleth that must not mix in.
    const segments: ApiWaveform[] = [];
    for (let s = 0; s < 12; s++) {
      if (s === 5) continue;
      segments.push(
        segment(
          T0 + s * 1000,
          Array.from({ length: 250 }, (_, k) => s + k / 1000),
        ),
      );
    }
    segments.push(segment(T0 + 11_000, new Array<number>(250).fill(99), 'MDC_PULS_OXIM_PLETH'));
    const strip = ecgStrip(segments, LEAD_II);
    assert.ok(strip);
    assert.equal(strip.endAt, T0 + 12_000);
    assert.equal(strip.startAt, T0 + 2_000);
    assert.equal(strip.samples.length, 2500, 'full resolution: 10 s × 250 Hz');
    assert.equal(strip.drawn, 2250, 'one second missing');
    assert.equal(strip.samples[0], 2, 'the first sample of second 2');
    assert.ok(Number.isNaN(strip.samples[3 * 250 + 10] ?? 0), 'second 5 is a gap');
    assert.equal(strip.samples[2499], 11 + 249 / 1000);
  });

  it("draws one device's samples only: the newest segment's, when two monitors stream during a handover", () => {
    // 12 s of lead II from each of two monitors in 1 s segments, mon-b half a second later: merged,
    // they drew chunks of one and the other in turn.
    const segments: ApiWaveform[] = [];
    for (let s = 0; s < 12; s++) {
      segments.push(segment(T0 + s * 1000, new Array<number>(250).fill(1), LEAD_II, 250, 'mon-a'));
      segments.push(segment(T0 + s * 1000 + 500, new Array<number>(250).fill(2), LEAD_II, 250, 'mon-b'));
    }
    const strip = ecgStrip(segments, LEAD_II);
    assert.ok(strip);
    assert.equal(strip.deviceId, 'mon-b');
    assert.equal(strip.endAt, T0 + 12_500);
    assert.equal(strip.drawn, 2500);
    assert.deepEqual(new Set(strip.samples), new Set([2]), "mon-b's samples only");
  });

  it('keeps the device shown while it streams, and moves to the other when it stops', () => {
    const from = (deviceId: string, value: number, seconds: number, offsetMs = 0) =>
      Array.from({ length: seconds }, (_, s) =>
        segment(T0 + s * 1000 + offsetMs, new Array<number>(250).fill(value), LEAD_II, 250, deviceId),
      );
    const both = [...from('mon-a', 1, 12), ...from('mon-b', 2, 12, 500)];
    const kept = ecgStrip(both, LEAD_II, { keepDeviceId: 'mon-a' });
    assert.equal(kept?.deviceId, 'mon-a', 'half a second behind: no swap on every read');
    assert.deepEqual(new Set(kept.samples), new Set([1]));
    assert.equal(kept.endAt, T0 + 12_000);
    // mon-a was taken off 5 s ago: the strip moves to mon-b.
    const moved = ecgStrip([...from('mon-a', 1, 7), ...from('mon-b', 2, 12, 500)], LEAD_II, { keepDeviceId: 'mon-a' });
    assert.equal(moved?.deviceId, 'mon-b');
    assert.deepEqual(new Set(moved.samples), new Set([2]));
    // A device with no segment of the lead is not kept.
    assert.equal(ecgStrip(both, LEAD_II, { keepDeviceId: 'mon-c' })?.deviceId, 'mon-b');
  });

  it('answers no strip when the lead has no samples', () => {
    assert.equal(ecgStrip([segment(T0, [])], LEAD_II), undefined);
    assert.equal(ecgStrip([segment(T0, [1, 2], 'MDC_PULS_OXIM_PLETH')], LEAD_II), undefined);
  });

  it('places samples at 25 mm/s and 10 mm/mV from the baseline', () => {
    const strip = ecgStrip([segment(T0, [0.1, 0.1, 0.1, 1.1, 0.1])], LEAD_II, { durationMs: 20 });
    assert.ok(strip);
    const baseline = stripBaseline(strip.samples);
    assert.equal(baseline, 0.1);
    assert.deepEqual(paperPoint(strip, 0, baseline), { xMm: 0, yMm: ECG_PAPER.baselineFromTopMm });
    const peak = paperPoint(strip, 3, baseline);
    assert.equal(peak.xMm, (3 / 250) * 25);
    assert.ok(Math.abs(peak.yMm - (ECG_PAPER.baselineFromTopMm - 10)) < 1e-9, '1 mV is 10 mm up');
    assert.equal(ECG_PAPER.widthMm, (ECG_PAPER.durationMs / 1000) * ECG_PAPER.mmPerS);
  });

  it('summarises the newest ECG analysis window', () => {
    const base = { code: LEAD_II, at: new Date(T0).toISOString() };
    assert.deepEqual(
      ecgSummary({ ...base, heartRateBpm: 71.6, sdnnMs: 41.2, rmssdMs: 30.7, sqi: 0.954, quality: 'good' }),
      ['ECG HR 72 /min', 'signal good (SQI 0.95)', 'SDNN 41 ms', 'RMSSD 31 ms'],
    );
    assert.deepEqual(
      ecgSummary({ ...base, heartRateBpm: null, sdnnMs: null, rmssdMs: null, sqi: null, quality: 'flat' }),
      ['ECG HR — /min', 'signal flat'],
    );
  });
});
