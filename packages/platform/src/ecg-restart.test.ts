import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Alarm } from '@wardstream/clinical';
import { syntheticStrip } from '@wardstream/ecg/testing';
import { CrashableClinical } from './testing/crashable-clinical.js';
import { WaveformDevice } from './testing/waveform-device.js';

/**
 * Rhythm alarms across crashes (kill -9 of the clinical side, restart from the last checkpoint and
 * replay of the log): every episode gives one alarm, as in an uninterrupted run — never a second
 * one — with the same life (raised, condition ended). The detector does not survive a restart: it
 * learns again for 8 s, so an episode that begins in those seconds is raised up to 8 s later; the
 * comparison allows that and nothing more.
 */

const T0 = Date.UTC(2026, 10, 25, 7, 0, 0);
const FS = 250;
const strip = syntheticStrip(FS, [
  { kind: 'rhythm', bpm: 72, seconds: 30 },
  { kind: 'rhythm', bpm: 150, seconds: 20 }, // extreme tachycardia from about 36 s
  { kind: 'rhythm', bpm: 72, seconds: 30 },
  { kind: 'pause', seconds: 6 }, // asystole at about 84 s
  { kind: 'rhythm', bpm: 72, seconds: 20 },
  { kind: 'rhythm', bpm: 34, seconds: 25 }, // extreme bradycardia
  { kind: 'rhythm', bpm: 72, seconds: 25 },
]);

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  readonly alarms: Alarm[];
  readonly eventIds: readonly string[];
  readonly types: ReadonlyMap<string, readonly string[]>;
}

async function play(checkpointIntervalMs: number, crashAt: readonly number[]): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'wardstream-ecg-restart-'));
  dirs.push(dir);
  const p = await CrashableClinical.open(dir, T0, checkpointIntervalMs);
  try {
    const device = new WaveformDevice('monitor-ecg', 'MDC_ECG_ELEC_POTL_II', FS, strip.samples, T0);
    await p.admit('monitor-ecg', 'pt-ecg', T0 - 1000);
    const pending = [...crashAt];
    await p.run(
      [device],
      T0,
      device.endAt + 5000,
      250,
      {
        crashAfter: (at) => {
          if (pending.length === 0 || pending[0]! > at) return false;
          pending.shift();
          return true;
        },
      },
      2000,
    );
    assert.equal(p.crashes.length, crashAt.length, 'every planned crash happened');
    const alarms = p.store.listAlarms({ limit: 1000 }).reverse();
    const types = new Map(alarms.map((a) => [a.id, p.store.alarmEvents(a.id).map((e) => e.type)]));
    return { alarms, eventIds: p.events.map((e) => e.id), types };
  } finally {
    await p.close();
  }
}

const summary = (o: Outcome): string[] =>
  o.alarms.map((a) => `${a.ruleId} ${a.priority} ${a.state} ${a.conditionActive} [${o.types.get(a.id)!.join(',')}]`);

test('rhythm alarms across crashes: one alarm per episode, as without crashes', async () => {
  const reference = await play(2000, []);
  assert.deepEqual(
    reference.alarms.map((a) => a.ruleId),
    ['ecg.tachycardia', 'ecg.asystole', 'ecg.bradycardia'],
  );
  const variants: { checkpointMs: number; crashAt: number[] }[] = [
    // crashes during each episode's onset, inside it and after its end, with fresh and old checkpoints
    { checkpointMs: 2000, crashAt: [T0 + 37_000, T0 + 86_000, T0 + 125_000] },
    { checkpointMs: 2000, crashAt: [T0 + 45_000, T0 + 95_000, T0 + 140_000] },
    { checkpointMs: 30_000, crashAt: [T0 + 40_000, T0 + 88_000, T0 + 130_000] },
    { checkpointMs: 30_000, crashAt: [T0 + 60_000, T0 + 100_000] },
  ];
  for (const v of variants) {
    const crashed = await play(v.checkpointMs, v.crashAt);
    const label = `checkpoint ${v.checkpointMs} ms, crashes at ${v.crashAt.map((t) => (t - T0) / 1000).join(', ')} s`;
    assert.deepEqual(summary(crashed), summary(reference), label);
    crashed.alarms.forEach((a, i) => {
      const drift = a.raisedAt - reference.alarms[i]!.raisedAt;
      assert.ok(drift >= 0 && drift <= 8000, `${label}: ${a.ruleId} raised ${drift} ms later`);
    });
    assert.equal(new Set(crashed.eventIds).size, crashed.eventIds.length, `${label}: an event stored twice`);
  }
});
