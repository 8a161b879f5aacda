import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeySet } from './key-set.js';

describe('KeySet', () => {
  it('keeps each (device, boot) apart, one range while a device counts', () => {
    const keys = new KeySet();
    for (let seq = 1; seq <= 1_000; seq++) keys.add('d', 'b1', seq);
    keys.add('d', '', 1);
    keys.add('e', 'b1', 7);
    assert.ok(keys.has('d', 'b1', 1) && keys.has('d', 'b1', 1_000) && !keys.has('d', 'b1', 1_001));
    assert.ok(keys.has('d', '', 1) && !keys.has('d', '', 2) && !keys.has('d', 'b2', 1) && !keys.has('f', 'b1', 7));
    assert.deepEqual([keys.bootCount, keys.rangeCount], [3, 3]);
  });

  it('is exact when unbounded', () => {
    const keys = new KeySet();
    for (let seq = 0; seq < 500; seq += 2) keys.add('d', 'b', seq);
    assert.equal(keys.rangeCount, 250);
    assert.ok(!keys.has('d', 'b', 1));
  });

  it('bounded, joins the closest ranges of a boot: a superset, never fewer keys', () => {
    const keys = new KeySet(3);
    for (const seq of [1, 3, 10, 20, 22]) keys.add('d', 'b', seq);
    assert.equal(keys.rangeCount, 3);
    assert.deepEqual([...keys.boundsByBoot()], [['d', 'b', [1, 3, 10, 10, 20, 22]]]);
    for (const seq of [1, 3, 10, 20, 22]) assert.ok(keys.has('d', 'b', seq));
    keys.addRange('e', 'b', 1, 5);
    assert.deepEqual([keys.bootCount, keys.rangeCount], [2, 4]);
  });

  it('adds another set by ranges and visits every range', () => {
    const segment = new KeySet();
    for (const seq of [4, 5, 6, 9]) segment.add('d', 'b', seq);
    const retired = new KeySet(64);
    retired.addRange('d', 'b', 1, 3);
    retired.addAll(segment);
    const visited: [string, string, number, number][] = [];
    retired.forEachRange((deviceId, boot, start, end) => visited.push([deviceId, boot, start, end]));
    assert.deepEqual(visited, [
      ['d', 'b', 1, 6],
      ['d', 'b', 9, 9],
    ]);
    assert.throws(() => retired.addBounds('d', 'b', [3, 1]), RangeError);
  });
});
