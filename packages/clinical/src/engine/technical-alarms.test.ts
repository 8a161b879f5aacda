import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QualityFlag } from '@wardstream/domain';
import { Harness, record, series, T0 } from '../testing/engine-harness.js';

const SPO2 = 'MDC_PULS_OXIM_SAT_O2';
const HR = 'MDC_ECG_HEART_RATE';

describe('technical alarms', () => {
  it('communication failure: a device that goes silent raises one alarm, and its return resolves it', () => {
    const h = new Harness([]);
    h.feed(series(SPO2, T0, 10, () => 97));
    h.engine.tick(T0 + 9_000 + 30_000);
    assert.deepEqual(h.types(), []);
    h.engine.tick(T0 + 9_000 + 30_001);
    assert.deepEqual(h.types(), ['technical.communication:raised']);
    const alarm = h.events[0]!.alarm;
    assert.equal(alarm.category, 'technical');
    assert.equal(alarm.deviceId, 'monitor-1');
    assert.match(alarm.message, /No data from monitor-1 for 30 s/);
    h.engine.tick(T0 + 60_000);
    assert.equal(h.events.length, 1, 'raised once while it lasts, with no per-parameter alarms on top');
    h.feed(series(SPO2, T0 + 70_000, 1, () => 97));
    assert.deepEqual(h.types(), ['technical.communication:raised', 'technical.communication:resolved']);
  });

  it('stale parameter: SpO2 stopping while the ECG goes on raises a stale alarm for SpO2 only', () => {
    const h = new Harness([]);
    for (let i = 0; i < 60; i++) {
      const readings: [string, number][] =
        i < 20
          ? [
              [HR, 70],
              [SPO2, 97],
            ]
          : [[HR, 70]];
      h.feed([record(T0 + i * 1000, readings)]);
      h.engine.tick(T0 + i * 1000);
    }
    assert.deepEqual(h.types(), [`technical.stale.${SPO2}:raised`]);
    assert.equal(h.events[0]!.alarm.raisedAt, T0 + 50_000, '30 s after the last SpO2 at 19 s');
    assert.match(h.events[0]!.alarm.message, /sensor off or failed/);
  });

  it('stale parameter adapts to one that normally comes seldom (NIBP every 15 min), and needs two readings', () => {
    const h = new Harness([]);
    const sbp = 'MDC_PRESS_BLD_NONINV_SYS';
    const at = (s: number) => T0 + s * 1000;
    for (let s = 0; s <= 4 * 3600; s += 5) {
      const readings: [string, number][] =
        s % 900 === 0 && s <= 2700
          ? [
              [HR, 70],
              [sbp, 120],
            ]
          : [[HR, 70]];
      h.feed([record(at(s), readings)]);
      h.engine.tick(at(s));
    }
    // Last NIBP at 2700 s; usual interval 900 s → stale after 2700 s more, i.e. at 5400 s.
    assert.deepEqual(h.types(), [`technical.stale.${sbp}:raised`]);
    assert.equal(h.events[0]!.alarm.raisedAt, at(5405));
  });

  it('an unassigned device raises no stale-data alarm; a restart is not an outage', () => {
    const h = new Harness([]);
    h.feed([record(T0, [[SPO2, 97]], { patient: null })]);
    h.engine.tick(T0 + 3_600_000);
    assert.deepEqual(h.types(), []);
    const bound = new Harness([]);
    bound.feed([record(T0, [[SPO2, 97]])]);
    bound.restart(bound.engine.state(), T0 + 3_600_000);
    bound.engine.tick(T0 + 3_600_000 + 10_000);
    assert.deepEqual(bound.types(), []);
  });

  it('low battery raises once and clears when charged', () => {
    const h = new Harness([]);
    h.feed([record(T0, [[SPO2, 97]], { battery: 0.5 })]);
    h.feed([record(T0 + 1000, [[SPO2, 97]], { battery: 0.08 })]);
    h.feed([record(T0 + 2000, [[SPO2, 97]], { battery: 0.07 })]);
    h.feed([record(T0 + 3000, [[SPO2, 97]], { battery: 0.9 })]);
    assert.deepEqual(h.types(), ['technical.battery-low:raised', 'technical.battery-low:resolved']);
    assert.equal(h.events[0]!.alarm.value, 0.08);
  });

  it('clock skew raises a technical alarm; the readings still count, placed at receipt time', () => {
    const h = new Harness([
      {
        kind: 'threshold',
        id: 'tachy',
        label: 'Tachycardia',
        codes: [HR],
        direction: 'atOrAbove',
        limit: 141,
        hysteresis: 1,
        delayMs: 5_000,
        clearDelayMs: 0,
        priority: 'high',
        latching: false,
        enabled: true,
        source: 'test',
      },
    ]);
    const skewed = Array.from({ length: 6 }, (_, i) =>
      // The device's clock is a day behind: observedAt is useless, receivedAt is now.
      record(T0 - 86_400_000 + i * 1000, [[HR, 150, QualityFlag.clockSkew]], { receivedAt: T0 + i * 1000 }),
    );
    h.feed(skewed);
    assert.deepEqual(h.types(), ['technical.clock-skew:raised', 'tachy:raised']);
    assert.equal(h.events[1]!.alarm.raisedAt, T0 + 5000);
  });

  it('a quality alarm clears once flagged data has stopped for the clear time', () => {
    const h = new Harness([]);
    h.feed(series(SPO2, T0, 5, () => 97, QualityFlag.artifact));
    h.feed(series(SPO2, T0 + 5_000, 60, () => 97));
    h.engine.tick(T0 + 4_000 + 29_000);
    assert.deepEqual(h.types(), [`technical.artifact.${SPO2}:raised`]);
    h.engine.tick(T0 + 4_000 + 30_000);
    assert.deepEqual(h.types(), [`technical.artifact.${SPO2}:raised`, `technical.artifact.${SPO2}:resolved`]);
  });

  it('an outside condition (a failing webhook) is raised once and ends', () => {
    const h = new Harness([]);
    const condition = {
      subject: 'webhook:pager',
      ruleId: 'technical.webhook-failing',
      message: 'x',
      priority: 'high' as const,
      details: {},
    };
    const id = h.engine.raiseExternal(condition, T0);
    assert.equal(h.engine.raiseExternal(condition, T0 + 1000), id);
    h.engine.endExternal('webhook:pager', 'technical.webhook-failing', T0 + 2000);
    assert.deepEqual(h.types(), ['technical.webhook-failing:raised', 'technical.webhook-failing:resolved']);
  });
});

describe('anomaly alarms', () => {
  it('a step away from the patient baseline raises an anomaly alarm that says which parameter, how far, versus what', () => {
    const h = new Harness([]);
    const noise = (i: number) => [0, 1, -1, 2, -2, 1, 0, -1][i % 8]!;
    h.feed(series('MDC_PULS_OXIM_PULS_RATE', T0, 3600, (i) => 72 + noise(i)));
    assert.deepEqual(h.types(), []);
    h.feed(series('MDC_PULS_OXIM_PULS_RATE', T0 + 3_600_000, 180, (i) => 100 + noise(i)));
    const anomalies = h.events.filter((e) => e.alarm.category === 'anomaly').map((e) => e.alarm);
    // One alarm for the level change (a trend alarm may follow once the step spans the trend window).
    assert.ok(anomalies.some((a) => a.ruleId === 'anomaly.level.MDC_PULS_OXIM_PULS_RATE'));
    assert.ok(anomalies.every((a) => a.parameter === 'MDC_PULS_OXIM_PULS_RATE'));
    const alarm = anomalies.find((a) => a.ruleId.startsWith('anomaly.level'))!;
    assert.equal(alarm.category, 'anomaly');
    assert.equal(alarm.raisedAt, T0 + 3_660_000, 'evaluated when the first minute after the step closes');
    assert.match(alarm.message, /above the patient's baseline of 72/);
    assert.equal(alarm.details.baselineCenter, 72);
  });
});
