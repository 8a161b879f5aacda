import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QrsDetector } from '../qrs/qrs-detector.js';
import { syntheticStrip, type StripOptions, type StripPart } from '../testing/synthetic-ecg.js';
import { EcgAnalyzer, type EcgEvent } from './ecg-analyzer.js';

const FS = 250;
const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);

function analyse(
  parts: readonly StripPart[],
  chunk = FS / 4,
  seed = 1,
  options: StripOptions = {},
): { events: EcgEvent[]; beats: readonly number[] } {
  const strip = syntheticStrip(FS, parts, seed, options);
  const analyzer = new EcgAnalyzer(FS, { makeDetector: (fs) => new QrsDetector(fs) });
  const events: EcgEvent[] = [];
  for (let at = 0; at < strip.samples.length; at += chunk) {
    events.push(...analyzer.push(strip.samples.subarray(at, at + chunk), T0 + (at * 1000) / FS));
  }
  events.push(...analyzer.flush());
  return { events, beats: strip.beats };
}

const changes = (events: readonly EcgEvent[]): string[] =>
  events.flatMap((e) =>
    e.kind === 'metrics' ? [] : [`${e.condition} ${e.active ? 'on' : 'off'} +${((e.at - T0) / 1000).toFixed(1)}s`],
  );

const beatTime = (beats: readonly number[], i: number): number => T0 + Math.round((beats[i]! * 1000) / FS);

/** The index of the beat that completes the first run of `n` intervals satisfying `test`, from beat `from` on. */
function runEnd(beats: readonly number[], from: number, n: number, test: (rrMs: number) => boolean): number {
  let run = 0;
  for (let i = Math.max(1, from); i < beats.length; i++) {
    run = test(((beats[i]! - beats[i - 1]!) * 1000) / FS) ? run + 1 : 0;
    if (run === n) return i;
  }
  throw new Error('no such run');
}

test('normal sinus rhythm at 70 bpm: no condition, heart rate 70, HRV near zero', () => {
  const { events } = analyse([{ kind: 'rhythm', bpm: 70, seconds: 120 }]);
  assert.deepEqual(changes(events), []);
  const last = events.filter((e) => e.kind === 'metrics').at(-1);
  assert.ok(last?.kind === 'metrics');
  assert.ok(Math.abs(last.heartRateBpm! - 70) < 1, `heart rate ${last.heartRateBpm}`);
  assert.ok(last.sdnnMs! < 10 && last.rmssdMs! < 10);
  assert.equal(last.quality, 'good');
  assert.equal(last.sqi, 1);
});

test('asystole: a 6 s pause raises it 4 s after the last beat and the next beat ends it; a 3 s pause does not', () => {
  const { events, beats } = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'pause', seconds: 6 },
    { kind: 'rhythm', bpm: 70, seconds: 30 },
  ]);
  const rhythm = events.filter((e) => e.kind === 'rhythm');
  assert.equal(rhythm.length, 2, changes(events).join(', '));
  const lastBefore = beats.filter((b) => b < 30 * FS).length - 1;
  assert.equal(rhythm[0]!.condition, 'asystole');
  assert.ok(rhythm[0]!.active);
  assert.ok(Math.abs(rhythm[0]!.at - (beatTime(beats, lastBefore) + 4000)) <= 40, changes(events).join(', '));
  assert.ok(!rhythm[1]!.active);
  assert.ok(Math.abs(rhythm[1]!.at - beatTime(beats, lastBefore + 1)) <= 40);

  const short = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'pause', seconds: 3 },
    { kind: 'rhythm', bpm: 70, seconds: 30 },
  ]);
  assert.deepEqual(changes(short.events), []);
});

test('extreme bradycardia: 35 bpm raises it on the 5th slow beat; back at 70 it ends after 5 beats', () => {
  const { events, beats } = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'rhythm', bpm: 35, seconds: 30 },
    { kind: 'rhythm', bpm: 70, seconds: 30 },
  ]);
  const rhythm = events.filter((e) => e.kind === 'rhythm');
  assert.deepEqual(
    rhythm.map((e) => `${e.condition} ${e.active}`),
    ['bradycardia true', 'bradycardia false'],
  );
  // 5 slow beats = 4 intervals over 1500 ms (< 40 bpm); it ends after 5 intervals at or under 1500 ms
  const onset = runEnd(beats, 0, 4, (rr) => rr > 1500);
  assert.ok(Math.abs(rhythm[0]!.at - beatTime(beats, onset)) <= 40, changes(events).join(', '));
  assert.ok(Math.abs(rhythm[0]!.value! - 35) < 1);
  const end = runEnd(beats, onset, 5, (rr) => rr <= 1500);
  assert.ok(Math.abs(rhythm[1]!.at - beatTime(beats, end)) <= 40, changes(events).join(', '));
});

test('extreme tachycardia: 150 bpm raises it on the 17th fast beat; 135 bpm for a minute does not', () => {
  const { events, beats } = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'rhythm', bpm: 150, seconds: 20 },
    { kind: 'rhythm', bpm: 70, seconds: 30 },
  ]);
  const rhythm = events.filter((e) => e.kind === 'rhythm');
  assert.deepEqual(
    rhythm.map((e) => `${e.condition} ${e.active}`),
    ['tachycardia true', 'tachycardia false'],
    changes(events).join(', '),
  );
  // 17 fast beats = 16 intervals under 60000 / 140 ms
  const onset = runEnd(beats, 0, 16, (rr) => rr < 60_000 / 140);
  assert.ok(Math.abs(rhythm[0]!.at - beatTime(beats, onset)) <= 40, changes(events).join(', '));
  assert.ok(Math.abs(rhythm[0]!.value! - 150) < 2);

  const below = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 20 },
    { kind: 'rhythm', bpm: 135, seconds: 60 },
  ]);
  assert.deepEqual(changes(below.events), []);
});

test('noise: beats buried in motion artifact raise a poor-signal technical condition, never a rhythm one', () => {
  const { events } = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'noise', bpm: 70, seconds: 25, mv: 1.5 },
    { kind: 'rhythm', bpm: 70, seconds: 30 },
  ]);
  const list = changes(events);
  assert.ok(
    events.every((e) => e.kind !== 'rhythm'),
    list.join(', '),
  );
  assert.deepEqual(
    events.filter((e) => e.kind === 'lead').map((e) => `${e.condition} ${e.active}`),
    ['poor-signal true', 'poor-signal false'],
  );
});

test('a flat line (lead off) raises no-signal, not asystole', () => {
  const { events } = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'flat', seconds: 20 },
    { kind: 'rhythm', bpm: 70, seconds: 30 },
  ]);
  assert.deepEqual(
    events.flatMap((e) => (e.kind === 'metrics' ? [] : [`${e.kind} ${e.condition} ${e.active}`])),
    ['lead no-signal true', 'lead no-signal false'],
  );
});

test('irregular rhythm: random RR (AF-like) raises the flag; regular bigeminy does not', () => {
  let x = 7;
  const rand = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const af = Array.from({ length: 220 }, () => 450 + 500 * rand());
  const { events } = analyse([
    { kind: 'rhythm', bpm: 75, seconds: 20 },
    { kind: 'intervals', rrMs: af },
  ]);
  const irregular = events.filter((e) => e.kind === 'rhythm' && e.condition === 'irregular');
  assert.equal(irregular.length, 1, changes(events).join(', '));
  assert.ok(irregular[0]!.kind === 'rhythm' && irregular[0]!.active);

  const bigeminy = Array.from({ length: 220 }, (_, i) => (i % 2 === 0 ? 500 : 1100));
  const regular = analyse([
    { kind: 'rhythm', bpm: 75, seconds: 20 },
    { kind: 'intervals', rrMs: bigeminy },
  ]);
  assert.deepEqual(changes(regular.events), []);
});

test('the same strip in other chunkings gives the same events', () => {
  const parts: StripPart[] = [
    { kind: 'rhythm', bpm: 70, seconds: 20 },
    { kind: 'pause', seconds: 5 },
    { kind: 'rhythm', bpm: 150, seconds: 15 },
    { kind: 'noise', bpm: 60, seconds: 12, mv: 1.5 },
    { kind: 'rhythm', bpm: 36, seconds: 20 },
  ];
  const reference = analyse(parts, 62).events;
  assert.ok(reference.some((e) => e.kind !== 'metrics'));
  for (const chunk of [1, 17, 250, 1000]) assert.deepEqual(analyse(parts, chunk).events, reference, `chunk ${chunk}`);
});

test('a gap in the data is not asystole: the analysis starts again and learns first', () => {
  const strip = syntheticStrip(FS, [{ kind: 'rhythm', bpm: 70, seconds: 60 }]);
  const analyzer = new EcgAnalyzer(FS, { makeDetector: (fs) => new QrsDetector(fs) });
  const events: EcgEvent[] = [];
  for (let at = 0; at < strip.samples.length; at += FS) {
    const shift = at >= 30 * FS ? 12_000 : 0; // 12 s of data missing after 30 s
    events.push(...analyzer.push(strip.samples.subarray(at, at + FS), T0 + (at * 1000) / FS + shift));
  }
  assert.deepEqual(changes(events), []);
  // a re-sent chunk (overlap) is skipped, not analysed twice
  const again = analyzer.push(strip.samples.subarray(0, FS), T0 + 60_000 + 12_000 - 1000);
  assert.deepEqual(changes(again), []);
});

const ASYSTOLE: readonly StripPart[] = [
  { kind: 'rhythm', bpm: 70, seconds: 30 },
  { kind: 'pause', seconds: 20 },
  { kind: 'rhythm', bpm: 70, seconds: 10 },
];
const asystoles = (events: readonly EcgEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'rhythm' && e.condition === 'asystole' ? [e.active ? 'on' : 'off'] : []));

test('asystole is still seen under breathing wander, with very little noise, and with no clean QRS seen before', () => {
  // 0.6 mV of baseline wander at 0.33 Hz (breathing): the quiet test ignores it
  assert.deepEqual(asystoles(analyse(ASYSTOLE, FS / 4, 1, { wander: { mv: 0.6, hz: 0.33 } }).events), ['on', 'off']);
  // 5 µV of noise: quiet, not a "flat" (disconnected) input
  assert.deepEqual(asystoles(analyse(ASYSTOLE, FS / 4, 1, { noiseMv: 0.005 }).events), ['on', 'off']);
  // connected to a patient already in asystole: judged against the default QRS size after learning
  const first = analyse([{ kind: 'pause', seconds: 20 }]).events.flatMap((e) =>
    e.kind === 'metrics' ? [] : [`${e.condition} ${e.active} +${Math.round((e.at - T0) / 1000)}s`],
  );
  assert.deepEqual(first, ['asystole true +8s']);
});

test('ventricular standstill (P waves, no QRS) is asystole', () => {
  const { events } = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'standstill', bpm: 70, seconds: 10 },
    { kind: 'rhythm', bpm: 70, seconds: 10 },
  ]);
  assert.deepEqual(asystoles(events), ['on', 'off']);
});

test('a "beat" in noise does not end an asystole; a usable beat does', () => {
  const { events } = analyse([
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'pause', seconds: 8 },
    { kind: 'noise', bpm: 70, seconds: 6, mv: 1.5 },
    { kind: 'pause', seconds: 4 },
    { kind: 'rhythm', bpm: 70, seconds: 12 },
  ]);
  const rhythm = events.filter((e) => e.kind === 'rhythm');
  assert.deepEqual(
    rhythm.map((e) => `${e.condition} ${e.active}`),
    ['asystole true', 'asystole false'],
  );
  assert.ok(rhythm[1]!.at - T0 >= 48_000, `ended at +${(rhythm[1]!.at - T0) / 1000}s, by a beat after the noise`);
});

test('a short quiet stretch followed by noise raises nothing in any chunking', () => {
  const parts: StripPart[] = [
    { kind: 'rhythm', bpm: 70, seconds: 30 },
    { kind: 'pause', seconds: 3.7 },
    { kind: 'noise', bpm: 70, seconds: 8, mv: 1.5 },
    { kind: 'rhythm', bpm: 70, seconds: 10 },
  ];
  for (const chunk of [62, 125, 1000, 1250]) {
    assert.deepEqual(asystoles(analyse(parts, chunk).events), [], `chunk ${chunk}`);
  }
});

test('a device clock drifting 100 ppm is followed, not cut into segments', () => {
  const strip = syntheticStrip(FS, [{ kind: 'rhythm', bpm: 70, seconds: 1500 }]);
  const analyzer = new EcgAnalyzer(FS, { makeDetector: (fs) => new QrsDetector(fs) });
  const events: EcgEvent[] = [];
  for (let at = 0; at < strip.samples.length; at += FS) {
    const t0 = T0 + ((at * 1000) / FS) * 1.0001; // the device's clock runs 100 ppm fast
    events.push(...analyzer.push(strip.samples.subarray(at, at + FS), t0));
  }
  const rates = events.flatMap((e) => (e.kind === 'metrics' ? [e.heartRateBpm] : []));
  assert.deepEqual(changes(events), []);
  assert.equal(rates.length, 299);
  assert.ok(
    rates.every((r) => r !== null),
    'never re-learning: a heart rate in every window',
  );
});
