import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ENGINE_POLICY } from './clinical-engine.js';
import { parseEnginePolicy } from './parse-engine-policy.js';

describe('parseEnginePolicy', () => {
  it('keeps every default for an empty policy', () => {
    assert.deepEqual(parseEnginePolicy({}), DEFAULT_ENGINE_POLICY);
  });

  it('takes ECG priorities, latching, leads and rhythm numbers, keeping the rest', () => {
    const policy = parseEnginePolicy({
      ecg: {
        priority: { irregular: 'medium' },
        latching: { asystole: false },
        leads: ['MDC_ECG_ELEC_POTL_I'],
        rhythm: { asystole: { noQrsMs: 5000 }, quality: { alarmAfterMs: 20_000 } },
      },
    });
    assert.equal(policy.ecg.priority.irregular, 'medium');
    assert.equal(policy.ecg.priority.asystole, 'high');
    assert.equal(policy.ecg.latching.asystole, false);
    assert.deepEqual(policy.ecg.leads, ['MDC_ECG_ELEC_POTL_I']);
    assert.equal(policy.ecg.rhythm.asystole.noQrsMs, 5000);
    assert.equal(policy.ecg.rhythm.quality.alarmAfterMs, 20_000);
    assert.equal(policy.ecg.rhythm.quality.kurtosisClean, DEFAULT_ENGINE_POLICY.ecg.rhythm.quality.kurtosisClean);
    assert.equal(policy.ecg.rhythm.tachycardia.beats, 17);
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
    [{ ecg: { priority: { asystole: 'urgent' } } }, /ecg\.priority\.asystole: expected high, medium or low/],
    [{ ecg: { priority: { vt: 'high' } } }, /ecg\.priority\.vt: unknown field/],
    [{ ecg: { latching: { asystole: 'yes' } } }, /ecg\.latching\.asystole: expected true or false/],
    [{ ecg: { leads: [] } }, /ecg\.leads: expected a non-empty list/],
    [{ ecg: { rhythm: { asystole: { noQrsMs: -1 } } } }, /ecg\.rhythm\.asystole\.noQrsMs: expected a number/],
    [
      { ecg: { rhythm: { irregular: { turningPointRatio: [0.5] } } } },
      /ecg\.rhythm\.irregular\.turningPointRatio: expected 2 numbers/,
    ],
    [{ ecg: { rhythm: { quality: { colour: 1 } } } }, /ecg\.rhythm\.quality\.colour: unknown field/],
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
