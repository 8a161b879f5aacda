import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SCORE_RULES } from '../alarms/default-rules.js';
import type { ChartedObservation } from '../charted.js';
import { Harness, P1, record, T0 } from '../testing/engine-harness.js';

const RR = 'MDC_RESP_RATE';
const SPO2 = 'MDC_PULS_OXIM_SAT_O2';
const SBP = 'MDC_PRESS_BLD_NONINV_SYS';
const PR = 'MDC_PULS_OXIM_PULS_RATE';
const TEMP = 'MDC_TEMP_BODY';

function charted(at: number, observation: ChartedObservation['observation']): ChartedObservation {
  return {
    id: `c-${at}-${observation.kind}`,
    patientId: P1,
    observation,
    observedAt: at,
    recordedAt: at,
    recordedBy: 'nurse.jones',
  };
}

/** A full set of vitals at `at`. */
function vitals(at: number, v: { rr: number; spo2: number; sbp: number; pulse: number; temp: number }) {
  return record(at, [
    [RR, v.rr],
    [SPO2, v.spo2],
    [SBP, v.sbp],
    [PR, v.pulse],
    [TEMP, v.temp],
  ]);
}

const NORMAL = { rr: 16, spo2: 97, sbp: 120, pulse: 70, temp: 37 };

describe('NEWS2 on the stream', () => {
  it('is partial and names what is missing until consciousness and oxygen are charted', () => {
    const h = new Harness([]);
    h.feed([vitals(T0, NORMAL)]);
    const news2 = h.scores.find((s) => s.score === 'news2')!;
    assert.equal(news2.complete, false);
    assert.deepEqual([...news2.missing].sort(), ['airOrOxygen', 'consciousness']);
    assert.equal(news2.band, null);
    assert.equal(news2.subscores.consciousness, null);
  });

  it('is complete with charted context and carries its sub-scores and inputs', () => {
    const h = new Harness([]);
    h.engine.chart(charted(T0 - 60_000, { kind: 'consciousness', value: 'A' }));
    h.engine.chart(charted(T0 - 60_000, { kind: 'oxygen', onOxygen: true }));
    h.feed([vitals(T0, { ...NORMAL, rr: 22, pulse: 95 })]);
    const news2 = h.scores.filter((s) => s.score === 'news2').at(-1)!;
    assert.equal(news2.complete, true);
    // RR 22 → 2, pulse 95 → 1, oxygen → 2 (RCP 2017 chart 1)
    assert.equal(news2.value, 5);
    assert.equal(news2.band, 'medium');
    assert.equal(news2.subscores.respirationRate, 2);
    assert.equal(news2.subscores.airOrOxygen, 2);
    assert.equal(news2.inputs.pulse?.source, PR);
    assert.equal(news2.inputs.consciousness?.source, 'charted');
  });

  it('a parameter older than its validity window makes the score partial, naming it stale', () => {
    const h = new Harness([]);
    h.engine.chart(charted(T0, { kind: 'consciousness', value: 'A' }));
    h.engine.chart(charted(T0, { kind: 'oxygen', onOxygen: false }));
    h.feed([vitals(T0, NORMAL)]);
    // Ten minutes later only the monitor's SpO2 and pulse keep coming: respiration rate is stale (5 min window).
    h.feed([
      record(T0 + 600_000, [
        [SPO2, 97],
        [PR, 70],
      ]),
    ]);
    const news2 = h.scores.filter((s) => s.score === 'news2').at(-1)!;
    assert.equal(news2.complete, false);
    assert.deepEqual(news2.stale, ['respirationRate']);
    assert.equal(news2.subscores.respirationRate, null);
  });

  it('uses SpO2 scale 2 only when charted', () => {
    const h = new Harness([]);
    h.engine.chart(charted(T0, { kind: 'consciousness', value: 'A' }));
    h.engine.chart(charted(T0, { kind: 'oxygen', onOxygen: false }));
    h.feed([vitals(T0, { ...NORMAL, spo2: 89 })]);
    assert.equal(h.scores.filter((s) => s.score === 'news2').at(-1)!.subscores.spo2, 3); // scale 1: ≤ 91 → 3
    h.engine.chart(charted(T0 + 1000, { kind: 'spo2Scale', scale: 2 }));
    h.feed([vitals(T0 + 2000, { ...NORMAL, spo2: 89 })]);
    assert.equal(h.scores.filter((s) => s.score === 'news2').at(-1)!.subscores.spo2, 0); // scale 2 on air: 88–92 → 0
  });

  it('qSOFA and MEWS are scored beside it', () => {
    const h = new Harness([]);
    h.engine.chart(charted(T0, { kind: 'consciousness', value: 'V' }));
    h.feed([vitals(T0, { ...NORMAL, rr: 24, sbp: 95 })]);
    const qsofa = h.scores.filter((s) => s.score === 'qsofa').at(-1)!;
    assert.equal(qsofa.value, 3);
    assert.equal(qsofa.band, 'positive');
    const mews = h.scores.filter((s) => s.score === 'mews').at(-1)!;
    // Subbe: SBP 95 → 1, HR 70 → 0, RR 24 → 2, temp 37 → 0, voice → 1
    assert.equal(mews.value, 4);
    assert.equal(mews.complete, true);
  });

  it('stores a score when it changes and at least every emit interval, not on every reading', () => {
    const h = new Harness([]);
    for (let i = 0; i < 120; i++) h.feed([vitals(T0 + i * 1000, NORMAL)]);
    const news2 = h.scores.filter((s) => s.score === 'news2');
    assert.deepEqual(
      news2.map((s) => s.at - T0),
      [0, 60_000],
    );
  });
});

describe('NEWS2 escalation rules', () => {
  it('raises the band alarm after its delay, and a higher band supersedes it', () => {
    const h = new Harness(DEFAULT_SCORE_RULES);
    h.engine.chart(charted(T0, { kind: 'consciousness', value: 'A' }));
    h.engine.chart(charted(T0, { kind: 'oxygen', onOxygen: false }));
    // NEWS2 5 (RR 22 → 2, SpO2 95 → 1, pulse 95 → 1, temp 38.5 → 1): medium
    for (let i = 0; i <= 60; i++)
      h.feed([vitals(T0 + i * 1000, { ...NORMAL, rr: 22, spo2: 95, pulse: 95, temp: 38.5 })]);
    assert.deepEqual(
      h.types((e) => e.alarm.category === 'score'),
      ['news2.band.medium:raised'],
    );
    const medium = h.events.find((e) => e.alarm.ruleId === 'news2.band.medium')!.alarm;
    assert.equal(medium.priority, 'medium');
    assert.match(medium.message, /NEWS2 5 — urgent response \(key threshold\)/);
    // NEWS2 8 (RR 25 → 3, SpO2 95 → 1, pulse 95 → 1, temp 38.5 → 1, SBP 100 → 2): high
    for (let i = 61; i <= 125; i++) {
      h.feed([vitals(T0 + i * 1000, { rr: 25, spo2: 95, pulse: 95, temp: 38.5, sbp: 100 })]);
    }
    assert.deepEqual(
      h.types((e) => e.alarm.category === 'score'),
      ['news2.band.medium:raised', 'news2.band.high:raised', 'news2.band.medium:resolved'],
    );
  });

  it('does not clear a band alarm because inputs went missing', () => {
    const h = new Harness(DEFAULT_SCORE_RULES);
    h.engine.chart(charted(T0, { kind: 'consciousness', value: 'A' }));
    h.engine.chart(charted(T0, { kind: 'oxygen', onOxygen: false }));
    for (let i = 0; i <= 60; i++)
      h.feed([vitals(T0 + i * 1000, { ...NORMAL, rr: 22, spo2: 95, pulse: 95, temp: 38.5 })]);
    // Only SpO2 keeps coming, normal: the present parameters no longer prove "medium", but nothing proves it is over.
    for (let i = 61; i <= 800; i++) h.feed([record(T0 + i * 1000, [[SPO2, 97]])]);
    assert.deepEqual(
      h.types((e) => e.alarm.category === 'score'),
      ['news2.band.medium:raised'],
    );
  });
});
