import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntheticStrip, type StripPart } from '@wardstream/ecg/testing';
import { deviceId, patientId, type DeviceId, type IngestRecord, type PatientId } from '@wardstream/domain';
import { DEFAULT_RULES } from '../alarms/default-rules.js';
import { Harness, T0 } from '../testing/engine-harness.js';

/**
 * The ECG monitor inside the engine: which lead and patient an analysis belongs to, the device's
 * own lead-off report, and the numeric heart-rate rules standing down only while the ECG is judged.
 */

const FS = 250;
const II = 'MDC_ECG_ELEC_POTL_II';
const I = 'MDC_ECG_ELEC_POTL_I';
let seq = 0;

interface Feed {
  readonly device?: DeviceId;
  readonly patient?: PatientId | null;
  readonly code?: string;
  /** Numeric heart rate sent with each chunk. */
  readonly heartRate?: number;
  readonly errors?: readonly string[];
}

/** One message per 250 ms of the strip from `startAt`. */
function records(parts: readonly StripPart[], startAt: number, feed: Feed = {}, seed = 1): IngestRecord[] {
  const strip = syntheticStrip(FS, parts, seed);
  const out: IngestRecord[] = [];
  const per = FS / 4;
  for (let at = 0; at < strip.samples.length; at += per) {
    const t0 = startAt + (at * 1000) / FS;
    out.push({
      deviceId: feed.device ?? deviceId('monitor-1'),
      patientId: feed.patient === undefined ? patientId('p1') : feed.patient,
      boot: 'b1',
      seq: ++seq,
      observedAt: t0,
      receivedAt: t0,
      readings:
        feed.heartRate === undefined
          ? []
          : [{ code: 'MDC_ECG_HEART_RATE', value: feed.heartRate, unit: '/min', quality: 0 }],
      waveforms: [
        {
          code: feed.code ?? II,
          unit: 'mV',
          fsHz: FS,
          startAt: t0,
          samples: Array.from(strip.samples.subarray(at, at + per)),
          quality: 0,
        },
      ],
      ...(feed.errors === undefined ? {} : { status: { errors: feed.errors } }),
    });
  }
  return out;
}

const summary = (h: Harness): string[] =>
  h.events.map((e) => `${e.alarm.ruleId} ${e.alarm.patientId ?? '-'} ${e.type} +${(e.at - T0) / 1000}s`);

test("a device moved to another patient: the first patient's rhythm alarm ends, the second gets its own", () => {
  const h = new Harness(DEFAULT_RULES);
  h.feed(records([{ kind: 'rhythm', bpm: 150, seconds: 40 }], T0));
  h.feed(records([{ kind: 'rhythm', bpm: 160, seconds: 40 }], T0 + 40_000, { patient: patientId('p2') }));
  const tachy = h.events.filter((e) => e.alarm.ruleId === 'ecg.tachycardia');
  assert.deepEqual(
    tachy.map((e) => `${e.alarm.patientId} ${e.type}`),
    ['p1 raised', 'p1 condition-ended', 'p2 raised'],
    summary(h).join('\n'),
  );
  assert.equal(tachy[1]!.at, T0 + 40_000, 'ended when the device was moved');
});

test('a device that switches leads: conditions of the old lead end, the new lead is analysed', () => {
  const h = new Harness(DEFAULT_RULES);
  h.feed(records([{ kind: 'rhythm', bpm: 150, seconds: 30 }], T0));
  h.feed(
    records(
      [
        { kind: 'rhythm', bpm: 72, seconds: 20 },
        { kind: 'pause', seconds: 8 },
        { kind: 'rhythm', bpm: 72, seconds: 10 },
      ],
      T0 + 30_000,
      { code: I },
    ),
  );
  assert.deepEqual(
    h.types(),
    [
      'ecg.tachycardia:raised',
      'ecg.tachycardia:condition-ended',
      'ecg.asystole:raised',
      'ecg.asystole:condition-ended',
    ],
    summary(h).join('\n'),
  );
  assert.equal(h.events.find((e) => e.alarm.ruleId === 'ecg.asystole')!.alarm.parameter, I);
});

test('a device reporting leads off raises no-signal and no asystole; the leads back on end it', () => {
  const h = new Harness(DEFAULT_RULES);
  h.feed(records([{ kind: 'rhythm', bpm: 72, seconds: 20 }], T0));
  h.feed(records([{ kind: 'pause', seconds: 20 }], T0 + 20_000, { errors: ['ECG_LEAD_OFF'] }));
  h.feed(records([{ kind: 'rhythm', bpm: 72, seconds: 20 }], T0 + 40_000));
  assert.deepEqual(summary(h), ['ecg.no-signal p1 raised +20s', 'ecg.no-signal p1 resolved +40s']);
});

test('the numeric extreme-bradycardia rule stands down only while the ECG is judged', () => {
  // clean ECG at 32 bpm with the monitor's number: the beat rule alarms, the numeric rule does not
  // (NEWS2's pulse band is another rule and alarms in both cases)
  const clean = new Harness(DEFAULT_RULES);
  clean.feed(records([{ kind: 'rhythm', bpm: 32, seconds: 60 }], T0, { heartRate: 32 }));
  assert.deepEqual(
    clean.types().filter((t) => t.startsWith('ecg.') && t.endsWith(':raised')),
    ['ecg.bradycardia:raised'],
  );
  // the lead is unusable (noise): the ECG cannot be judged, so the monitor's number alarms again
  const noisy = new Harness(DEFAULT_RULES);
  noisy.feed(records([{ kind: 'noise', bpm: 32, seconds: 60, mv: 2 }], T0, { heartRate: 32 }));
  assert.deepEqual(
    noisy
      .types()
      .filter((t) => t.startsWith('ecg.') && t.endsWith(':raised'))
      .sort(),
    ['ecg.extreme-bradycardia:raised', 'ecg.poor-signal:raised'],
  );
});
