import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AlarmHistory,
  chartedRows,
  chartedText,
  isRefusal,
  News2History,
  news2Row,
  problemsByField,
  type ApiAlarmRecord,
  type ApiScoreRecord,
} from './patient.js';

const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
const at = (ms: number) => new Date(ms).toISOString();

/** A complete NEWS2 of 5 as the engine stores it (RR 22 → 2, SpO₂ 95 → 1, on O₂ → 2, the rest 0). */
const news2 = (atMs: number, more: Partial<ApiScoreRecord> = {}): ApiScoreRecord => ({
  patientId: 'p1',
  score: 'news2',
  at: at(atMs),
  value: 5,
  complete: true,
  band: 'medium',
  missing: [],
  stale: [],
  subscores: {
    respirationRate: 2,
    spo2: 1,
    airOrOxygen: 2,
    systolicBP: 0,
    pulse: 0,
    consciousness: 0,
    temperature: 0,
  },
  inputs: {
    respirationRate: { value: 22, source: 'MDC_RESP_RATE' },
    spo2: { value: 95, source: 'MDC_PULS_OXIM_SAT_O2' },
    oxygen: { value: true, source: 'charted' },
    systolicBP: { value: 121, source: 'MDC_PRESS_BLD_NONINV_SYS' },
    pulse: { value: 88, source: 'MDC_ECG_HEART_RATE' },
    consciousness: { value: 'A', source: 'charted' },
    temperature: { value: 37, source: 'MDC_TEMP_BODY' },
  },
  ...more,
});

const alarm = (id: string, more: Partial<ApiAlarmRecord> = {}): ApiAlarmRecord => ({
  id,
  ruleId: 'vitals.spo2-low',
  category: 'physiological',
  patientId: 'p1',
  priority: 'medium',
  state: 'active',
  message: `alarm ${id}`,
  raisedAt: at(T0),
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  version: 1,
  ...more,
});

describe('NEWS2 history rows', () => {
  it('gives each parameter of chart 1, in its order, its points and the value that gave them', () => {
    const row = news2Row(news2(T0));
    assert.equal(row.atMs, T0);
    assert.deepEqual(
      row.cells.map((c) => [c.param, c.points, c.text]),
      [
        ['respirationRate', 2, '22 /min'],
        ['spo2', 1, '95 %'],
        ['airOrOxygen', 2, 'O₂'],
        ['systolicBP', 0, '121 mmHg'],
        ['pulse', 0, '88 /min'],
        ['consciousness', 0, 'A'],
        ['temperature', 0, '37.0 °C'],
      ],
    );
  });

  it('says why an incomplete score lacks a parameter, and marks SpO₂ scale 2', () => {
    const { consciousness: _c, temperature: _t, ...inputs } = news2(T0).inputs;
    const row = news2Row(
      news2(T0, {
        complete: false,
        band: null,
        missing: ['consciousness'],
        stale: ['temperature'],
        subscores: { ...news2(T0).subscores, consciousness: null, temperature: null },
        inputs: { ...inputs, spo2Scale: { value: 2, source: 'charted' } },
      }),
    );
    const cell = (param: string) => row.cells.find((c) => c.param === param);
    assert.equal(row.complete, false);
    assert.deepEqual(cell('consciousness'), { param: 'consciousness', points: null, text: 'missing' });
    assert.deepEqual(cell('temperature'), { param: 'temperature', points: null, text: 'stale' });
    assert.equal(cell('spo2')?.text, '95 % (scale 2)');
  });

  it('keeps NEWS2 only, newest first, one row per instant (a later copy wins)', () => {
    const history = new News2History();
    assert.equal(history.rows().length, 0);
    assert.equal(history.add([news2(T0), news2(T0 + 60_000), { ...news2(T0 + 120_000), score: 'mews' }]), true);
    assert.equal(history.add([news2(T0 + 60_000, { value: 8, band: 'high' })]), true);
    assert.equal(history.add([{ ...news2(T0), score: 'qsofa' }]), false);
    assert.deepEqual(
      history.rows().map((r) => [r.atMs - T0, r.value]),
      [
        [60_000, 8],
        [0, 5],
      ],
    );
    assert.equal(history.latest?.band, 'high');
    assert.equal(new News2History().latest, undefined);
    assert.equal(history.rows(1).length, 1);
  });
});

describe('alarm history', () => {
  it('lists the patient’s alarms newest raised first, with who acknowledged and resolved them and when', () => {
    const history = new AlarmHistory('p1');
    history.apply([
      alarm('a1', {
        state: 'resolved',
        acknowledgedAt: at(T0 + 10_000),
        acknowledgedBy: 'nurse.kim',
        resolvedAt: at(T0 + 20_000),
        resolvedBy: 'system',
        version: 3,
      }),
      alarm('a2', { raisedAt: at(T0 + 30_000), priority: 'high', category: 'technical' }),
      alarm('other', { patientId: 'p2' }),
    ]);
    const rows = history.rows();
    assert.deepEqual(
      rows.map((r) => r.id),
      ['a2', 'a1'],
    );
    const [newest, older] = rows;
    assert.ok(newest !== undefined && older !== undefined);
    assert.deepEqual(older.acknowledged, { by: 'nurse.kim', atMs: T0 + 10_000 });
    assert.deepEqual(older.resolved, { by: 'system', atMs: T0 + 20_000 });
    assert.equal(newest.acknowledged, undefined);
    assert.equal(newest.technical, true);
  });

  it('applies live changes by version: an older event never undoes a newer state', () => {
    const history = new AlarmHistory('p1');
    history.apply([alarm('a1')]);
    assert.equal(
      history.apply([
        alarm('a1', { state: 'acknowledged', version: 2, acknowledgedBy: 'nurse.kim', acknowledgedAt: at(T0 + 5_000) }),
      ]),
      true,
    );
    assert.equal(history.apply([alarm('a1', { version: 1 })]), false);
    assert.equal(history.rows()[0]?.state, 'acknowledged');
  });

  it('names the open ECG rhythm alarms, highest priority first', () => {
    const history = new AlarmHistory('p1');
    history.apply([
      alarm('r1', { ruleId: 'ecg.irregular', message: 'Irregular rhythm (AF suspected)' }),
      alarm('r2', { ruleId: 'ecg.asystole', priority: 'high', message: 'Asystole: no QRS' }),
      alarm('r3', { ruleId: 'ecg.tachycardia', state: 'resolved', message: 'Extreme tachycardia' }),
      alarm('v1', { ruleId: 'vitals.spo2-low' }),
    ]);
    assert.deepEqual(history.rhythmFlags(), ['Asystole: no QRS', 'Irregular rhythm (AF suspected)']);
  });
});

describe('charted observations', () => {
  it('says what each records', () => {
    const base = { id: 'o', observedAt: at(T0), recordedBy: 'nurse.kim' };
    assert.equal(chartedText({ ...base, kind: 'consciousness', value: 'V' }), 'Consciousness V (Responds to voice)');
    assert.equal(chartedText({ ...base, kind: 'oxygen', onOxygen: true }), 'On supplemental oxygen');
    assert.equal(chartedText({ ...base, kind: 'oxygen', onOxygen: false }), 'On air');
    assert.equal(chartedText({ ...base, kind: 'spo2Scale', scale: 2 }), 'SpO₂ scale 2');
  });

  it('lists them newest first, each once', () => {
    const o = (id: string, ms: number) => ({
      id,
      kind: 'oxygen',
      onOxygen: false,
      observedAt: at(ms),
      recordedBy: 'x',
    });
    assert.deepEqual(
      chartedRows([o('a', T0), o('b', T0 + 1_000), o('a', T0)]).map((r) => r.id),
      ['b', 'a'],
    );
  });
});

describe('problems and refusals', () => {
  it('puts each problem next to the form field it names, the rest on the form', () => {
    const byField = problemsByField(
      {
        status: 422,
        detail: 'value: required; recordedBy: must be the authenticated user',
        errors: [
          { name: 'value', reason: 'required, one of A, C, V, P, U (ACVPU)' },
          { name: 'recordedBy', reason: 'must be the authenticated user, "nurse.kim"' },
        ],
      },
      (name) => (name === 'value' ? 'consciousness' : undefined),
    );
    assert.deepEqual(byField.get('consciousness'), ['value: required, one of A, C, V, P, U (ACVPU)']);
    assert.deepEqual(byField.get(''), ['recordedBy: must be the authenticated user, "nurse.kim"']);
  });

  it('shows the detail of a problem that names no field', () => {
    const byField = problemsByField({ status: 403, detail: 'not your ward' }, () => 'x');
    assert.deepEqual([...byField], [['', ['not your ward']]]);
  });

  it('treats 403 and 404 alike: the view says no more than "you may not see this patient"', () => {
    assert.equal(isRefusal(403), true);
    assert.equal(isRefusal(404), true);
    assert.equal(isRefusal(500), false);
    assert.equal(isRefusal(401), false);
  });
});
