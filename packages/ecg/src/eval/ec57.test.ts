import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grossResult, scoreBeats } from './ec57.js';

const FS = 360;
const MIN5 = 5 * 60 * FS;

test('a detection within 150 ms matches; further away it is a false positive and the beat a miss', () => {
  const reference = [MIN5 + 1000, MIN5 + 2000, MIN5 + 3000];
  const detected = [MIN5 + 1054, MIN5 + 2055, MIN5 + 5000]; // 54 samples = 150 ms; 55 > 150 ms
  assert.deepEqual(scoreBeats(detected, reference, { fsHz: FS }), { tp: 1, fp: 2, fn: 2, se: 1 / 3, ppv: 1 / 3 });
});

test('the first five minutes are left out of both sides', () => {
  const result = scoreBeats([10, 100, MIN5 + 10], [10, 500, MIN5 + 12], { fsHz: FS });
  assert.deepEqual(result, { tp: 1, fp: 0, fn: 0, se: 1, ppv: 1 });
});

test('each beat matches once, nearest first', () => {
  // two detections near one beat: one matches, the other is a false positive
  const result = scoreBeats([MIN5 + 990, MIN5 + 1002], [MIN5 + 1000], { fsHz: FS });
  assert.deepEqual(result, { tp: 1, fp: 1, fn: 0, se: 1, ppv: 0.5 });
  // a detection between two close beats goes to the nearer; the other beat is missed
  const between = scoreBeats([MIN5 + 1030], [MIN5 + 1000, MIN5 + 1040], { fsHz: FS });
  assert.deepEqual(between, { tp: 1, fp: 0, fn: 1, se: 0.5, ppv: 1 });
});

test('gross statistics pool beats over records', () => {
  const g = grossResult([
    { tp: 90, fp: 10, fn: 0, se: 1, ppv: 0.9 },
    { tp: 10, fp: 0, fn: 10, se: 0.5, ppv: 1 },
  ]);
  assert.deepEqual(g, { tp: 100, fp: 10, fn: 10, se: 100 / 110, ppv: 100 / 110 });
});
