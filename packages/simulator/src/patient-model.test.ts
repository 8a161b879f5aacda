import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baselineFromNumerics } from './bidmc.js';
import { loadNumericsRecords } from './bidmc-files.js';
import { deteriorationProgress } from './deterioration.js';
import { PatientModel } from './patient-model.js';
import { Random } from './random.js';
import { drawBaseline, type Baseline, type VitalSigns } from './vitals.js';

const START_AT = 1_764_000_000_000;
const SECOND = 1000;
const MINUTE = 60 * SECOND;

function trace(model: PatientModel, seconds: number, stepMs = SECOND): VitalSigns[] {
  return Array.from({ length: seconds }, (_, i) => model.sample(START_AT + i * stepMs));
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

test('a patient model is deterministic for its seed', () => {
  const baseline = drawBaseline(new Random('b'));
  const a = trace(new PatientModel(baseline, new Random('m'), START_AT), 300);
  const b = trace(new PatientModel(baseline, new Random('m'), START_AT), 300);
  const c = trace(new PatientModel(baseline, new Random('other'), START_AT), 300);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('stable patients stay within plausible adult ranges for two hours', async () => {
  const records = await loadNumericsRecords();
  const baselines: Baseline[] = [
    ...records.map((r, i) => baselineFromNumerics(r, new Random(`bidmc-${i}`))),
    ...Array.from({ length: 12 }, (_, i) => drawBaseline(new Random(`random-${i}`))),
  ];
  for (const [i, baseline] of baselines.entries()) {
    const vitals = trace(new PatientModel(baseline, new Random(`stable-${i}`), START_AT), 7200);
    // Plausible for a stable adult: no parameter ever in NEWS2's 3-point band (RCP 2017 chart 1),
    // except SpO2, which BIDMC's ICU patients may start near 92 %.
    for (const v of vitals) {
      const where = `${baseline.source} ${JSON.stringify(v)}`;
      assert.ok(v.heartRateBpm > 40 && v.heartRateBpm < 131, where);
      assert.ok(Math.abs(v.pulseRateBpm - v.heartRateBpm) < 10, where);
      assert.ok(v.spo2Percent >= 88 && v.spo2Percent <= 100, where);
      assert.ok(v.respRatePerMin > 8.5 && v.respRatePerMin < 24.5, where);
      assert.ok(v.temperatureCel > 35.05 && v.temperatureCel < 39, where);
      assert.ok(v.systolicMmHg > 90.5 && v.systolicMmHg < 219.5, where);
      assert.ok(v.diastolicMmHg >= 40 && v.diastolicMmHg < v.systolicMmHg - 10, where);
      assert.ok(v.meanArterialMmHg > v.diastolicMmHg && v.meanArterialMmHg < v.systolicMmHg, where);
    }
    // Realistic, not white noise: consecutive seconds are strongly correlated and steps are small.
    const hr = vitals.map((v) => v.heartRateBpm);
    const m = mean(hr);
    const lag1 = hr.slice(1).reduce((s, x, k) => s + (x - m) * ((hr[k] ?? m) - m), 0);
    const var0 = hr.reduce((s, x) => s + (x - m) ** 2, 0);
    assert.ok(lag1 / var0 > 0.8, `lag-1 autocorrelation ${lag1 / var0}`);
    assert.ok(Math.max(...hr.slice(1).map((x, k) => Math.abs(x - (hr[k] ?? x)))) < 6);
  }
});

test('heart rate follows breathing (respiratory sinus arrhythmia)', () => {
  const baseline = { ...drawBaseline(new Random('rsa')), respRatePerMin: 12 };
  const quiet = { ...baseline, variability: { heartRateBpm: 0.01, spo2Percent: 0.01, respRatePerMin: 0.01 } };
  const vitals = trace(new PatientModel(quiet, new Random('rsa'), START_AT), 120, 250);
  const hr = vitals.map((v) => v.heartRateBpm);
  // At 12 breaths/min the heart rate oscillates with a 5 s period: a sample 2.5 s later is anti-correlated.
  const m = mean(hr);
  const halfPeriod = 10;
  const corr = hr.slice(halfPeriod).reduce((s, x, k) => s + (x - m) * ((hr[k] ?? m) - m), 0);
  assert.ok(corr < 0, `correlation at half a breath ${corr}`);
});

test('a deteriorating patient moves every vital the septic way, smoothly', () => {
  const baseline = drawBaseline(new Random('sepsis'));
  const durationMs = 20 * MINUTE;
  const model = new PatientModel(baseline, new Random('sepsis'), START_AT, {
    onsetAt: START_AT + 5 * MINUTE,
    durationMs,
    severity: 1,
  });
  const vitals = trace(model, 30 * 60);
  const first = vitals.slice(0, 5 * 60);
  const last = vitals.slice(-5 * 60);
  const change = (k: keyof VitalSigns): number => mean(last.map((v) => v[k])) - mean(first.map((v) => v[k]));
  assert.ok(change('heartRateBpm') > 25, `HR ${change('heartRateBpm')}`);
  assert.ok(change('respRatePerMin') > 7, `RR ${change('respRatePerMin')}`);
  assert.ok(change('temperatureCel') > 1.2, `temp ${change('temperatureCel')}`);
  assert.ok(change('systolicMmHg') < -25, `sys ${change('systolicMmHg')}`);
  assert.ok(change('diastolicMmHg') < -12, `dia ${change('diastolicMmHg')}`);
  assert.ok(change('spo2Percent') < -4, `SpO2 ${change('spo2Percent')}`);
  // No jump: the drift is spread over the duration (at most a few bpm from one second to the next).
  const hr = vitals.map((v) => v.heartRateBpm);
  assert.ok(Math.max(...hr.slice(1).map((x, k) => Math.abs(x - (hr[k] ?? x)))) < 6);
});

test('deterioration progress is 0 before onset, 1 after, and smooth in between', () => {
  const d = { onsetAt: 1000, durationMs: 1000, severity: 1 };
  assert.equal(deteriorationProgress(d, 500), 0);
  assert.equal(deteriorationProgress(d, 1500), 0.5);
  assert.equal(deteriorationProgress(d, 2500), 1);
  assert.equal(deteriorationProgress(undefined, 2500), 0);
  assert.ok(deteriorationProgress(d, 1100) < 0.1);
});

test('sample times must not go backwards', () => {
  const model = new PatientModel(drawBaseline(new Random('t')), new Random('t'), START_AT);
  model.sample(START_AT + 1000);
  assert.deepEqual(model.sample(START_AT + 1000), model.sample(START_AT + 1000));
  assert.throws(() => model.sample(START_AT), RangeError);
});
