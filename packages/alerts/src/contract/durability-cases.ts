import assert from 'node:assert/strict';
import { deviceId } from '@wardstream/domain';
import type { RuleScope } from '@wardstream/clinical';
import {
  alarmFixture,
  alarmHistory,
  bandRuleFixture,
  chartedFixture,
  partialScoreFixture,
  scoreFixture,
  T0,
  thresholdRuleFixture,
} from './fixtures.js';
import type { CaseRunner } from './session.js';

const WARD: RuleScope = { kind: 'ward', wardId: 'w-4' };

/** Close and reopen, and the JSON round trip of every field (checked before and after a reopen). */
export function durabilityCases(test: CaseRunner): void {
  test(
    'keeps everything across close and reopen, and carries on from it',
    async (session) => {
      const events = alarmHistory(alarmFixture(), ['raised', 'acknowledged']);
      for (const event of events) session.store.recordAlarmEvent(event);
      session.store.appendScore(scoreFixture());
      session.store.addChartedObservation(chartedFixture());
      const rules = session.store.putRuleSet(WARD, [thresholdRuleFixture()], 'admin.lee', T0);
      const audit = session.store.appendAudit({
        at: T0,
        actor: 'admin.lee',
        action: 'rules.put',
        subject: 'ward:w-4',
        details: {},
      });
      const checkpoint = { offsets: { 0: 3 }, state: { open: ['alarm-1'] }, savedAt: T0 };
      session.store.saveCheckpoint(checkpoint);

      const store = await session.reopen();
      assert.deepEqual(store.getAlarm('alarm-1'), events[1]!.alarm);
      assert.deepEqual(store.alarmEvents('alarm-1'), events);
      assert.deepEqual(store.openAlarms(), [events[1]!.alarm]);
      assert.deepEqual(store.latestScores('p-1'), [scoreFixture()]);
      assert.deepEqual(store.chartedObservations('p-1', T0, T0 + 1), [chartedFixture()]);
      assert.deepEqual(store.getRuleSet(WARD), rules);
      assert.deepEqual(store.audit({ limit: 10 }), [audit]);
      assert.deepEqual(store.loadCheckpoint(), checkpoint);

      assert.equal(store.recordAlarmEvent(events[0]!), false, 'an event id stays known');
      assert.equal(store.addChartedObservation(chartedFixture()), false, 'a charted id stays known');
      assert.equal(store.putRuleSet(WARD, [], 'admin.kim', T0 + 1, 1).version, 2);
      const { seq, ...next } = audit;
      assert.equal(store.appendAudit({ ...next, at: T0 + 1 }).seq, seq + 1, 'seqs continue');
    },
    { needsReopen: true },
  );

  test('round-trips every field of alarms and events: nulls, numbers, nested details', async (session) => {
    const bare = alarmFixture({
      id: 'bare',
      category: 'technical',
      patientId: null,
      deviceId: deviceId('mon-7'),
      parameter: null,
      value: null,
      limit: null,
      details: {},
      priority: 'low',
      latching: true,
    });
    const details = {
      source: 'local policy: ward 4',
      subscores: { pulse: 3, spo2: null },
      flags: ['implausible', 'artifact'],
      nested: { deep: { zero: 0, negative: -1.5, yes: true, no: false, text: 'Puls ≥ 131 /min — “ok”' } },
    };
    const full = alarmHistory(alarmFixture({ id: 'full', details, value: 0, limit: -0.5 }), [
      'raised',
      'silenced',
      'escalated',
      'acknowledged',
      'condition-ended',
      'condition-returned',
      'condition-ended',
      'resolved',
    ]).map((e, i) => (i === 3 ? { ...e, note: 'seen, calling the doctor' } : e));
    const bareEvents = alarmHistory(bare, ['raised']);
    for (const event of [...full, ...bareEvents]) session.store.recordAlarmEvent(event);
    const resolved = full.at(-1)!.alarm;
    assert.equal(resolved.silencedUntil !== null && resolved.acknowledgedAt !== null, true, 'every field is set');
    await session.checkNowAndAfterReopen((store) => {
      assert.deepEqual(store.getAlarm('full'), resolved);
      assert.deepEqual(store.alarmEvents('full'), full);
      assert.deepEqual(store.getAlarm('bare'), bareEvents[0]!.alarm);
      assert.deepEqual(store.alarmEvents('bare'), bareEvents);
    });
  });

  test('round-trips scores, charted observations, rules, audit details and checkpoints', async (session) => {
    const complete = scoreFixture();
    const partial = partialScoreFixture({ score: 'mews', at: T0 + 1 });
    const charted = [
      chartedFixture({ id: 'c1', observation: { kind: 'consciousness', value: 'C' } }),
      chartedFixture({ id: 'c2', observation: { kind: 'oxygen', onOxygen: false }, observedAt: T0 + 1 }),
      chartedFixture({ id: 'c3', observation: { kind: 'spo2Scale', scale: 1 }, observedAt: T0 + 2 }),
      chartedFixture({
        id: 'c4',
        observation: { kind: 'vital', code: 'MDC_PRESS_BLD_NONINV_SYS', value: 92.5 },
        observedAt: T0 + 3,
      }),
    ];
    const rules = [
      thresholdRuleFixture({ direction: 'atOrBelow', limit: 40, hysteresis: 0, latching: true, enabled: false }),
      bandRuleFixture({ band: 'low-medium', priority: 'medium', delayMs: 300_000 }),
    ];
    const patient: RuleScope = { kind: 'patient', patientId: 'p-1' };
    const store0 = session.store;
    store0.appendScore(complete);
    store0.appendScore(partial);
    for (const observation of charted) store0.addChartedObservation(observation);
    const ruleSet = store0.putRuleSet(patient, rules, 'dr.ahmed', T0);
    const details = { before: { limit: 131 }, after: { limit: 140 }, reason: null, codes: ['a', 'b'] };
    const audit = store0.appendAudit({
      at: T0,
      actor: 'dr.ahmed',
      action: 'rules.put',
      subject: 'patient:p-1',
      details,
    });
    const checkpoint = { offsets: {}, state: null, savedAt: T0 };
    store0.saveCheckpoint(checkpoint);
    await session.checkNowAndAfterReopen((store) => {
      assert.deepEqual(store.scoreHistory('p-1', 'news2', T0, T0 + 2, 10), [complete]);
      assert.deepEqual(store.scoreHistory('p-1', 'mews', T0, T0 + 2, 10), [partial]);
      assert.deepEqual(store.chartedObservations('p-1', T0, T0 + 4), charted);
      assert.deepEqual(store.getRuleSet(patient), ruleSet);
      assert.deepEqual(store.getRuleSet(patient)?.rules, rules);
      assert.deepEqual(store.audit({ limit: 1 }), [audit]);
      assert.deepEqual(store.loadCheckpoint(), checkpoint);
    });
  });
}
