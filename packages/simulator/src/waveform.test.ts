import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from './random.js';
import { WaveformSynth } from './waveform.js';

const START_AT = 1_764_000_000_000;

/** Sample indices of R peaks: local maxima above 0.6 mV. */
function rPeaks(samples: readonly number[]): number[] {
  const peaks: number[] = [];
  for (let i = 1; i < samples.length - 1; i++) {
    const s = samples[i] ?? 0;
    if (s > 0.6 && s >= (samples[i - 1] ?? 0) && s > (samples[i + 1] ?? 0)) peaks.push(i);
  }
  return peaks;
}

test('the synthetic ECG beats at the heart rate, continuously across segments', () => {
  const synth = new WaveformSynth(new Random('ecg'), START_AT);
  const ecg: number[] = [];
  for (let s = 0; s < 30; s++) {
    const segment = synth.segment(START_AT + s * 1000, START_AT + (s + 1) * 1000, 90, 15, 0);
    assert.equal(segment.ecg.samples.length, 250);
    assert.equal(segment.ecg.t0, START_AT + s * 1000);
    assert.equal(segment.ecg.code, 'MDC_ECG_ELEC_POTL_II');
    ecg.push(...segment.ecg.samples);
  }
  const peaks = rPeaks(ecg);
  // 90 beats/min for 30 s: 45 beats, give or take the edges.
  assert.ok(Math.abs(peaks.length - 45) <= 1, `${peaks.length} beats`);
  const rr = peaks.slice(1).map((p, i) => (p - (peaks[i] ?? 0)) * 4);
  assert.ok(
    rr.every((ms) => ms > 560 && ms < 780),
    'RR intervals near 667 ms',
  );
});

test('the pleth pulses once per beat and the device clock offset moves t0 only', () => {
  const a = new WaveformSynth(new Random('p'), START_AT).segment(START_AT, START_AT + 4000, 60, 12, -86_400_000);
  const b = new WaveformSynth(new Random('p'), START_AT).segment(START_AT, START_AT + 4000, 60, 12, 0);
  assert.equal(a.pleth.t0, START_AT - 86_400_000);
  assert.deepEqual(a.pleth.samples, b.pleth.samples);
  const p = a.pleth.samples;
  assert.ok(Math.min(...p) >= 0 && Math.max(...p) < 1.3);
  let pulses = 0;
  for (let i = 1; i < p.length - 1; i++)
    if ((p[i] ?? 0) > 0.7 && (p[i] ?? 0) >= (p[i - 1] ?? 0) && (p[i] ?? 0) > (p[i + 1] ?? 0)) pulses++;
  assert.ok(pulses >= 3 && pulses <= 5, `${pulses} pulses in 4 s at 60/min`);
});
