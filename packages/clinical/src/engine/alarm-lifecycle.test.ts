import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlarmEvent } from '../alarm.js';
import type { ThresholdRule } from '../alarms/rules.js';
import { ARTIFACT, Harness, IMPLAUSIBLE, record, series, T0 } from '../testing/engine-harness.js';

const HR = 'MDC_ECG_HEART_RATE';
const tachy = (e: AlarmEvent) => e.alarm.ruleId === 'test.tachy';
const TACHY: ThresholdRule = {
  kind: 'threshold',
  id: 'test.tachy',
  label: 'Tachycardia',
  codes: [HR],
  direction: 'atOrAbove',
  limit: 141,
  hysteresis: 5,
  delayMs: 10_000,
  clearDelayMs: 5_000,
  priority: 'high',
  latching: false,
  enabled: true,
  source: 'test',
};

describe('threshold alarms: condition delay, hysteresis, latching', () => {
  it('raises only once the value has held past the limit for the condition delay', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 10, () => 150)); // t = 0 … 9 s: 9 s past the limit
    assert.deepEqual(h.types(), []);
    h.feed(series(HR, T0 + 10_000, 1, () => 150)); // t = 10 s
    assert.deepEqual(h.types(), ['test.tachy:raised']);
    const alarm = h.events[0]!.alarm;
    assert.equal(alarm.onsetAt, T0);
    assert.equal(alarm.raisedAt, T0 + 10_000);
    assert.equal(alarm.priority, 'high');
    assert.equal(alarm.value, 150);
    assert.match(alarm.message, /150 \/min ≥ 141 for 10 s/);
  });

  it('a brief excursion shorter than the delay raises nothing', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 60, (i) => (i % 10 < 8 ? 150 : 120))); // 8 s above, 2 s below, repeated
    assert.deepEqual(h.types(), []);
  });

  it('clears only when back inside by the hysteresis for the clear delay (non-latching resolves)', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 11, () => 150));
    h.feed(series(HR, T0 + 11_000, 30, () => 138)); // below the limit but within 5 of it: held
    assert.deepEqual(h.types(), ['test.tachy:raised']);
    h.feed(series(HR, T0 + 41_000, 5, () => 130)); // clear for 4 s
    assert.deepEqual(h.types(), ['test.tachy:raised']);
    h.feed(series(HR, T0 + 46_000, 1, () => 130)); // clear for 5 s
    assert.deepEqual(h.types(), ['test.tachy:raised', 'test.tachy:resolved']);
    assert.equal(h.events[1]!.alarm.state, 'resolved');
    assert.equal(h.events[1]!.by, 'system');
  });

  it('a latching alarm stays active after its condition ends until acknowledged, then resolves', () => {
    const h = new Harness([{ ...TACHY, latching: true }]);
    h.feed(series(HR, T0, 11, () => 150));
    h.feed(series(HR, T0 + 11_000, 10, () => 100));
    assert.deepEqual(h.types(), ['test.tachy:raised', 'test.tachy:condition-ended']);
    const alarm = h.events[1]!.alarm;
    assert.equal(alarm.state, 'active');
    assert.equal(alarm.conditionActive, false);
    h.engine.acknowledge(alarm.id, 'nurse.jones', T0 + 30_000, 'checked patient');
    assert.deepEqual(h.types().slice(2), ['test.tachy:acknowledged', 'test.tachy:resolved']);
    assert.equal(h.events[3]!.alarm.resolvedBy, 'nurse.jones');
  });

  it('an acknowledged alarm whose condition persists stays acknowledged, and resolves when it ends', () => {
    const h = new Harness([{ ...TACHY, latching: true }]);
    h.feed(series(HR, T0, 11, () => 150));
    const id = h.events[0]!.alarmId;
    h.engine.acknowledge(id, 'nurse.jones', T0 + 11_000, null);
    h.feed(series(HR, T0 + 11_000, 20, () => 150));
    assert.deepEqual(h.types(), ['test.tachy:raised', 'test.tachy:acknowledged']);
    h.feed(series(HR, T0 + 31_000, 6, () => 100));
    assert.deepEqual(h.types().at(-1), 'test.tachy:resolved');
    assert.throws(() => h.engine.acknowledge(id, 'nurse.jones', T0 + 40_000, null), { code: 'CONFLICT' });
  });

  it('an operator resolves a latched alarm whose condition ended, but not one whose condition holds', () => {
    const h = new Harness([{ ...TACHY, latching: true }]);
    h.feed(series(HR, T0, 11, () => 150));
    const id = h.events[0]!.alarmId;
    assert.throws(() => h.engine.resolve(id, 'nurse.jones', T0 + 11_000, null), {
      code: 'CONFLICT',
      message: /condition still holds/,
    });
    assert.deepEqual(h.types(), ['test.tachy:raised']);
    h.feed(series(HR, T0 + 11_000, 10, () => 100));
    h.engine.resolve(id, 'nurse.jones', T0 + 30_000, 'recovered; sensor re-sited');
    assert.deepEqual(h.types().slice(1), ['test.tachy:condition-ended', 'test.tachy:resolved']);
    const resolved = h.events.at(-1)!;
    assert.equal(resolved.by, 'nurse.jones');
    assert.equal(resolved.note, 'recovered; sensor re-sited');
    assert.equal(resolved.alarm.state, 'resolved');
    assert.equal(resolved.alarm.resolvedBy, 'nurse.jones');
    assert.equal(resolved.alarm.acknowledgedBy, null);
    assert.throws(() => h.engine.resolve(id, 'nurse.jones', T0 + 31_000, null), { code: 'CONFLICT' });
  });

  it('the same condition returning while its alarm is open re-activates that alarm (deduplication)', () => {
    const h = new Harness([{ ...TACHY, latching: true }]);
    h.feed(series(HR, T0, 11, () => 150));
    h.feed(series(HR, T0 + 11_000, 6, () => 100)); // condition ends, latched alarm stays active
    h.feed(series(HR, T0 + 17_000, 11, () => 150)); // a second episode before anyone acknowledged
    assert.deepEqual(h.types(), ['test.tachy:raised', 'test.tachy:condition-ended', 'test.tachy:condition-returned']);
    assert.equal(new Set(h.events.map((e) => e.alarmId)).size, 1);
  });

  it('a rule disabled for the patient ends its condition', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 11, () => 150));
    h.rules = [{ ...TACHY, enabled: false }];
    h.engine.rulesChanged(T0 + 12_000);
    assert.deepEqual(h.types(), ['test.tachy:raised', 'test.tachy:resolved']);
  });
});

describe('artifact gating', () => {
  it('readings flagged artifact or implausible never raise a physiological alarm, and raise a technical one', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 30, () => 200, ARTIFACT));
    h.feed(series(HR, T0 + 30_000, 30, () => 300, IMPLAUSIBLE));
    const physiological = h.events.filter((e) => e.alarm.category === 'physiological');
    assert.equal(physiological.length, 0);
    assert.deepEqual(
      h.types((e) => e.alarm.category === 'technical'),
      [`technical.artifact.${HR}:raised`, `technical.implausible.${HR}:raised`],
    );
  });

  it('flagged readings in the middle of an episode do not count towards the delay', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 5, () => 150));
    h.feed(series(HR, T0 + 5_000, 20, () => 150, ARTIFACT));
    // Only 5 valid seconds so far, the next valid reading comes after a 20 s gap (≤ maxGap): the
    // episode still began at T0 (condition persistence is judged on valid readings).
    assert.equal(h.types((e) => e.alarm.category === 'physiological').length, 0);
  });
});

describe('silence and escalation', () => {
  it('escalates an unacknowledged high-priority alarm after the policy delay, again later, not once acknowledged', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 11, () => 150));
    const id = h.events[0]!.alarmId;
    const raisedAt = T0 + 10_000;
    h.engine.tick(raisedAt + 119_000);
    assert.deepEqual(h.types(tachy).slice(1), []);
    h.engine.tick(raisedAt + 120_000);
    assert.deepEqual(h.types(tachy).slice(1), ['test.tachy:escalated']);
    assert.equal(h.events.filter(tachy)[1]!.alarm.escalations, 1);
    h.engine.tick(raisedAt + 180_000);
    assert.deepEqual(h.types(tachy).slice(1), ['test.tachy:escalated']);
    h.engine.tick(raisedAt + 240_000);
    assert.deepEqual(h.types(tachy).slice(1), ['test.tachy:escalated', 'test.tachy:escalated']);
    h.engine.acknowledge(id, 'nurse.jones', raisedAt + 250_000, null);
    h.engine.tick(raisedAt + 600_000);
    assert.deepEqual(h.types(tachy).slice(1), [
      'test.tachy:escalated',
      'test.tachy:escalated',
      'test.tachy:acknowledged',
    ]);
  });

  it('a silence is time-limited, postpones escalation while it lasts, and is refused beyond the maximum', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 11, () => 150));
    const id = h.events[0]!.alarmId;
    const raisedAt = T0 + 10_000;
    assert.throws(() => h.engine.silence(id, 'nurse.jones', raisedAt, 10 * 60_000, null), { code: 'INVALID_INPUT' });
    h.engine.silence(id, 'nurse.jones', raisedAt + 100_000, 60_000, 'turning patient');
    assert.equal(h.events.filter(tachy).at(-1)!.alarm.silencedUntil, raisedAt + 160_000);
    h.engine.tick(raisedAt + 130_000);
    assert.deepEqual(h.types(tachy).slice(1), ['test.tachy:silenced']);
    h.engine.tick(raisedAt + 160_000);
    assert.deepEqual(h.types(tachy).slice(1), ['test.tachy:silenced', 'test.tachy:escalated']);
  });

  it('low and medium priority alarms are not escalated by default', () => {
    const h = new Harness([{ ...TACHY, priority: 'medium' }]);
    h.feed(series(HR, T0, 11, () => 150));
    h.engine.tick(T0 + 3_600_000);
    assert.deepEqual(h.types(tachy), ['test.tachy:raised']);
  });
});

describe('replay and restart', () => {
  it('replaying the same data raises no second alarm (deterministic ids)', () => {
    const h = new Harness([TACHY]);
    const data = series(HR, T0, 40, (i) => (i < 20 ? 150 : 100));
    h.feed(data);
    const before = h.types(tachy);
    h.restart(undefined);
    h.feed(data);
    assert.deepEqual(h.types(tachy), before);
  });

  it('after a restart from saved state mid-episode, the episode goes on under the same alarm', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 15, () => 150));
    const state = h.snapshot();
    h.restart(state);
    h.feed(series(HR, T0 + 15_000, 10, () => 100));
    assert.deepEqual(h.types(tachy), ['test.tachy:raised', 'test.tachy:resolved']);
    assert.equal(h.events[0]!.alarmId, h.events[1]!.alarmId);
  });

  it('a latched alarm that ended and returned after the saved state: the replay adds nothing', () => {
    const h = new Harness([{ ...TACHY, latching: true }]);
    h.feed(series(HR, T0, 12, () => 150)); // raised at 10 s
    const older = h.snapshot();
    const rest = [
      ...series(HR, T0 + 12_000, 6, () => 100), // ends (latched: stays active)
      ...series(HR, T0 + 18_000, 12, () => 150), // returns
      ...series(HR, T0 + 30_000, 6, () => 100), // ends again
    ];
    h.feed(rest);
    const before = h.types();
    assert.deepEqual(before, [
      'test.tachy:raised',
      'test.tachy:condition-ended',
      'test.tachy:condition-returned',
      'test.tachy:condition-ended',
    ]);
    h.restart(older);
    h.feed(rest);
    assert.deepEqual(h.types(), before);
  });

  it('a restart from an older state re-derives what it had already stored and adds nothing', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 5, () => 150));
    const older = h.snapshot();
    const rest = series(HR, T0 + 5_000, 30, (i) => (i < 10 ? 150 : 100));
    h.feed(rest);
    const before = h.types(tachy);
    h.restart(older);
    h.feed(rest);
    assert.deepEqual(h.types(tachy), before);
  });
});

describe('spot measurements', () => {
  const SBP = 'MDC_PRESS_BLD_NONINV_SYS';
  const LOW_BP: ThresholdRule = {
    ...TACHY,
    id: 'test.low-bp',
    codes: [SBP],
    direction: 'atOrBelow',
    limit: 90,
    hysteresis: 1,
  };
  it('a parameter sampled less often than the delays (NIBP every 5 min) raises and clears on one sample', () => {
    const h = new Harness([LOW_BP]);
    const nibp = (minute: number, value: number) => record(T0 + minute * 60_000, [[SBP, value]]);
    h.feed([nibp(0, 120), nibp(5, 110), nibp(10, 88)]);
    assert.deepEqual(h.types(), ['test.low-bp:raised']);
    assert.match(h.events[0]!.alarm.message, /88 \/min ≤ 90 \(spot measurement\)/);
    h.feed([nibp(15, 89), nibp(20, 100)]);
    assert.deepEqual(h.types(), ['test.low-bp:raised', 'test.low-bp:resolved']);
  });

  it('a continuous stream resuming after a gap is not a spot measurement', () => {
    const h = new Harness([TACHY]);
    h.feed(series(HR, T0, 10, () => 100));
    h.feed(series(HR, T0 + 60_000, 5, () => 150)); // back after a 50 s gap, 5 s past the limit
    assert.deepEqual(h.types(tachy), []);
  });
});
