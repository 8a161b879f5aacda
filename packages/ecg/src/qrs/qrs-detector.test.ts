import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateMitdb, grossOf, MITDB_DIR, mitdbTable } from '../testing/mitdb.js';
import { syntheticStrip } from '../testing/synthetic-ecg.js';
import { readWfdbRecord } from '../wfdb/record.js';
import { QrsDetector } from './qrs-detector.js';

const V102S = new URL('../../test-data/challenge2015/v102s.hea', import.meta.url).pathname;

async function mitdbSignal(name: string): Promise<Float64Array> {
  const header = name === '100' ? '100.hea' : `${name}_ch0.hea`;
  return (await readWfdbRecord(`${MITDB_DIR}${header}`)).channels[0]!.physical;
}

/** Beats from feeding `signal` in chunks of the sizes `sizes` yields (cycled), then flush(). */
function detect(signal: Float64Array, fsHz: number, sizes: () => number = () => signal.length): number[] {
  const detector = new QrsDetector(fsHz);
  const beats: number[] = [];
  for (let at = 0; at < signal.length;) {
    const size = Math.max(1, sizes());
    beats.push(...detector.push(signal.subarray(at, at + size)));
    at += size;
  }
  beats.push(...detector.flush());
  return beats;
}

/** A seeded generator of chunk sizes from 1 to `max`. */
function randomSizes(seed: number, max: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return 1 + (state % max);
  };
}

function medianRrSeconds(beats: readonly number[], fsHz: number): number {
  const rr = beats
    .slice(1)
    .map((b, i) => (b - beats[i]!) / fsHz)
    .sort((a, b) => a - b);
  return rr[rr.length >> 1]!;
}

for (const name of ['100', '105']) {
  test(`record ${name}: any chunking gives the beats of one pass`, async () => {
    const signal = await mitdbSignal(name);
    const whole = detect(signal, 360);
    assert.ok(whole.length > 2000, `${whole.length} beats`);
    assert.ok(
      whole.every((b, i) => Number.isInteger(b) && (i === 0 || b > whole[i - 1]!)),
      'ascending sample indices',
    );
    assert.deepEqual(
      detect(signal, 360, () => 7),
      whole,
      'chunks of 7',
    );
    assert.deepEqual(
      detect(signal, 360, () => 360),
      whole,
      'chunks of 360',
    );
    assert.deepEqual(detect(signal, 360, randomSizes(12345, 1000)), whole, 'random chunks of 1–1000');

    // One sample at a time over the first two minutes; also checks the stated confirmation delay.
    const prefix = signal.subarray(0, 2 * 60 * 360);
    const detector = new QrsDetector(360);
    const single: number[] = [];
    let worstDelay = 0;
    for (let i = 0; i < prefix.length; i++) {
      for (const beat of detector.push(prefix.subarray(i, i + 1))) {
        worstDelay = Math.max(worstDelay, detector.position - 1 - beat);
        single.push(beat);
      }
    }
    single.push(...detector.flush());
    assert.deepEqual(single, detect(prefix, 360), 'one-sample pushes');
    assert.ok(
      worstDelay / 360 <= detector.maxDelaySeconds,
      `worst delay ${worstDelay / 360} s > ${detector.maxDelaySeconds} s`,
    );
  });
}

/** Floors: each measured value rounded down by about 0.3 points (measured values in comments). */
const FLOORS: Record<string, { se: number; ppv: number }> = {
  '100': { se: 0.997, ppv: 0.997 }, // 100.00 %, 100.00 %
  '102': { se: 0.997, ppv: 0.997 }, // paced: 100.00 %, 100.00 %
  '105': { se: 0.991, ppv: 0.979 }, // 99.44 %, 98.26 %
  '106': { se: 0.995, ppv: 0.996 }, // 99.82 %, 99.94 %
  '116': { se: 0.986, ppv: 0.996 }, // 98.96 %, 99.90 %
  '119': { se: 0.997, ppv: 0.996 }, // 100.00 %, 99.94 %
};

test('MIT-BIH (EC57, 150 ms window, first 5 min excluded): per-record floors and gross Se, +P ≥ 99.5 %', async (t) => {
  const results = await evaluateMitdb((fs) => new QrsDetector(fs));
  for (const line of mitdbTable(results).split('\n')) t.diagnostic(line);
  for (const r of results) {
    const floor = FLOORS[r.record.name]!;
    assert.ok(r.se! >= floor.se, `${r.record.name}: Se ${r.se} < ${floor.se}`);
    assert.ok(r.ppv! >= floor.ppv, `${r.record.name}: +P ${r.ppv} < ${floor.ppv}`);
  }
  const gross = grossOf(results, false);
  assert.ok(gross.se! >= 0.995, `gross Se ${gross.se}`);
  assert.ok(gross.ppv! >= 0.995, `gross +P ${gross.ppv}`);
});

test('a flat line, a zero signal and non-finite samples give no beats', () => {
  const fs = 250;
  assert.deepEqual(detect(new Float64Array(60 * fs), fs), []);
  assert.deepEqual(detect(new Float64Array(60 * fs).fill(-1.28), fs), []);
  const holes = new Float64Array(60 * fs).fill(0.4);
  for (let i = 0; i < holes.length; i += 97) holes[i] = i % 2 === 0 ? Number.NaN : Number.POSITIVE_INFINITY;
  assert.deepEqual(detect(holes, fs), []);
  // ±1 LSB of quantisation noise (5 µV) is not a QRS either.
  const lsb = new Float64Array(60 * fs).map((_, i) => (i % 3 === 0 ? 0.005 : 0));
  assert.deepEqual(detect(lsb, fs), []);
});

test('NaN samples inside a rhythm strip are held over; beats stay finite and ascending', () => {
  const strip = syntheticStrip(360, [{ kind: 'rhythm', bpm: 72, seconds: 40 }]);
  const samples = strip.samples.slice();
  samples.fill(Number.NaN, 20 * 360, 20 * 360 + 90); // a 250 ms dropout
  const beats = detect(samples, 360);
  assert.ok(
    beats.every((b, i) => Number.isInteger(b) && (i === 0 || b > beats[i - 1]!)),
    'ascending integers',
  );
  assert.ok(Math.abs(beats.length - strip.beats.length) <= 1, `${beats.length} of ${strip.beats.length}`);
});

/** Every reference beat has a detection within 30 ms, and the counts differ by at most one. */
function assertMatches(beats: readonly number[], reference: readonly number[], fsHz: number, label: string): void {
  assert.ok(Math.abs(beats.length - reference.length) <= 1, `${label}: ${beats.length} beats for ${reference.length}`);
  const tolerance = 0.03 * fsHz;
  for (const r of reference) {
    assert.ok(
      beats.some((b) => Math.abs(b - r) <= tolerance),
      `${label}: no beat within 30 ms of ${r}`,
    );
  }
}

for (const fs of [125, 250, 360, 500, 1000]) {
  test(`synthetic strip at ${fs} Hz: 60 bpm then 150 bpm, every beat within 30 ms`, () => {
    const strip = syntheticStrip(fs, [
      { kind: 'rhythm', bpm: 60, seconds: 30 },
      { kind: 'rhythm', bpm: 150, seconds: 30 },
    ]);
    assertMatches(detect(strip.samples, fs), strip.beats, fs, `${fs} Hz`);
  });
}

test('a signal that starts after a flat period (lead off) or a quiet pause is learnt', () => {
  for (const first of [{ kind: 'flat', seconds: 20 } as const, { kind: 'pause', seconds: 20 } as const]) {
    const strip = syntheticStrip(250, [first, { kind: 'rhythm', bpm: 75, seconds: 30 }]);
    assertMatches(detect(strip.samples, 250), strip.beats, 250, first.kind);
  }
});

test('Challenge 2015 v102s at 250 Hz: the lead II heart rate agrees with lead V', async (t) => {
  const record = await readWfdbRecord(V102S);
  const [leadII, leadV] = [0, 1].map((c) => detect(record.channels[c]!.physical, record.fsHz));
  const rrII = medianRrSeconds(leadII!, record.fsHz);
  const rrV = medianRrSeconds(leadV!, record.fsHz);
  t.diagnostic(`lead II: ${leadII!.length} beats in 300 s, median RR ${rrII} s = ${(60 / rrII).toFixed(1)} bpm`);
  t.diagnostic(`lead V: ${leadV!.length} beats in 300 s, median RR ${rrV} s = ${(60 / rrV).toFixed(1)} bpm`);
  // In lead II the QRS is a burst of sample-to-sample oscillation, mostly above the 6–15 Hz band;
  // the detector partly follows P and T waves there, so only the median RR is compared.
  assert.ok(Math.abs(rrII / rrV - 1) < 0.1, `median RR ${rrII} s (II) vs ${rrV} s (V)`);
  assert.ok(60 / rrV > 90 && 60 / rrV < 120, `lead V ${60 / rrV} bpm`);
});

test('position counts samples fed; flush() ends the stream; a low sampling rate is refused', () => {
  const strip = syntheticStrip(250, [{ kind: 'rhythm', bpm: 80, seconds: 10 }]);
  const detector = new QrsDetector(250);
  const beats = detector.push(strip.samples);
  assert.equal(detector.position, strip.samples.length);
  beats.push(...detector.flush());
  assert.equal(detector.position, strip.samples.length);
  assertMatches(beats, strip.beats, 250, 'flushed');
  assert.deepEqual(detector.flush(), []);
  assert.throws(() => detector.push([0]), /after flush/);
  assert.throws(() => new QrsDetector(50), RangeError);
});
