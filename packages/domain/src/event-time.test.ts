import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionWatermarks } from './event-time.js';

describe('per-partition watermarks', () => {
  const policy = { maxOutOfOrdernessMs: 5_000, allowedLatenessMs: 60_000 };

  it('never calls a reading late within out-of-orderness plus allowed lateness', () => {
    const w = new PartitionWatermarks(policy);
    assert.equal(w.observe(0, 100_000), false);
    assert.equal(w.observe(0, 100_000 - 65_000), false);
    assert.equal(w.observe(0, 100_000 - 65_001), true);
  });

  it('keeps partitions apart', () => {
    const w = new PartitionWatermarks(policy);
    w.observe(0, 1_000_000);
    assert.equal(w.observe(1, 10), false);
  });

  it('does not let clock-skewed readings advance the watermark', () => {
    const w = new PartitionWatermarks(policy);
    w.observe(0, 100_000);
    w.observe(0, 100_000 + 3_600_000, false);
    assert.equal(w.observe(0, 99_000), false);
  });

  it('restores from its state so a replay decides alike', () => {
    const w = new PartitionWatermarks(policy);
    w.observe(3, 500_000);
    const again = new PartitionWatermarks(policy, JSON.parse(JSON.stringify(w.state())) as Record<number, number>);
    assert.equal(again.watermark(3), w.watermark(3));
    assert.equal(again.observe(3, 400_000), true);
  });
});
