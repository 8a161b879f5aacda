import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QualityFlag } from '@wardstream/domain';
import { Harness, record, series, T0 } from '../testing/engine-harness.js';

const SPO2 = 'MDC_PULS_OXIM_SAT_O2';
const HR = 'MDC_ECG_HEART_RATE';

describe('technical alarms', () => {
  it('stale data: a parameter that stops arriving raises communication failure, and its return resolves it', () => {
    const h = new Harness([]);
    h.feed(series(SPO2, T0, 10, () => 97));
    h.engine.tick(T0 + 9_000 + 30_000);
    assert.deepEqual(h.types(), []);
    h.engine.tick(T0 + 9_000 + 30_001);
    assert.deepEqual(h.types(), [`technical.stale.${SPO2}:raised`]);
    const alarm = h.events[0]!.alarm;
    assert.equal(alarm.category, 'technical');
    assert.equal(alarm.deviceId, 'monitor-1');
    assert.match(alarm.message, /No MDC_PULS_OXIM_SAT_O2 from monitor-1/);
    h.engine.tick(T0 + 60_000);
    assert.equal(h.events.length, 1, 'raised once while it lasts');
    h.feed(series(SPO2, T0 + 70_000, 1, () => 97));
    assert.deepEqual(h.types(), [`technical.stale.${SPO2}:raised`, `technical.stale.${SPO2}:resolved`]);
  });

  it('stale data adapts to a parameter that normally comes seldom (e.g. NIBP every 15 min)', () => {
    const h = new Harness([]);
    const sbp = 'MDC_PRESS_BLD_NONINV_SYS';
    for (let i = 0; i < 4; i++) h.feed([record(T0 + i * 900_000, [[sbp, 120]])]);
    h.engine.tick(T0 + 3 * 900_000 + 1_800_000);
    assert.deepEqual(h.types(), []);
    h.engine.tick(T0 + 3 * 900_000 + 2_700_001);
    assert.deepEqual(h.types(), [`technical.stale.${sbp}:raised`]);
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
    // A step is both a level change and (over the trend window) a trend: one alarm each, no more.
    assert.deepEqual(anomalies.map((a) => a.ruleId).sort(), [
      'anomaly.level.MDC_PULS_OXIM_PULS_RATE',
      'anomaly.trend.MDC_PULS_OXIM_PULS_RATE',
    ]);
    const alarm = anomalies.find((a) => a.ruleId.startsWith('anomaly.level'))!;
    assert.equal(alarm.category, 'anomaly');
    assert.equal(alarm.raisedAt, T0 + 3_660_000, 'evaluated when the first minute after the step closes');
    assert.match(alarm.message, /above the patient's baseline of 72/);
    assert.equal(alarm.details.baselineCenter, 72);
  });
});
