import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readWfdbRecord } from '@wardstream/ecg';
import { buildDevices, DEFAULT_SCENARIO_SETTINGS, defaultDataDir, loadNumericsRecords } from '@wardstream/simulator';
import { syntheticStrip } from '@wardstream/ecg/testing';
import { ClinicalPipeline } from './testing/clinical-pipeline.js';
import { WaveformDevice } from './testing/waveform-device.js';

/**
 * ECG through the real ingest-to-alarm path: wire messages of 250 ms waveform chunks go through the
 * gateway's validation and the file log to the clinical service, whose ECG monitor raises rhythm
 * alarms into the alarm lifecycle.
 */

const START = Date.UTC(2026, 10, 25, 9, 0, 0);
const CHALLENGE = new URL('../../ecg/test-data/challenge2015/', import.meta.url).pathname;
const ECG_II = 'MDC_ECG_ELEC_POTL_II';

/** Plays `samples` as a monitor sending 250 ms chunks through the pipeline, then lets the service catch up. */
async function replay(
  pipeline: ClinicalPipeline,
  device: string,
  fsHz: number,
  samples: ArrayLike<number>,
  startAt: number,
  heartRate?: (at: number) => number,
): Promise<void> {
  const monitor = new WaveformDevice(device, ECG_II, fsHz, samples, startAt, 250, heartRate);
  await pipeline.run([monitor], startAt, monitor.endAt + 1000, 250);
}

test("Challenge 2015 v102s (a monitor's false VT alarm) raises no high-priority physiological alarm", async () => {
  const record = await readWfdbRecord(`${CHALLENGE}v102s`);
  const pipeline = await ClinicalPipeline.open(START);
  try {
    await pipeline.admit('monitor-v102s', 'patient-v102s', START - 1000);
    await replay(pipeline, 'monitor-v102s', record.fsHz, record.channels[0]!.physical, START);
    const alarms = pipeline.alarms();
    const highPhysiological = alarms.filter((a) => a.category === 'physiological' && a.priority === 'high');
    assert.deepEqual(
      highPhysiological.map((a) => a.message),
      [],
    );
    // What it does say: the ECG is too noisy to analyse for part of the record (technical, low).
    assert.ok(alarms.some((a) => a.ruleId === 'ecg.poor-signal' && a.category === 'technical'));
  } finally {
    await pipeline.close();
  }
});

test('an asystole episode on a synthetic strip raises one high-priority latching alarm for the patient', async () => {
  const strip = syntheticStrip(250, [
    { kind: 'rhythm', bpm: 72, seconds: 40 },
    { kind: 'pause', seconds: 7 },
    { kind: 'rhythm', bpm: 72, seconds: 30 },
  ]);
  const pipeline = await ClinicalPipeline.open(START);
  try {
    const patient = await pipeline.admit('monitor-1', 'patient-1', START - 1000);
    await replay(pipeline, 'monitor-1', 250, strip.samples, START);
    const alarms = pipeline.alarms();
    assert.deepEqual(
      alarms.map((a) => [a.ruleId, a.category, a.priority, a.patientId]),
      [['ecg.asystole', 'physiological', 'high', patient]],
    );
    const [asystole] = alarms;
    const lastBeat = strip.beats.filter((b) => b < 40 * 250).at(-1)!;
    const expected = START + Math.round((lastBeat * 1000) / 250) + 4000;
    assert.ok(
      Math.abs(asystole!.raisedAt - expected) <= 40,
      `raised at +${asystole!.raisedAt - START} ms, expected +${expected - START}`,
    );
    // latching: the condition ended (beats came back) but the alarm stays active until acknowledged
    assert.equal(asystole!.conditionActive, false);
    assert.equal(asystole!.state, 'active');
    assert.deepEqual(
      pipeline.events.filter((e) => e.alarm.id === asystole!.id).map((e) => e.type),
      ['raised', 'condition-ended'],
    );
    // heart rate, HRV and quality stored every 5 s of signal, read by patient or device
    const metrics = pipeline.store.ecgMetrics({ patientId: patient }, START, START + 120_000, 100);
    assert.deepEqual(metrics, pipeline.store.ecgMetrics({ deviceId: 'monitor-1' }, START, START + 120_000, 100));
    assert.equal(metrics.length, 14); // 77 s of signal; boundaries up to 74.5 s (the last 2.5 s await confirmation)
    assert.deepEqual(
      metrics.map((m) => m.at - START),
      Array.from({ length: 14 }, (_, i) => (i + 1) * 5000),
    );
    const steady = metrics.find((m) => m.at === START + 30_000)!;
    assert.ok(Math.abs(steady.heartRateBpm! - 72) < 1, `heart rate ${steady.heartRateBpm}`);
    assert.equal(steady.quality, 'good');
    const beats = metrics.flatMap((m) => m.beatsAt.map((t) => t - START));
    assert.deepEqual(
      beats.map((t) => Math.round((t * 250) / 1000)),
      strip.beats.filter((b) => b < 70 * 250),
    );
  } finally {
    await pipeline.close();
  }
});

test('with the ECG analysed, the numeric extreme-tachycardia rule stands down for the beat-based one', async () => {
  const strip = syntheticStrip(250, [
    { kind: 'rhythm', bpm: 72, seconds: 30 },
    { kind: 'rhythm', bpm: 150, seconds: 40 },
    { kind: 'rhythm', bpm: 72, seconds: 30 },
  ]);
  const rate = (at: number): number => (at - START >= 30_000 && at - START < 70_000 ? 150 : 72);
  const both = await ClinicalPipeline.open(START);
  try {
    await both.admit('monitor-2', 'patient-2', START - 1000);
    await replay(both, 'monitor-2', 250, strip.samples, START, rate);
    // NEWS2's pulse band (≥ 131 /min, chart 1) is another rule and still alarms; the numeric
    // ecg.extreme-tachycardia does not: the beats carry that condition.
    assert.deepEqual(
      both.alarms().map((a) => a.ruleId),
      ['ecg.tachycardia', 'news2.pulse.high'],
    );
  } finally {
    await both.close();
  }
});

test("the simulator's arrhythmia scenario: tachycardia, asystole and bradycardia each raise their ECG alarm once, in their episodes", async () => {
  const records = await loadNumericsRecords(defaultDataDir());
  const settings = { ...DEFAULT_SCENARIO_SETTINGS, arrhythmiaAfterMs: 60_000, arrhythmiaEveryMs: 120_000 };
  const [device] = buildDevices(
    {
      scenario: 'arrhythmia:1',
      scenarioSettings: settings,
      seed: 'ecg-arrhythmia',
      devicePrefix: 'bed-',
      waveforms: true,
      unitVariants: false,
      temperatureIntervalMs: 60_000,
      nibpIntervalMs: 300_000,
      records,
      devices: 1,
    },
    START,
  );
  const pipeline = await ClinicalPipeline.open(START);
  try {
    await pipeline.admit(device!.deviceId, 'patient-arrhythmia', START - 1000);
    await pipeline.run([device!], START, START + 60_000 + 3 * 120_000, 1000);
    const ecg = pipeline.alarms().filter((a) => a.ruleId.startsWith('ecg.'));
    assert.deepEqual(
      ecg.map((a) => a.ruleId),
      ['ecg.tachycardia', 'ecg.asystole', 'ecg.bradycardia'],
    );
    // each within its episode: tachycardia 60–105 s, asystole 180–188 s (+4 s), bradycardia 300–345 s
    const offsets = ecg.map((a) => (a.raisedAt - START) / 1000);
    assert.ok(offsets[0]! > 60 && offsets[0]! < 75, `tachycardia at +${offsets[0]}s`);
    assert.ok(offsets[1]! > 183 && offsets[1]! < 186, `asystole at +${offsets[1]}s`);
    assert.ok(offsets[2]! > 300 && offsets[2]! < 315, `bradycardia at +${offsets[2]}s`);
    assert.ok(ecg.every((a) => a.priority === 'high' && a.category === 'physiological'));
  } finally {
    await pipeline.close();
  }
});
