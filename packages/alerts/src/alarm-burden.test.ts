import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AlarmEventType } from '@wardstream/clinical';
import { alarmBurden } from './alarm-burden.js';
import { alarmFixture, alarmHistory, MINUTE_MS, T0 } from './contract/fixtures.js';
import { SqliteClinicalStore } from './sqlite/sqlite-clinical-store.js';

it('alarm burden: counts by category and priority, rates per patient-hour and bed-day, acknowledgement', () => {
  const store = SqliteClinicalStore.open({ path: ':memory:' });
  const add = (
    id: string,
    category: 'physiological' | 'technical',
    priority: 'high' | 'low',
    types: AlarmEventType[],
  ) => {
    for (const e of alarmHistory(alarmFixture({ id, category, priority, raisedAt: T0, onsetAt: T0 }), types)) {
      store.recordAlarmEvent(e);
    }
  };
  // Acknowledged one and three minutes after being raised (the fixtures put event n at raisedAt + (n-1) min).
  add('al-1', 'physiological', 'high', ['raised', 'acknowledged']);
  add('al-2', 'physiological', 'high', ['raised', 'escalated', 'escalated', 'acknowledged']);
  add('al-3', 'technical', 'low', ['raised', 'resolved']);
  add('al-4', 'technical', 'low', ['raised']);
  const twoPatientHours = 2 * 3_600_000;
  const b = alarmBurden(store, T0, T0 + 60 * MINUTE_MS, twoPatientHours);
  assert.equal(b.raised, 4);
  assert.equal(b.monitoredPatientHours, 2);
  assert.deepEqual(
    b.byType.map((t) => [t.category, t.priority, t.count, t.perPatientHour, t.perBedDay]),
    [
      ['physiological', 'high', 2, 1, 24],
      ['technical', 'low', 2, 1, 24],
    ],
  );
  assert.equal(b.acknowledged, 2);
  assert.equal(b.shareAcknowledged, 0.5);
  assert.deepEqual(b.timeToAcknowledgeMs, { p50: 3 * MINUTE_MS, p90: 3 * MINUTE_MS, mean: 2 * MINUTE_MS });
  const none = alarmBurden(store, T0 + 120 * MINUTE_MS, T0 + 180 * MINUTE_MS, 0);
  assert.equal(none.raised, 0);
  assert.equal(none.shareAcknowledged, null);
  store.close();
});
