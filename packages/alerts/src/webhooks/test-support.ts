// Fixtures and helpers for the webhook tests (not exported from the package).
import type { Alarm, AlarmEvent, AlarmEventType } from '@wardstream/clinical';
import type { DeviceId, PatientId } from '@wardstream/domain';

const BASE_AT = Date.UTC(2025, 2, 1, 8, 0, 0);

/** An active high-priority physiological alarm; `overrides` replace fields. */
export function testAlarm(id: string, overrides: Partial<Alarm> = {}): Alarm {
  return {
    id,
    category: 'physiological',
    ruleId: 'news2.pulse.high',
    patientId: 'P-1' as PatientId,
    deviceId: 'D-1' as DeviceId,
    parameter: 'MDC_PULS_RATE',
    priority: 'high',
    latching: true,
    state: 'active',
    conditionActive: true,
    message: 'Pulse 142 /min ≥ 131 for 10 s',
    onsetAt: BASE_AT,
    raisedAt: BASE_AT + 10_000,
    value: 142,
    limit: 131,
    details: { source: 'NEWS2 (RCP 2017) chart 1', subScores: { pulse: 3 } },
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedUntil: null,
    escalations: 0,
    conditionEndedAt: null,
    conditionChangedAt: BASE_AT + 10_000,
    resolvedAt: null,
    resolvedBy: null,
    version: 1,
    ...overrides,
  };
}

/** Event `seq` of alarm `alarmId`, `seq` seconds after the alarm was raised. */
export function testEvent(alarmId: string, seq: number, type: AlarmEventType, alarm: Partial<Alarm> = {}): AlarmEvent {
  const at = BASE_AT + 10_000 + seq * 1000;
  return {
    id: `${alarmId}:${seq}`,
    alarmId,
    seq,
    type,
    at,
    by: type === 'acknowledged' || type === 'resolved' ? 'nurse.jones' : 'system',
    note: type === 'acknowledged' ? 'at bedside' : null,
    alarm: testAlarm(alarmId, { version: seq, ...alarm }),
  };
}

/** Polls `predicate` until it holds; fails (naming `what`) after `maxWaitMs`. Never asserts a duration. */
export async function waitFor(what: string, predicate: () => boolean, maxWaitMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
