import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnomalyDetector } from './anomaly-detector.js';
import type { AnomalyEvaluation } from './anomaly-evaluation.js';
import { FINE_ANOMALY_POLICY } from '../testing/fine-anomaly-policy.js';
import type { BaselineTrackerState } from './baseline-tracker-state.js';

const POLICY = FINE_ANOMALY_POLICY;

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

/** mulberry32: a tiny seeded PRNG, so every run sees the same "noise". */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Reading = readonly [patientId: string, code: string, observedAt: number, value: number];

/** Typical values and 1 Hz noise (uniform ± half-width) per tracked code, with rare artefact spikes. */
const VITALS: readonly [code: string, mean: number, halfWidth: number][] = [
  ['MDC_ECG_HEART_RATE', 72, 4],
  ['MDC_PULS_OXIM_PULS_RATE', 73, 4],
  ['MDC_PULS_RATE', 71, 4],
  ['MDC_RESP_RATE', 16, 2],
  ['MDC_PULS_OXIM_SAT_O2', 97, 1],
  ['MDC_PRESS_BLD_NONINV_SYS', 120, 6],
  ['MDC_TEMP_BODY', 36.9, 0.1],
];

function ward(patients: readonly string[], minutes: number, seed: number): Reading[] {
  const random = mulberry32(seed);
  const out: Reading[] = [];
  for (let s = 0; s < minutes * 60; s++) {
    for (const patient of patients) {
      for (const [code, mean, halfWidth] of VITALS) {
        const spike = random() < 0.01 ? 10 * halfWidth : 0;
        out.push([patient, code, T0 + s * 1000, mean + (2 * random() - 1) * halfWidth + spike]);
      }
    }
  }
  return out;
}

function run(detector: AnomalyDetector, readings: readonly Reading[]): AnomalyEvaluation[] {
  const out: AnomalyEvaluation[] = [];
  for (const [patient, code, at, value] of readings) {
    const evaluation = detector.observe(patient, code, at, value);
    if (evaluation !== undefined) out.push(evaluation);
  }
  return out;
}

describe('AnomalyDetector', () => {
  it('raises no deviation for stable patients over 3 hours, artefact spikes included', () => {
    const evaluations = run(new AnomalyDetector(POLICY), ward(['p1'], 180, 11));
    assert.equal(evaluations.length, 7 * (180 - 1 - 30));
    assert.ok(evaluations.every((e) => !e.level.deviating && e.trend?.deviating === false));
  });

  it('keeps patients and codes apart and ignores untracked codes', () => {
    const detector = new AnomalyDetector(POLICY);
    for (let s = 0; s < 3600; s++) {
      detector.observe('p1', 'MDC_ECG_HEART_RATE', T0 + s * 1000, 72);
      detector.observe('p2', 'MDC_ECG_HEART_RATE', T0 + s * 1000, 110);
      assert.equal(detector.observe('p1', 'MDC_PRESS_BLD_NONINV_DIA', T0 + s * 1000, 80), undefined);
    }
    const p1 = detector.observe('p1', 'MDC_ECG_HEART_RATE', T0 + 3_600_000, 72)!;
    const p2 = detector.observe('p2', 'MDC_ECG_HEART_RATE', T0 + 3_600_000, 110)!;
    assert.equal(p1.level.baselineCenter, 72);
    assert.equal(p2.level.baselineCenter, 110);
    assert.equal(detector.tracker('p1', 'MDC_PRESS_BLD_NONINV_DIA'), undefined);
    assert.deepEqual(Object.keys(detector.state()).sort(), ['p1/MDC_ECG_HEART_RATE', 'p2/MDC_ECG_HEART_RATE']);

    detector.forget('p1');
    assert.deepEqual(Object.keys(detector.state()), ['p2/MDC_ECG_HEART_RATE']);
    assert.equal(detector.observe('p1', 'MDC_ECG_HEART_RATE', T0 + 3_601_000, 72), undefined);
  });

  it('continues identically after state()/restore()', () => {
    const readings = ward(['p1', 'p2'], 50, 12).map(([p, code, at, value]): Reading => {
      const minute = (at - T0) / 60_000;
      return p === 'p2' && code === 'MDC_PULS_OXIM_SAT_O2' && minute >= 40
        ? [p, code, at, value - 8]
        : [p, code, at, value];
    });
    const reference = run(new AnomalyDetector(POLICY), readings);
    assert.ok(reference.some((e) => e.level.changed === 'started'));
    for (const split of [1, 7 * 2 * 1800 + 3, 7 * 2 * 2700]) {
      const before = new AnomalyDetector(POLICY);
      const head = run(before, readings.slice(0, split));
      const saved = JSON.parse(JSON.stringify(before.state())) as Record<string, BaselineTrackerState>;
      const after = AnomalyDetector.restore(POLICY, saved);
      assert.deepEqual([...head, ...run(after, readings.slice(split))], reference, `split at ${split}`);
    }
  });

  it('refuses a state key without patient and code', () => {
    const state = new AnomalyDetector(POLICY).state();
    assert.throws(() => AnomalyDetector.restore(POLICY, { ...state, nokey: {} as BaselineTrackerState }), RangeError);
  });
});
