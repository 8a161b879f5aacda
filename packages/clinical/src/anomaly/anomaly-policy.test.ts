import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ANOMALY_POLICY, parseAnomalyPolicy } from './anomaly-policy.js';

describe('anomaly policy', () => {
  it('tracks the seven listed codes, each with a spread floor', () => {
    assert.equal(DEFAULT_ANOMALY_POLICY.codes.length, 7);
    for (const code of DEFAULT_ANOMALY_POLICY.codes) assert.ok((DEFAULT_ANOMALY_POLICY.minScale[code] ?? 0) > 0, code);
  });

  it('applies a partial override, merging minScale per code', () => {
    const policy = parseAnomalyPolicy({ levelZ: 5, minScale: { MDC_RESP_RATE: 2, MDC_X: 0.5 }, codes: ['MDC_X'] });
    assert.equal(policy.levelZ, 5);
    assert.equal(policy.trendZ, DEFAULT_ANOMALY_POLICY.trendZ);
    assert.equal(policy.minScale['MDC_RESP_RATE'], 2);
    assert.equal(policy.minScale['MDC_X'], 0.5);
    assert.equal(policy.minScale['MDC_ECG_HEART_RATE'], DEFAULT_ANOMALY_POLICY.minScale['MDC_ECG_HEART_RATE']);
    assert.deepEqual(policy.codes, ['MDC_X']);
    assert.deepEqual(parseAnomalyPolicy({}), DEFAULT_ANOMALY_POLICY);
  });

  it('names the field it rejects', () => {
    const cases: readonly [unknown, RegExp][] = [
      [null, /JSON object/],
      [[], /JSON object/],
      [{ levelZ: 0 }, /levelZ must be a positive number/],
      [{ clearZ: -1 }, /clearZ must be a positive/],
      [{ bucketMs: 1.5 }, /bucketMs must be a positive integer/],
      [{ baselineBuckets: '60' }, /baselineBuckets/],
      [{ trendZ: Infinity }, /trendZ/],
      [{ minBaselineBuckets: 61 }, /minBaselineBuckets must not exceed baselineBuckets/],
      [{ baselineBuckets: 20 }, /minBaselineBuckets must not exceed baselineBuckets/],
      [{ clearZ: 4 }, /clearZ must be below levelZ/],
      [{ trendZ: 1.5 }, /clearZ must be below trendZ/],
      [{ trendBuckets: 2 }, /trendBuckets must be at least 3/],
      [{ minScale: { MDC_RESP_RATE: 0 } }, /minScale\.MDC_RESP_RATE/],
      [{ minScale: [1] }, /minScale must be an object/],
      [{ codes: 'MDC_RESP_RATE' }, /codes must be an array/],
      [{ codes: [''] }, /codes must be an array/],
      [{ levelz: 5 }, /levelz is not a known field/],
    ];
    for (const [json, message] of cases) {
      assert.throws(
        () => parseAnomalyPolicy(json),
        (e: unknown) => e instanceof RangeError && message.test(e.message),
      );
    }
  });
});
