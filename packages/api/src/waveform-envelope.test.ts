import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envelopeBucketMs, waveformEnvelopes, type EnvelopeSegment } from './waveform-envelope.js';

const T0 = 1_764_000_000_000;
const ECG = 'MDC_ECG_ELEC_POTL_II';
const PLETH = 'MDC_PULS_OXIM_PLETH';

function segment(startAt: number, samples: number[], fsHz = 250, code = ECG): EnvelopeSegment {
  return { code, unit: code === ECG ? 'mV' : '1', fsHz, startAt, samples };
}

/** Synthetic ECG at 250 Hz: a flat 0.01 mV baseline with a one-sample R spike of `peak` every `every` samples. */
function spiky(count: number, every: number, peak: (n: number) => number): number[] {
  return Array.from({ length: count }, (_, k) => (k % every === every - 1 ? peak(Math.floor(k / every)) : 0.01));
}

describe('waveformEnvelopes', () => {
  it('keeps every one-sample spike: an hour of 250 Hz in 2,000 points shows each peak exactly', () => {
    const fs = 250;
    const hour = 3_600_000;
    // A beat every 0.8 s (200 samples), each R peak a different height, and one S dip per beat.
    const samples = spiky(hour / 4, 200, (n) => 1 + (n % 7) / 10).map((v, k) => (k % 200 === 50 ? -0.3 : v));
    // Cut into 1 s messages, as a device sends them.
    const segments = Array.from({ length: 3_600 }, (_, s) =>
      segment(T0 + s * 1_000, samples.slice(s * fs, (s + 1) * fs)),
    );
    const [envelope] = waveformEnvelopes(segments, T0, T0 + hour, 2_000);
    assert.ok(envelope);
    assert.equal(envelope.buckets.length, 2_000);
    assert.equal(envelope.buckets[1]?.startAt, T0 + 1_800);
    assert.equal(
      envelope.buckets.reduce((n, b) => n + b.count, 0),
      samples.length,
    );
    // Every bucket (1.8 s) holds two or three beats: its max is the highest R peak among them, never the baseline.
    for (const b of envelope.buckets) {
      const first = Math.round(((b.startAt - T0) * fs) / 1000);
      const inBucket = samples.slice(first, first + b.count);
      assert.equal(b.max, Math.max(...inBucket));
      assert.equal(b.min, -0.3);
    }
    // Plain subsampling (the first sample of each bucket) would have drawn a flat line instead.
    assert.ok(envelope.buckets.every((b) => samples[Math.round(((b.startAt - T0) * fs) / 1000)]! < 0.5));
  });

  it('puts a sample on a bucket edge in the bucket that starts there, and leaves out samples outside [from, to)', () => {
    // 100 Hz: samples every 10 ms from T0 - 50 ms; buckets of 100 ms over [T0, T0 + 1 s).
    const samples = Array.from({ length: 120 }, (_, k) => k);
    const [envelope] = waveformEnvelopes([segment(T0 - 50, samples, 100)], T0, T0 + 1_000, 10);
    assert.ok(envelope);
    assert.equal(envelope.buckets.length, 10);
    // Sample 5 is at T0 exactly (first of bucket 0); sample 15 at T0 + 100 ms, first of bucket 1.
    assert.deepEqual(envelope.buckets[0], { startAt: T0, min: 5, max: 14, count: 10 });
    assert.deepEqual(envelope.buckets[1], { startAt: T0 + 100, min: 15, max: 24, count: 10 });
    // The last sample in the window is at T0 + 990 ms (sample 104); 105 is at `to` and left out.
    assert.deepEqual(envelope.buckets[9], { startAt: T0 + 900, min: 95, max: 104, count: 10 });
  });

  it('uses whole-millisecond buckets: at most `points` of them, the last one shorter', () => {
    assert.equal(envelopeBucketMs(T0, T0 + 1_000, 3), 334);
    const samples = Array.from({ length: 1_000 }, (_, k) => k);
    const [envelope] = waveformEnvelopes([segment(T0, samples, 1_000)], T0, T0 + 1_000, 3);
    assert.deepEqual(
      envelope?.buckets.map((b) => [b.startAt - T0, b.count, b.min, b.max]),
      [
        [0, 334, 0, 333],
        [334, 334, 334, 667],
        [668, 332, 668, 999],
      ],
    );
    // A window shorter than `points` ms: 1 ms buckets.
    assert.equal(envelopeBucketMs(T0, T0 + 50, 2_000), 1);
    assert.throws(() => envelopeBucketMs(T0, T0, 10), /fromAt < toAt/);
  });

  it('merges consecutive segments, leaves buckets in a gap out, and keeps samples of fractional instants in order', () => {
    // 360 Hz (2.777… ms a sample): 90 samples = 250 ms per segment; a 500 ms gap between the second and third.
    const a = segment(
      T0,
      Array.from({ length: 90 }, () => 1),
      360,
    );
    const b = segment(
      T0 + 250,
      Array.from({ length: 90 }, () => 2),
      360,
    );
    const c = segment(
      T0 + 1_000,
      Array.from({ length: 90 }, () => 3),
      360,
    );
    const [envelope] = waveformEnvelopes([c, a, b], T0, T0 + 1_250, 5);
    assert.deepEqual(
      envelope?.buckets.map((x) => [x.startAt - T0, x.min, x.max, x.count]),
      [
        [0, 1, 1, 90],
        [250, 2, 2, 90],
        [1_000, 3, 3, 90],
      ],
    );
  });

  it('gives one envelope per code, sorted, in its own unit; no segments, no envelopes', () => {
    const envelopes = waveformEnvelopes(
      [segment(T0, [0.5, -0.5]), segment(T0, [0.2, 0.9], 250, PLETH), segment(T0 + 8, [0.1, 0.3])],
      T0,
      T0 + 1_000,
      10,
    );
    assert.deepEqual(envelopes, [
      { code: ECG, unit: 'mV', buckets: [{ startAt: T0, min: -0.5, max: 0.5, count: 4 }] },
      { code: PLETH, unit: '1', buckets: [{ startAt: T0, min: 0.2, max: 0.9, count: 2 }] },
    ]);
    assert.deepEqual(waveformEnvelopes([], T0, T0 + 1_000, 10), []);
  });
});
