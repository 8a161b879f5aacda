import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roundHalfUp } from './rounding.js';

describe('roundHalfUp', () => {
  it('rounds halves up at the chart precisions', () => {
    const cases: [value: number, decimals: number, expected: number][] = [
      [24.5, 0, 25],
      [24.49, 0, 24],
      [95.5, 0, 96],
      [90.5, 0, 91],
      [219.5, 0, 220],
      [36.05, 1, 36.1],
      [35.05, 1, 35.1],
      [35.04, 1, 35],
      [38.04, 1, 38],
      [38.05, 1, 38.1],
      [38.45, 1, 38.5],
      [37, 1, 37],
    ];
    for (const [value, decimals, expected] of cases) assert.equal(roundHalfUp(value, decimals), expected, `${value}`);
  });

  it('rounds by the decimal a number is written as, not its binary approximation', () => {
    // Each of these is stored a hair below the half, so value * 10^d rounds the wrong way.
    assert.equal(Math.round(1.005 * 100) / 100, 1);
    assert.equal(roundHalfUp(1.005, 2), 1.01);
    assert.equal(roundHalfUp(0.285, 2), 0.29);
    assert.equal(roundHalfUp(1.255, 2), 1.26);
    assert.equal(roundHalfUp(0.049999999999999996, 1), 0);
    assert.equal(roundHalfUp(0.1 + 0.2, 1), 0.3);
  });

  it('copes with exponent notation, zero and negatives', () => {
    assert.equal(roundHalfUp(1e-7, 1), 0);
    assert.equal(roundHalfUp(1.5e21, 0), 1.5e21);
    assert.equal(roundHalfUp(5e-7, 6), 0.000001);
    assert.equal(roundHalfUp(0, 1), 0);
    assert.equal(roundHalfUp(-2.5, 0), -3);
    assert.equal(roundHalfUp(-35.05, 1), -35.1);
    assert.equal(roundHalfUp(-0.04, 1), 0);
    assert.equal(roundHalfUp(1234.5, -1), 1230);
  });

  it('passes NaN and infinities through and rejects fractional decimals', () => {
    assert.ok(Number.isNaN(roundHalfUp(NaN, 0)));
    assert.equal(roundHalfUp(Infinity, 1), Infinity);
    assert.equal(roundHalfUp(-Infinity, 1), -Infinity);
    assert.throws(() => roundHalfUp(1, 0.5), RangeError);
  });
});
