import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alarm, AlarmEvent, ScoreRecord } from '@wardstream/clinical';
import { deviceId, patientId, type IngestRecord } from '@wardstream/domain';
import { LiveHub, type LiveEvent } from './live-hub.js';

const P1 = patientId('p1');
const P2 = patientId('p2');
const D1 = deviceId('mon-1');

function alarmEvent(patient: string | null, device: string | null): AlarmEvent {
  const alarm: Alarm = {
    id: 'al-1',
    category: 'technical',
    ruleId: 'technical.battery-low',
    patientId: patient === null ? null : patientId(patient),
    deviceId: device === null ? null : deviceId(device),
    parameter: null,
    priority: 'low',
    latching: false,
    state: 'active',
    conditionActive: true,
    message: 'Battery low',
    onsetAt: 1,
    raisedAt: 1,
    value: null,
    limit: null,
    details: {},
    acknowledgedAt: null,
    acknowledgedBy: null,
    silencedUntil: null,
    escalations: 0,
    conditionEndedAt: null,
    conditionChangedAt: 0,
    resolvedAt: null,
    resolvedBy: null,
    version: 1,
  };
  return { id: 'al-1:1', alarmId: 'al-1', seq: 1, type: 'raised', at: 1, by: 'system', note: null, alarm };
}

const score: ScoreRecord = {
  patientId: P1,
  score: 'news2',
  at: 1,
  value: 3,
  complete: false,
  missing: [],
  stale: [],
  subscores: {},
  band: null,
  inputs: {},
};

const record: IngestRecord = {
  deviceId: D1,
  patientId: P1,
  boot: 'b1',
  seq: 1,
  observedAt: 1,
  receivedAt: 1,
  readings: [{ code: 'MDC_ECG_HEART_RATE', value: 80, unit: '/min', quality: 0 }],
  waveforms: [],
};

/** Subscribes a recorder of the kinds of event it hears. */
function follow(hub: LiveHub, topic: Parameters<LiveHub['subscribe']>[0]) {
  const heard: LiveEvent['kind'][] = [];
  const stop = hub.subscribe(topic, (event) => heard.push(event.kind));
  return { heard, stop };
}

describe('LiveHub', () => {
  it("delivers an alarm event to its patient's and its device's subscribers, once each", () => {
    const hub = new LiveHub();
    const patient = follow(hub, { kind: 'patients', patientIds: new Set([P1, P2]) });
    const device = follow(hub, { kind: 'device', deviceId: D1 });
    const other = follow(hub, { kind: 'patients', patientIds: new Set([P2]) });
    hub.publishAlarm(alarmEvent('p1', 'mon-1'));
    hub.publishAlarm(alarmEvent(null, 'mon-1'));
    hub.publishAlarm(alarmEvent('p1', null));
    assert.deepEqual(patient.heard, ['alarm', 'alarm']);
    assert.deepEqual(device.heard, ['alarm', 'alarm']);
    assert.deepEqual(other.heard, []);
  });

  it("delivers a score to its patient's subscribers only", () => {
    const hub = new LiveHub();
    const patient = follow(hub, { kind: 'patients', patientIds: new Set([P1]) });
    const device = follow(hub, { kind: 'device', deviceId: D1 });
    hub.publishScore(score);
    hub.publish([record]);
    assert.deepEqual(patient.heard, ['score', 'readings']);
    assert.deepEqual(device.heard, ['readings']);
  });

  it('delivers waveform segments, each as its own event after the readings, only to subscribers that asked', () => {
    const hub = new LiveHub();
    const withWaves: LiveEvent[] = [];
    hub.subscribe({ kind: 'patients', patientIds: new Set([P1]) }, (e) => withWaves.push(e), { waveforms: true });
    const device: LiveEvent[] = [];
    hub.subscribe({ kind: 'device', deviceId: D1 }, (e) => device.push(e), { waveforms: true });
    const without = follow(hub, { kind: 'patients', patientIds: new Set([P1]) });
    const ecg = {
      code: 'MDC_ECG_ELEC_POTL_II',
      unit: 'mV',
      fsHz: 250,
      startAt: 1_000,
      samples: [0.1, 0.9],
      quality: 0,
    };
    const pleth = { ...ecg, code: 'MDC_PULS_OXIM_PLETH', unit: '1', samples: [0.4] };
    const next = { ...record, seq: 2, readings: [], waveforms: [{ ...ecg, startAt: 1_008 }] };
    hub.publish([{ ...record, waveforms: [ecg, pleth] }, next]);
    assert.deepEqual(
      withWaves.map((e) =>
        e.kind === 'waveform' ? `${e.waveform.code}@${e.waveform.startAt}#${e.waveform.seq}` : e.kind,
      ),
      ['readings', 'MDC_ECG_ELEC_POTL_II@1000#1', 'MDC_PULS_OXIM_PLETH@1000#1', 'MDC_ECG_ELEC_POTL_II@1008#2'],
    );
    assert.deepEqual(withWaves[1], {
      kind: 'waveform',
      waveform: { deviceId: D1, patientId: P1, boot: 'b1', seq: 1, ...ecg },
    });
    assert.deepEqual(
      device.map((e) => e.kind),
      ['readings', 'waveform', 'waveform', 'waveform'],
    );
    assert.deepEqual(without.heard, ['readings']);
  });

  it('does not look at waveforms once the last subscriber that wanted them is gone', () => {
    const hub = new LiveHub();
    const heard: LiveEvent['kind'][] = [];
    const stop = hub.subscribe({ kind: 'device', deviceId: D1 }, (e) => heard.push(e.kind), { waveforms: true });
    const plain = follow(hub, { kind: 'device', deviceId: D1 });
    stop();
    stop();
    // A record whose waveforms would throw if read: the hub must not touch them.
    const trap = {
      ...record,
      get waveforms(): never {
        throw new Error('waveforms read with no waveform subscriber');
      },
    };
    hub.publish([trap]);
    assert.deepEqual(heard, []);
    assert.deepEqual(plain.heard, ['readings']);
  });

  it('stops delivering after unsubscribe', () => {
    const hub = new LiveHub();
    const patient = follow(hub, { kind: 'patients', patientIds: new Set([P1]) });
    patient.stop();
    hub.publishScore(score);
    hub.publishAlarm(alarmEvent('p1', 'mon-1'));
    hub.publish([record]);
    assert.deepEqual(patient.heard, []);
  });
});
