import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeqIntervals } from './seq-intervals.js';

function members(set: SeqIntervals, upTo: number): number[] {
  return Array.from({ length: upTo + 1 }, (_, i) => i).filter((i) => set.has(i));
}

describe('SeqIntervals', () => {
  it('keeps a counting device in one range', () => {
    const set = new SeqIntervals();
    for (let seq = 1; seq <= 10_000; seq++) set.add(seq);
    assert.equal(set.rangeCount, 1);
    assert.ok(set.has(1) && set.has(10_000) && !set.has(0) && !set.has(10_001));
  });

  it('adds out of order, merging ranges that meet', () => {
    const set = new SeqIntervals();
    for (const seq of [5, 1, 3, 9, 2, 4, 8]) set.add(seq);
    assert.deepEqual(members(set, 12), [1, 2, 3, 4, 5, 8, 9]);
    assert.equal(set.rangeCount, 2);
    set.add(7);
    set.add(6);
    assert.equal(set.rangeCount, 1);
    set.add(3);
    assert.deepEqual(members(set, 12), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('deletes from the ends and the middle of a range', () => {
    const set = new SeqIntervals();
    for (let seq = 1; seq <= 9; seq++) set.add(seq);
    set.delete(1);
    set.delete(9);
    set.delete(5);
    set.delete(42);
    assert.deepEqual(members(set, 12), [2, 3, 4, 6, 7, 8]);
    assert.equal(set.rangeCount, 2);
    for (const seq of [2, 3, 4, 6, 7, 8]) set.delete(seq);
    assert.ok(set.isEmpty);
  });

  it('agrees with a plain Set under random adds and deletes', () => {
    const set = new SeqIntervals();
    const reference = new Set<number>();
    let state = 12345;
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    for (let step = 0; step < 5_000; step++) {
      const seq = random(200);
      if (random(3) === 0) {
        set.delete(seq);
        reference.delete(seq);
      } else {
        set.add(seq);
        reference.add(seq);
      }
    }
    assert.deepEqual(
      members(set, 200),
      [...reference].sort((a, b) => a - b),
    );
  });

  it('adds ranges, merging those they overlap or touch, as a plain Set would', () => {
    const set = new SeqIntervals();
    const reference = new Set<number>();
    let state = 777;
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    for (let step = 0; step < 2_000; step++) {
      const start = random(300);
      const end = start + random(6);
      set.addRange(start, end);
      for (let seq = start; seq <= end; seq++) reference.add(seq);
      if (random(4) === 0) {
        const seq = random(300);
        set.delete(seq);
        reference.delete(seq);
      }
    }
    assert.deepEqual(
      members(set, 310),
      [...reference].sort((a, b) => a - b),
    );
    const bounds = set.toBounds();
    assert.equal(bounds.length, 2 * set.rangeCount);
    assert.deepEqual(SeqIntervals.fromBounds(bounds).toBounds(), bounds);
  });

  it('bridges the smallest gap, the lowest one on a tie', () => {
    const set = SeqIntervals.fromBounds([1, 2, 5, 5, 8, 9, 20, 30]);
    set.bridgeSmallestGap();
    assert.deepEqual(set.toBounds(), [1, 5, 8, 9, 20, 30]);
    set.bridgeSmallestGap();
    assert.deepEqual(set.toBounds(), [1, 9, 20, 30]);
    set.bridgeSmallestGap();
    set.bridgeSmallestGap();
    assert.deepEqual(set.toBounds(), [1, 30]);
  });

  it('refuses bounds that are not sorted, disjoint, non-adjacent safe integers', () => {
    for (const bad of [[1], [2, 1], [1, 3, 3, 5], [1, 3, 4, 5], [5, 6, 1, 2], [0.5, 1], [1, 2 ** 53]]) {
      assert.throws(() => SeqIntervals.fromBounds(bad), RangeError, JSON.stringify(bad));
    }
    assert.deepEqual(SeqIntervals.fromBounds([]).toBounds(), []);
  });
});
