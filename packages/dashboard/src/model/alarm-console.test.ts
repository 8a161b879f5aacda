import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlarmConsoleModel, RESOLVED_SHOWN, type ConsoleApiAlarm } from './alarm-console.js';

const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
const at = (ms: number) => new Date(ms).toISOString();

const alarm = (id: string, more: Partial<ConsoleApiAlarm> = {}): ConsoleApiAlarm => ({
  id,
  category: 'physiological',
  patientId: 'p1',
  deviceId: 'mon-1',
  priority: 'medium',
  state: 'active',
  conditionActive: true,
  message: `alarm ${id}`,
  raisedAt: at(T0),
  acknowledgedAt: null,
  acknowledgedBy: null,
  silencedUntil: null,
  escalations: 0,
  resolvedAt: null,
  resolvedBy: null,
  version: 1,
  ...more,
});

describe('alarm console model', () => {
  it('orders open alarms by priority, unanswered before acknowledged, then the longest waiting first', () => {
    const model = new AlarmConsoleModel();
    model.setAll([
      alarm('low-old', { priority: 'low', raisedAt: at(T0 - 600_000) }),
      alarm('high-new', { priority: 'high', raisedAt: at(T0 - 10_000) }),
      alarm('high-old', { priority: 'high', raisedAt: at(T0 - 60_000) }),
      alarm('high-acked', { priority: 'high', state: 'acknowledged', raisedAt: at(T0 - 900_000) }),
      alarm('medium', { raisedAt: at(T0 - 30_000) }),
      alarm('gone', { state: 'resolved', resolvedAt: at(T0 - 5_000), resolvedBy: 'system' }),
    ]);
    const view = model.view(T0);
    assert.deepEqual(
      view.open.map((r) => r.alarm.id),
      ['high-old', 'high-new', 'high-acked', 'medium', 'low-old'],
    );
    assert.deepEqual(
      view.resolved.map((r) => r.alarm.id),
      ['gone'],
    );
    assert.equal(view.open[0]?.age, '1 min');
  });

  it('offers the actions the state allows: resolve only once the condition has ended', () => {
    const model = new AlarmConsoleModel();
    model.setAll([
      alarm('live'),
      alarm('ended', { conditionActive: false }),
      alarm('acked', { state: 'acknowledged', acknowledgedAt: at(T0 - 120_000), acknowledgedBy: 'nurse.kim' }),
      alarm('closed', { state: 'resolved', conditionActive: false, resolvedAt: at(T0), resolvedBy: 'nurse.kim' }),
    ]);
    const rows = new Map([...model.view(T0).open, ...model.view(T0).resolved].map((r) => [r.alarm.id, r]));
    assert.deepEqual(rows.get('live')?.actions, ['acknowledge', 'silence', 'escalate']);
    assert.match(rows.get('live')?.resolveBlocked ?? '', /condition still holds/);
    assert.deepEqual(rows.get('ended')?.actions, ['acknowledge', 'silence', 'escalate', 'resolve']);
    assert.equal(rows.get('ended')?.resolveBlocked, undefined);
    assert.deepEqual(rows.get('acked')?.actions, ['silence', 'escalate']);
    assert.deepEqual(rows.get('acked')?.handling, ['Acknowledged by nurse.kim 2 min ago']);
    assert.deepEqual(rows.get('closed')?.actions, []);
    assert.deepEqual(rows.get('closed')?.handling, ['Resolved by nurse.kim 0 s ago']);
  });

  it('says who handled it: silenced for how long more, escalations, an ended condition', () => {
    const model = new AlarmConsoleModel();
    model.apply(alarm('a', { silencedUntil: at(T0 + 90_000), escalations: 2, conditionActive: false }));
    model.apply(alarm('b', { silencedUntil: at(T0 - 1) }));
    const rows = model.view(T0).open;
    assert.deepEqual(rows.find((r) => r.alarm.id === 'a')?.handling, [
      'Silenced for 1 min more',
      'Escalated 2×',
      'Condition ended',
    ]);
    assert.deepEqual(rows.find((r) => r.alarm.id === 'b')?.handling, []);
  });

  it('never lets an older version replace a newer one (a list read racing the live feed)', () => {
    const model = new AlarmConsoleModel();
    model.apply(alarm('a', { state: 'acknowledged', acknowledgedBy: 'nurse.kim', acknowledgedAt: at(T0), version: 2 }));
    model.setAll([alarm('a', { version: 1 })]);
    assert.equal(model.get('a')?.state, 'acknowledged');
    model.apply(alarm('a', { state: 'resolved', resolvedAt: at(T0 + 1), resolvedBy: 'system', version: 3 }));
    assert.equal(model.view(T0 + 2).open.length, 0);
    assert.equal(model.view(T0 + 2).resolved.length, 1);
  });

  it(`shows at most ${RESOLVED_SHOWN} resolved alarms, the latest first`, () => {
    const model = new AlarmConsoleModel();
    for (let i = 0; i < RESOLVED_SHOWN + 5; i++) {
      model.apply(alarm(`r${i}`, { state: 'resolved', resolvedAt: at(T0 + i * 1000), resolvedBy: 'system' }));
    }
    const { resolved } = model.view(T0 + 100_000);
    assert.equal(resolved.length, RESOLVED_SHOWN);
    assert.equal(resolved[0]?.alarm.id, `r${RESOLVED_SHOWN + 4}`);
  });
});

describe('alarm console model after a lost feed', () => {
  it('names the alarms held open that a fresh open list lacks, and forgets one that cannot be read', () => {
    const model = new AlarmConsoleModel();
    model.setAll([
      alarm('still-open'),
      alarm('closed-meanwhile', { state: 'acknowledged' }),
      alarm('long-resolved', { state: 'resolved', resolvedAt: at(T0), resolvedBy: 'system' }),
    ]);
    assert.deepEqual(model.openNotIn([alarm('still-open'), alarm('new')]), ['closed-meanwhile']);
    model.forget('closed-meanwhile');
    assert.deepEqual(
      model.view(T0).open.map((r) => r.alarm.id),
      ['still-open'],
    );
  });
});
