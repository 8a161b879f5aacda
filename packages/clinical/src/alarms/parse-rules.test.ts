import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RULES } from './default-rules.js';
import { parseRules } from './parse-rules.js';

describe('parseRules', () => {
  it('accepts the shipped defaults as JSON (they round-trip unchanged)', () => {
    assert.deepEqual(parseRules(JSON.parse(JSON.stringify(DEFAULT_RULES))), DEFAULT_RULES);
  });

  const good = JSON.parse(JSON.stringify(DEFAULT_RULES[0])) as Record<string, unknown>;
  const cases: [string, unknown, RegExp][] = [
    ['not an array', {}, /rules: expected a JSON array/],
    ['unknown kind', [{ ...good, kind: 'magic' }], /rules\[0\]\.kind/],
    ['unknown field', [{ ...good, colour: 'red' }], /rules\[0\]\.colour: unknown field/],
    ['unknown code', [{ ...good, codes: ['MDC_NOPE'] }], /rules\[0\]\.codes: "MDC_NOPE"/],
    ['waveform code', [{ ...good, codes: ['MDC_ECG_ELEC_POTL_II'] }], /not a numeric code/],
    ['missing limit', [{ ...good, limit: undefined }], /rules\[0\]\.limit: expected a finite number/],
    ['negative delay', [{ ...good, delayMs: -1 }], /rules\[0\]\.delayMs/],
    ['bad priority', [{ ...good, priority: 'urgent' }], /rules\[0\]\.priority/],
    ['duplicate id', [good, good], /rules\[1\]\.id: ".*" appears twice/],
    ['bad direction', [{ ...good, direction: 'above' }], /rules\[0\]\.direction/],
    ['latching not boolean', [{ ...good, latching: 'yes' }], /rules\[0\]\.latching/],
  ];
  for (const [name, input, message] of cases) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseRules(input),
        (err: Error) => err instanceof RangeError && message.test(err.message),
      );
    });
  }
});
