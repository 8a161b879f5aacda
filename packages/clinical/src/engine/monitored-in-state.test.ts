import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Harness, series, T0 } from '../testing/engine-harness.js';
import { monitoredInState } from './clinical-engine.js';

const HR = 'MDC_ECG_HEART_RATE';
const HOUR = 3_600_000;

describe('monitored time in a saved engine state', () => {
  it('is what the engine that saved it answered, for any window', () => {
    const h = new Harness([]);
    // Ten minutes of a reading a second, then two more minutes in the next hour.
    h.feed(series(HR, T0 + HOUR - 600_000, 600, () => 72));
    h.feed(series(HR, T0 + HOUR, 120, () => 72));
    const state = JSON.parse(JSON.stringify(h.snapshot())) as unknown; // as the store keeps it
    for (const [from, to] of [
      [T0, T0 + 2 * HOUR],
      [T0, T0 + HOUR],
      [T0 + HOUR, T0 + 2 * HOUR],
      [T0 + 3 * HOUR, T0 + 4 * HOUR],
    ] as const) {
      assert.equal(
        monitoredInState(state, from, to),
        h.engine.monitoredBetween(from, to),
        `[${from - T0}, ${to - T0})`,
      );
    }
    assert.ok(monitoredInState(state, T0, T0 + 2 * HOUR) > 700_000, 'about 12 minutes were monitored');
    assert.equal(monitoredInState(state, T0 + 3 * HOUR, T0 + 4 * HOUR), 0);
  });

  it('is 0 for what is not a saved state', () => {
    for (const state of [undefined, null, 42, 'x', {}, { patients: {} }, { patients: { monitoredByHour: 'x' } }]) {
      assert.equal(monitoredInState(state, 0, Number.MAX_SAFE_INTEGER), 0, JSON.stringify(state));
    }
    assert.equal(monitoredInState({ patients: { monitoredByHour: { '0': 5, x: 7, '3600000': 'y' } } }, 0, HOUR), 5);
  });
});
