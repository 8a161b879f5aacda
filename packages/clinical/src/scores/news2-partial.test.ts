import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NEWS2_PARAMETERS, scoreNews2, scoreNews2Partial, type News2Input } from './news2.js';
import { NORMAL_NEWS2_INPUT } from '../testing/news2-inputs.js';

const NORMAL = NORMAL_NEWS2_INPUT;

describe('NEWS2 partial scores', () => {
  it('agrees with the complete score when nothing is missing', () => {
    const input: News2Input = { ...NORMAL, respirationRate: 22, pulse: 35, onOxygen: true };
    const partial = scoreNews2Partial(input);
    const full = scoreNews2(input);
    assert.deepEqual(partial.subscores, full.subscores);
    assert.deepEqual(
      [partial.aggregate, partial.anySingleParameter3, partial.complete, partial.clinicalRisk],
      [full.aggregate, full.anySingleParameter3, true, full.clinicalRisk],
    );
    assert.deepEqual(partial.missing, []);
  });

  it('scores nothing from nothing and lists every parameter as missing', () => {
    const empty = scoreNews2Partial({});
    assert.deepEqual(empty.missing, [...NEWS2_PARAMETERS]);
    assert.equal(empty.aggregate, 0);
    assert.equal(empty.complete, false);
    assert.equal(empty.clinicalRisk, null);
    for (const p of NEWS2_PARAMETERS) assert.equal(empty.subscores[p], null);
  });

  it('sums what is present and gives no risk while incomplete, however high', () => {
    const { consciousness: _absent, ...rest } = { ...NORMAL, respirationRate: 30, pulse: 150, systolicBP: 80 };
    const partial = scoreNews2Partial(rest);
    assert.deepEqual(partial.missing, ['consciousness']);
    assert.equal(partial.subscores.consciousness, null);
    assert.equal(partial.aggregate, 9);
    assert.equal(partial.anySingleParameter3, true);
    assert.equal(partial.clinicalRisk, null);
  });

  it('needs onOxygen for airOrOxygen, and for SpO2 on scale 2 only', () => {
    const { onOxygen: _absent, ...noOxygen } = NORMAL;
    const scale1 = scoreNews2Partial({ ...noOxygen, spo2: 94 });
    assert.deepEqual(scale1.missing, ['airOrOxygen']);
    assert.equal(scale1.subscores.spo2, 1);
    const scale2 = scoreNews2Partial({ ...noOxygen, spo2Scale: 2, spo2: 94 });
    assert.deepEqual(scale2.missing, ['spo2', 'airOrOxygen']);
  });

  it('takes an absent spo2Scale as scale 1 (scale 2 must be charted)', () => {
    const { spo2Scale: _absent, ...noScale } = NORMAL;
    const partial = scoreNews2Partial({ ...noScale, spo2: 90, onOxygen: true });
    assert.equal(partial.subscores.spo2, 3);
    assert.equal(partial.complete, true);
    assert.equal(partial.clinicalRisk, 'medium');
  });

  it('names temperature (not temperatureC) when the temperature is missing', () => {
    const { temperatureC: _absent, ...rest } = NORMAL;
    assert.deepEqual(scoreNews2Partial(rest).missing, ['temperature']);
  });
});
