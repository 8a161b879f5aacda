import assert from 'node:assert/strict';
import { alarmFixture, alarmHistory, eventFixture } from './fixtures.js';
import type { CaseRunner } from './session.js';

/** recordAlarmEvent, getAlarm and alarmEvents: snapshots, history, idempotency, late replays. */
export function alarmCases(test: CaseRunner): void {
  test('stores each event with the alarm as it stands after it', ({ store }) => {
    const [raised, acknowledged] = alarmHistory(alarmFixture(), ['raised', 'acknowledged']);
    assert.equal(store.getAlarm('alarm-1'), undefined);
    assert.equal(store.recordAlarmEvent(raised!), true);
    assert.deepEqual(store.getAlarm('alarm-1'), raised!.alarm);
    assert.deepEqual(store.alarmEvents('alarm-1'), [raised]);
    assert.equal(store.recordAlarmEvent(acknowledged!), true);
    assert.deepEqual(store.getAlarm('alarm-1'), acknowledged!.alarm);
    assert.equal(store.getAlarm('alarm-1')?.state, 'acknowledged');
    assert.deepEqual(store.alarmEvents('alarm-1'), [raised, acknowledged]);
    assert.deepEqual(store.alarmEvents('no-such-alarm'), []);
  });

  test('keeps the events of each alarm apart', ({ store }) => {
    const first = alarmHistory(alarmFixture(), ['raised', 'escalated']);
    const second = alarmHistory(alarmFixture({ id: 'alarm-2', raisedAt: first[0]!.at + 1 }), ['raised']);
    for (const event of [first[0]!, second[0]!, first[1]!]) store.recordAlarmEvent(event);
    assert.deepEqual(store.alarmEvents('alarm-1'), first);
    assert.deepEqual(store.alarmEvents('alarm-2'), second);
    assert.equal(store.getAlarm('alarm-1')?.escalations, 1);
    assert.deepEqual(store.getAlarm('alarm-2'), second[0]!.alarm);
  });

  test('records an event id once: again, it returns false and changes nothing', ({ store }) => {
    const [raised, acknowledged] = alarmHistory(alarmFixture(), ['raised', 'acknowledged']);
    store.recordAlarmEvent(raised!);
    store.recordAlarmEvent(acknowledged!);
    const altered = {
      ...acknowledged!,
      note: 'a replay that differs',
      alarm: { ...acknowledged!.alarm, message: 'changed', state: 'active' as const },
    };
    assert.equal(store.recordAlarmEvent(altered), false);
    assert.equal(store.recordAlarmEvent(acknowledged!), false);
    assert.equal(store.recordAlarmEvent(raised!), false);
    assert.deepEqual(store.getAlarm('alarm-1'), acknowledged!.alarm);
    assert.deepEqual(store.alarmEvents('alarm-1'), [raised, acknowledged]);
    assert.deepEqual(
      store.openAlarms().map((a) => a.state),
      ['acknowledged'],
    );
  });

  test('stores a late event but keeps the newer snapshot, and lists events in seq order', ({ store }) => {
    const [raised, acknowledged, resolved] = alarmHistory(alarmFixture(), ['raised', 'acknowledged', 'resolved']);
    assert.equal(store.recordAlarmEvent(raised!), true);
    assert.equal(store.recordAlarmEvent(resolved!), true);
    assert.equal(store.recordAlarmEvent(acknowledged!), true, 'an event not stored before is stored, even late');
    assert.deepEqual(store.getAlarm('alarm-1'), resolved!.alarm);
    assert.deepEqual(store.alarmEvents('alarm-1'), [raised, acknowledged, resolved]);
    assert.deepEqual(store.openAlarms(), [], 'the late event does not reopen the resolved alarm');
    assert.deepEqual(store.listAlarms({ states: ['acknowledged'], limit: 10 }), []);
    assert.deepEqual(store.listAlarms({ states: ['resolved'], limit: 10 }), [resolved!.alarm]);
  });

  test('takes the snapshot of an event past a gap in seqs', ({ store }) => {
    const raised = eventFixture(alarmFixture(), 1, 'raised');
    const escalated = eventFixture(raised.alarm, 3, 'escalated');
    store.recordAlarmEvent(raised);
    store.recordAlarmEvent(escalated);
    assert.deepEqual(store.getAlarm('alarm-1'), escalated.alarm);
    assert.deepEqual(store.alarmEvents('alarm-1'), [raised, escalated]);
  });
}
