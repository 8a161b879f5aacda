import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ENGINE_POLICY } from './clinical-engine.js';
import { parseEnginePolicy } from './parse-engine-policy.js';

describe('parseEnginePolicy', () => {
  it('keeps every default for an empty policy', () => {
    assert.deepEqual(parseEnginePolicy({}), DEFAULT_ENGINE_POLICY);
  });

  it('applies a partial override and leaves the rest', () => {
    const p = parseEnginePolicy({
      score: { validityMs: { temperature: 14_400_000 } },
      lifecycle: { escalateAfterMs: { high: 60_000, medium: 300_000 } },
      technical: { staleAfterMs: 60_000, batteryLowFraction: 0.2 },
      anomaly: { levelZ: 5 },
    });
    assert.equal(p.score.validityMs.temperature, 14_400_000);
    assert.equal(p.score.validityMs.pulse, DEFAULT_ENGINE_POLICY.score.validityMs.pulse);
    assert.deepEqual(p.lifecycle.escalateAfterMs, { high: 60_000, medium: 300_000, low: null });
    assert.equal(p.technical.staleAfterMs, 60_000);
    assert.equal(p.technical.batteryLowFraction, 0.2);
    assert.equal(p.technical.stalePriority, DEFAULT_ENGINE_POLICY.technical.stalePriority);
    assert.equal(p.anomaly.levelZ, 5);
    assert.equal(
      parseEnginePolicy({ lifecycle: { escalateAfterMs: { high: null } } }).lifecycle.escalateAfterMs.high,
      null,
    );
  });

  const bad: [unknown, RegExp][] = [
    [[], /policy: expected an object/],
    [{ scores: {} }, /policy\.scores: unknown field/],
    [{ score: { validityMs: { pulse: -1 } } }, /score\.validityMs\.pulse/],
    [{ score: { validityMs: { heart: 1 } } }, /score\.validityMs\.heart: unknown field/],
    [{ lifecycle: { escalateAfterMs: { high: 'soon' } } }, /lifecycle\.escalateAfterMs\.high/],
    [{ technical: { stalePriority: 'urgent' } }, /technical\.stalePriority/],
    [{ technical: { batteryLowFraction: 1.5 } }, /technical\.batteryLowFraction/],
    [{ anomaly: { levelZ: 0 } }, /levelZ/],
    [{ score: { mews: { name: 'x' } } }, /./],
  ];
  for (const [json, message] of bad) {
    it(`refuses ${JSON.stringify(json)}`, () => {
      assert.throws(
        () => parseEnginePolicy(json),
        (err: Error) => err instanceof RangeError && message.test(err.message),
      );
    });
  }
});
