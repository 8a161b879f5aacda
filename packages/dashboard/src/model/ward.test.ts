import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SCORE_POLICY } from '@wardstream/clinical';
import {
  formatAge,
  NIBP_STALE_AFTER_MS,
  STALE_AFTER_MS,
  TEMPERATURE_STALE_AFTER_MS,
  WardModel,
  type ApiAlarm,
  type ApiReading,
} from './ward.js';

const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
const at = (ms: number) => new Date(ms).toISOString();
const reading = (patientId: string, code: string, value: number, ms: number, unit = '/min'): ApiReading => ({
  patientId,
  code,
  value,
  unit,
  observedAt: at(ms),
});

const alarm = (
  id: string,
  patientId: string,
  priority: ApiAlarm['priority'],
  more: Partial<ApiAlarm> = {},
): ApiAlarm => ({
  id,
  category: 'physiological',
  patientId,
  priority,
  state: 'active',
  message: `${priority} alarm ${id}`,
  raisedAt: at(T0),
  version: 1,
  ...more,
});

function ward(): WardModel {
  const model = new WardModel();
  model.setLatest({
    wardId: 'w',
    patients: [
      { id: 'p2', displayName: 'Bea', readings: [reading('p2', 'MDC_ECG_HEART_RATE', 70, T0)] },
      { id: 'p1', displayName: 'Ann', readings: [] },
      { id: 'p3', displayName: null, readings: [] },
    ],
  });
  return model;
}

describe('ward model', () => {
  it('shows each vital with its unit and age; past the threshold it is stale, never current', () => {
    const model = ward();
    const hr = (now: number) =>
      model
        .view(now)
        .find((p) => p.id === 'p2')
        ?.vitals.find((v) => v.key === 'hr');
    assert.deepEqual(hr(T0 + 5000), {
      key: 'hr',
      label: 'HR',
      kind: 'current',
      text: '70',
      unit: '/min',
      observedAtMs: T0,
      ageMs: 5000,
    });
    assert.equal(hr(T0 + STALE_AFTER_MS)?.kind, 'current');
    assert.equal(hr(T0 + STALE_AFTER_MS + 1)?.kind, 'stale');
    assert.equal(model.view(T0)[0]?.vitals.find((v) => v.key === 'spo2')?.kind, 'missing');
  });

  it('marks the whole tile stale when no value is current, and says how old the newest is', () => {
    const model = ward();
    model.applyReadings([reading('p2', 'MDC_PULS_OXIM_SAT_O2', 97, T0 + 10_000, '%')]);
    const p = (now: number) => model.view(now).find((v) => v.id === 'p2');
    assert.equal(p(T0 + STALE_AFTER_MS)?.data, 'current');
    // HR is stale, SpO2 is not yet: the tile is still current.
    assert.equal(p(T0 + STALE_AFTER_MS + 5_000)?.data, 'current');
    const later = p(T0 + STALE_AFTER_MS + 10_001);
    assert.equal(later?.data, 'stale');
    assert.equal(later.newestAgeMs, STALE_AFTER_MS + 1);
    assert.equal(model.view(T0).find((v) => v.id === 'p1')?.data, 'none');
    assert.equal(model.view(T0).find((v) => v.id === 'p1')?.newestAgeMs, undefined);
  });

  it('keeps spot measurements (NIBP, temperature) current for their validity, yet says when the monitor stopped', () => {
    const model = new WardModel();
    model.setLatest({
      wardId: 'w',
      patients: [
        {
          id: 'p',
          displayName: 'Pat',
          readings: [
            reading('p', 'MDC_ECG_HEART_RATE', 80, T0),
            reading('p', 'MDC_PRESS_BLD_NONINV_SYS', 120, T0, 'mm[Hg]'),
            reading('p', 'MDC_PRESS_BLD_NONINV_DIA', 80, T0, 'mm[Hg]'),
            reading('p', 'MDC_TEMP_BODY', 37, T0, 'Cel'),
          ],
        },
        { id: 'spot', displayName: 'Spot only', readings: [reading('spot', 'MDC_TEMP_BODY', 37, T0, 'Cel')] },
      ],
    });
    const at = (now: number, id = 'p') => model.view(now).find((v) => v.id === id);
    const kind = (now: number, key: string) => at(now)?.vitals.find((v) => v.key === key)?.kind;
    const later = T0 + 20 * 60_000;
    assert.deepEqual(
      ['hr', 'nibp', 'temp'].map((k) => kind(later, k)),
      ['stale', 'current', 'current'],
    );
    // The monitor's continuous values stopped: the tile says so, though the blood pressure is still valid.
    assert.equal(at(later)?.data, 'stale');
    assert.equal(kind(T0 + NIBP_STALE_AFTER_MS + 1, 'nibp'), 'stale');
    assert.equal(kind(T0 + NIBP_STALE_AFTER_MS + 1, 'temp'), 'current');
    assert.equal(kind(T0 + TEMPERATURE_STALE_AFTER_MS + 1, 'temp'), 'stale');
    // A patient with spot measurements only is current while one of them is.
    assert.equal(at(later, 'spot')?.data, 'current');
    assert.equal(at(T0 + TEMPERATURE_STALE_AFTER_MS + 1, 'spot')?.data, 'stale');
  });

  it("holds the spot measurements' stale limits equal to the clinical engine's NEWS2 validity windows", () => {
    assert.equal(NIBP_STALE_AFTER_MS, DEFAULT_SCORE_POLICY.validityMs.systolicBP);
    assert.equal(TEMPERATURE_STALE_AFTER_MS, DEFAULT_SCORE_POLICY.validityMs.temperature);
  });

  it('keeps the newest value, ignores patients off the census, joins blood pressure as its oldest part', () => {
    const model = ward();
    model.applyReadings([
      reading('p2', 'MDC_ECG_HEART_RATE', 90, T0 + 2000),
      reading('p2', 'MDC_ECG_HEART_RATE', 60, T0 + 1000),
      reading('px', 'MDC_ECG_HEART_RATE', 50, T0 + 3000),
      reading('p1', 'MDC_PRESS_BLD_NONINV_SYS', 120, T0 + 1000, 'mm[Hg]'),
      reading('p1', 'MDC_PRESS_BLD_NONINV_DIA', 80, T0, 'mm[Hg]'),
      reading('p1', 'MDC_TEMP_BODY', 37.25, T0, 'Cel'),
    ]);
    const view = model.view(T0 + 3000);
    assert.ok(view.every((p) => p.vitals.length === 6));
    const p2hr = view.find((p) => p.id === 'p2')?.vitals[0];
    assert.ok(p2hr?.kind === 'current' && p2hr.text === '90');
    const [nibp, temp] = ['nibp', 'temp'].map((k) => view.find((p) => p.id === 'p1')?.vitals.find((v) => v.key === k));
    assert.ok(nibp?.kind === 'current' && nibp.text === '120/80' && nibp.unit === 'mmHg' && nibp.ageMs === 3000);
    assert.ok(temp?.kind === 'current' && temp.text === '37.3' && temp.unit === '°C');
    assert.deepEqual(model.patientIds.sort(), ['p1', 'p2', 'p3']);
  });

  it('puts the sickest first by NEWS2, then those without a score, each by name', () => {
    const model = ward();
    assert.deepEqual(
      model.view(T0).map((p) => p.name),
      ['Ann', 'Bea', 'p3'],
    );
    const score = { score: 'news2', at: at(T0), complete: true, band: 'medium' };
    model.applyScore({ ...score, patientId: 'p3', value: 5 });
    model.applyScore({ ...score, patientId: 'p2', value: 1, band: 'low' });
    model.applyScore({ ...score, patientId: 'p1', value: 9, score: 'mews' });
    assert.deepEqual(
      model.view(T0).map((p) => [p.name, p.news2?.value]),
      [
        ['p3', 5],
        ['Bea', 1],
        ['Ann', undefined],
      ],
    );
    // An older score never replaces a newer one.
    model.applyScore({ ...score, patientId: 'p3', value: 0, at: at(T0 - 1000) });
    assert.equal(model.view(T0)[0]?.news2?.value, 5);
  });

  it('puts the highest active alarm priority first, then NEWS2; acknowledged alarms do not rank', () => {
    const model = ward();
    const score = { score: 'news2', at: at(T0), complete: true, band: 'high' };
    model.applyScore({ ...score, patientId: 'p3', value: 9 });
    model.applyScore({ ...score, patientId: 'p2', value: 2, band: 'low' });
    model.setAlarms([
      alarm('a1', 'p1', 'low'),
      alarm('a2', 'p2', 'low'),
      alarm('a3', 'p3', 'high', { state: 'acknowledged' }),
    ]);
    // p1 and p2 tie on low: NEWS2 decides (p2 has 2, p1 none); p3's acknowledged high does not rank.
    const order = () => model.view(T0).map((p) => [p.id, p.alarmPriority]);
    assert.deepEqual(order(), [
      ['p2', 'low'],
      ['p1', 'low'],
      ['p3', undefined],
    ]);
    model.applyAlarm(alarm('a4', 'p1', 'medium', { raisedAt: at(T0 + 1000) }));
    assert.deepEqual(order()[0], ['p1', 'medium']);
    model.applyAlarm(alarm('a5', 'p3', 'high', { category: 'technical' }));
    assert.deepEqual(order(), [
      ['p3', 'high'],
      ['p1', 'medium'],
      ['p2', 'low'],
    ]);
    // A tile's alarms: active first, then by priority, newest first; technical ones marked.
    assert.deepEqual(
      model.view(T0)[0]?.alarms.map((a) => [a.id, a.state, a.technical]),
      [
        ['a5', 'active', true],
        ['a3', 'acknowledged', false],
      ],
    );
    assert.deepEqual(
      model.view(T0)[1]?.alarms.map((a) => a.id),
      ['a4', 'a1'],
    );
  });

  it('closes resolved alarms, ignores older versions, and drops alarms no longer open on a re-read', () => {
    const model = ward();
    model.applyAlarm(alarm('a1', 'p1', 'high', { version: 3 }));
    model.applyAlarm(alarm('a1', 'p1', 'low', { version: 2 }));
    assert.equal(model.view(T0)[0]?.alarmPriority, 'high');
    model.applyAlarm(alarm('a1', 'p1', 'high', { version: 4, state: 'resolved' }));
    model.applyAlarm(alarm('a1', 'p1', 'high', { version: 3 }));
    assert.deepEqual(model.view(T0).find((p) => p.id === 'p1')?.alarms, []);
    model.applyAlarm(alarm('a2', 'p2', 'medium'));
    model.setAlarms([alarm('a3', 'p3', 'low')]);
    assert.deepEqual(
      model.view(T0).map((p) => [p.id, p.alarms.map((a) => a.id)]),
      [
        ['p3', ['a3']],
        ['p1', []],
        ['p2', []],
      ],
    );
  });

  it('drops patients who left the ward when the census is read again', () => {
    const model = ward();
    model.setLatest({ wardId: 'w', patients: [{ id: 'p1', displayName: 'Ann', readings: [] }] });
    assert.deepEqual(model.patientIds, ['p1']);
  });

  it('formats ages in the largest whole unit', () => {
    assert.deepEqual([0, 59_999, 60_000, 3_599_999, 3_600_000, 86_400_000, -5].map(formatAge), [
      '0 s',
      '59 s',
      '1 min',
      '59 min',
      '1 h',
      '1 d',
      '0 s',
    ]);
  });
});
