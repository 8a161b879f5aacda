import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreQsofa } from './qsofa.js';

describe('qSOFA (Sepsis-3)', () => {
  it('scores respiration rate ≥ 22 and systolic BP ≤ 100 at their edges', () => {
    assert.equal(scoreQsofa({ respirationRate: 21 }).subscores.respirationRate, 0);
    assert.equal(scoreQsofa({ respirationRate: 22 }).subscores.respirationRate, 1);
    assert.equal(scoreQsofa({ systolicBP: 100 }).subscores.systolicBP, 1);
    assert.equal(scoreQsofa({ systolicBP: 101 }).subscores.systolicBP, 0);
  });

  it('rounds half up to whole numbers first', () => {
    assert.equal(scoreQsofa({ respirationRate: 21.5 }).subscores.respirationRate, 1);
    assert.equal(scoreQsofa({ respirationRate: 21.49 }).subscores.respirationRate, 0);
    assert.equal(scoreQsofa({ systolicBP: 100.5 }).subscores.systolicBP, 0);
    assert.equal(scoreQsofa({ systolicBP: 100.49 }).subscores.systolicBP, 1);
  });

  it('counts anything but Alert as altered mentation', () => {
    assert.equal(scoreQsofa({ consciousness: 'A' }).subscores.mentation, 0);
    for (const consciousness of ['C', 'V', 'P', 'U'] as const)
      assert.equal(scoreQsofa({ consciousness }).subscores.mentation, 1);
  });

  it('is positive at 2 or more and negative below, when complete', () => {
    const two = scoreQsofa({ respirationRate: 22, systolicBP: 100, consciousness: 'A' });
    assert.deepEqual([two.value, two.complete, two.positive], [2, true, true]);
    const three = scoreQsofa({ respirationRate: 30, systolicBP: 80, consciousness: 'V' });
    assert.deepEqual([three.value, three.positive], [3, true]);
    const one = scoreQsofa({ respirationRate: 21, systolicBP: 101, consciousness: 'C' });
    assert.deepEqual([one.value, one.complete, one.positive, one.missing], [1, true, false, []]);
  });

  it('is positive as soon as two criteria are met, unknown while fewer and incomplete', () => {
    const partialPositive = scoreQsofa({ respirationRate: 24, systolicBP: 90 });
    assert.deepEqual([partialPositive.complete, partialPositive.positive], [false, true]);
    assert.deepEqual(partialPositive.missing, ['mentation']);
    const partialUnknown = scoreQsofa({ respirationRate: 24, consciousness: 'A' });
    assert.deepEqual([partialUnknown.value, partialUnknown.positive], [1, null]);
    assert.deepEqual(partialUnknown.missing, ['systolicBP']);
    const nothing = scoreQsofa({});
    assert.deepEqual([nothing.value, nothing.complete, nothing.positive], [0, false, null]);
    assert.deepEqual(nothing.subscores, { respirationRate: null, systolicBP: null, mentation: null });
  });

  it('refuses NaN', () => {
    assert.throws(() => scoreQsofa({ respirationRate: NaN }), RangeError);
  });
});
