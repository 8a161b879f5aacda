import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEFAULT_ANOMALY_POLICY } from './anomaly-policy.js';
import { BaselineTracker } from './baseline-tracker.js';
import type { BaselineTrackerState } from './baseline-tracker-state.js';

it('keeps the open bucket bounded at high rates, and its sample still gives the bucket median', () => {
  const tracker = new BaselineTracker('MDC_ECG_HEART_RATE', DEFAULT_ANOMALY_POLICY);
  const T0 = Date.UTC(2026, 0, 1);
  // 100 Hz for one minute: 6,000 readings cycling 60..79 (median 69.5).
  for (let i = 0; i < 6_000; i++) tracker.observe(T0 + i * 10, 60 + (i % 20));
  const state = tracker.state();
  assert.ok(state.openSamples.length < 256, `kept ${state.openSamples.length} readings`);
  assert.equal(state.openSeen, 6_000);
  const sorted = [...state.openSamples].sort((a, b) => a - b);
  const mid = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  assert.ok(mid >= 68 && mid <= 71, `sample median ${mid}`);
  // Restoring mid-bucket continues with the same stride.
  const restored = BaselineTracker.restore(
    'MDC_ECG_HEART_RATE',
    DEFAULT_ANOMALY_POLICY,
    JSON.parse(JSON.stringify(state)) as BaselineTrackerState,
  );
  assert.deepEqual(restored.state(), state);
});
