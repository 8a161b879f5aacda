import assert from 'node:assert/strict';
import { deviceId, patientId } from '@wardstream/domain';
import type { Alarm, AlarmEventType } from '@wardstream/clinical';
import type { ClinicalStore } from '../clinical-store.js';
import { alarmFixture, alarmHistory, eventFixture, MINUTE_MS, T0 } from './fixtures.js';
import type { CaseRunner } from './session.js';

/** Records the history of `alarm` and returns the alarm as it stands after it. */
function seed(store: ClinicalStore, alarm: Alarm, types: readonly AlarmEventType[]): Alarm {
  const events = alarmHistory(alarm, types);
  for (const event of events) store.recordAlarmEvent(event);
  return events.at(-1)?.alarm ?? alarm;
}

/**
 * a1: p-1 on mon-1, T0, active        a2: p-1 on mon-2, T0 + 1 min, acknowledged
 * a3: p-2 on mon-1, T0 + 2 min, resolved   a4: no patient, mon-3, T0 + 3 min, active (technical)
 */
function seedFour(store: ClinicalStore): readonly [Alarm, Alarm, Alarm, Alarm] {
  return [
    seed(store, alarmFixture({ id: 'a1' }), ['raised']),
    seed(store, alarmFixture({ id: 'a2', deviceId: deviceId('mon-2'), raisedAt: T0 + MINUTE_MS }), [
      'raised',
      'acknowledged',
    ]),
    seed(store, alarmFixture({ id: 'a3', patientId: patientId('p-2'), raisedAt: T0 + 2 * MINUTE_MS }), [
      'raised',
      'condition-ended',
      'resolved',
    ]),
    seed(
      store,
      alarmFixture({
        id: 'a4',
        category: 'technical',
        ruleId: 'technical.stale',
        patientId: null,
        deviceId: deviceId('mon-3'),
        parameter: null,
        value: null,
        limit: null,
        raisedAt: T0 + 3 * MINUTE_MS,
      }),
      ['raised'],
    ),
  ];
}

const ids = (alarms: readonly Alarm[]): string[] => alarms.map((a) => a.id);

/** listAlarms, openAlarms and eventsBetween. */
export function alarmQueryCases(test: CaseRunner): void {
  test('lists alarms newest raised first, at most limit', ({ store }) => {
    const [a1, a2, a3, a4] = seedFour(store);
    assert.deepEqual(store.listAlarms({ limit: 10 }), [a4, a3, a2, a1]);
    assert.deepEqual(ids(store.listAlarms({ limit: 2 })), ['a4', 'a3']);
    assert.deepEqual(store.listAlarms({ limit: 0 }), []);
  });

  test('filters alarms by patient, device and state', ({ store }) => {
    seedFour(store);
    assert.deepEqual(ids(store.listAlarms({ patientId: 'p-1', limit: 10 })), ['a2', 'a1']);
    assert.deepEqual(ids(store.listAlarms({ patientId: 'p-9', limit: 10 })), []);
    assert.deepEqual(ids(store.listAlarms({ deviceId: 'mon-1', limit: 10 })), ['a3', 'a1']);
    assert.deepEqual(ids(store.listAlarms({ states: ['active'], limit: 10 })), ['a4', 'a1']);
    assert.deepEqual(ids(store.listAlarms({ states: ['active', 'acknowledged'], limit: 10 })), ['a4', 'a2', 'a1']);
    assert.deepEqual(ids(store.listAlarms({ states: [], limit: 10 })), []);
    assert.deepEqual(ids(store.listAlarms({ patientId: 'p-1', deviceId: 'mon-2', limit: 10 })), ['a2']);
  });

  test('filters alarms by raisedAt in [from, to) and combines every filter', ({ store }) => {
    seedFour(store);
    const range = { from: T0 + MINUTE_MS, to: T0 + 3 * MINUTE_MS };
    assert.deepEqual(ids(store.listAlarms({ ...range, limit: 10 })), ['a3', 'a2']);
    assert.deepEqual(ids(store.listAlarms({ from: T0 + 3 * MINUTE_MS, limit: 10 })), ['a4']);
    assert.deepEqual(ids(store.listAlarms({ to: T0 + 1, limit: 10 })), ['a1']);
    assert.deepEqual(ids(store.listAlarms({ from: T0 + 1, to: T0 + 1, limit: 10 })), []);
    const all = { patientId: 'p-1', deviceId: 'mon-1', states: ['active' as const], from: T0, to: T0 + 1, limit: 1 };
    assert.deepEqual(ids(store.listAlarms(all)), ['a1']);
    assert.deepEqual(ids(store.listAlarms({ ...all, states: ['resolved'] })), []);
  });

  test('lists open alarms (active or acknowledged) oldest raised first', ({ store }) => {
    const [a1, a2, , a4] = seedFour(store);
    assert.deepEqual(store.openAlarms(), [a1, a2, a4]);
    store.recordAlarmEvent(eventFixture(a1, 2, 'resolved'));
    assert.deepEqual(ids(store.openAlarms()), ['a2', 'a4']);
  });

  test('returns events with at in [from, to) oldest first, at most limit', ({ store }) => {
    const a = alarmFixture({ id: 'ea', raisedAt: T0 });
    const b = alarmFixture({ id: 'eb', raisedAt: T0 + 500 });
    const a1 = eventFixture(a, 1, 'raised', { at: T0 });
    const b1 = eventFixture(b, 1, 'raised', { at: T0 + 500 });
    const a2 = eventFixture(a1.alarm, 2, 'acknowledged', { at: T0 + 1000 });
    const b2 = eventFixture(b1.alarm, 2, 'condition-ended', { at: T0 + 2000 });
    for (const event of [b2, a1, b1, a2]) store.recordAlarmEvent(event);
    assert.deepEqual(store.eventsBetween(T0, T0 + 3000, 10), [a1, b1, a2, b2]);
    assert.deepEqual(store.eventsBetween(T0 + 500, T0 + 2000, 10), [b1, a2], 'from inclusive, to exclusive');
    assert.deepEqual(store.eventsBetween(T0, T0 + 3000, 2), [a1, b1], 'the limit keeps the oldest');
    assert.deepEqual(store.eventsBetween(T0 + 2001, T0 + 9000, 10), []);
    assert.deepEqual(store.eventsBetween(T0, T0 + 3000, 0), []);
  });
}
