import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_RULES, type Alarm, type AlarmEvent } from '@wardstream/clinical';
import {
  buildDevices,
  DEFAULT_SCENARIO_SETTINGS,
  defaultDataDir,
  loadNumericsRecords,
  type FleetPlan,
} from '@wardstream/simulator';
import { CrashableClinical, type CrashRecord } from './testing/crashable-clinical.js';

const T0 = Date.UTC(2026, 10, 25, 6, 0, 0);
const MIN = 60_000;
const END = T0 + 60 * MIN;
const records = await loadNumericsRecords(defaultDataDir());

/** The deteriorating patient of clinical-scenarios.test.ts: sepsis-like drift from minute 10 to 40. */
const PLAN: FleetPlan = {
  scenario: 'deteriorating:1',
  scenarioSettings: { ...DEFAULT_SCENARIO_SETTINGS, deteriorationAfterMs: 10 * MIN, deteriorationDurationMs: 30 * MIN },
  seed: 'clinical-scenarios',
  devicePrefix: 'bed-',
  waveforms: false,
  unitVariants: false,
  temperatureIntervalMs: MIN,
  nibpIntervalMs: 5 * MIN,
  records,
  devices: 1,
};

const SPO2_LOW = DEFAULT_RULES.find((r) => r.id === 'news2.spo2.low')!;

interface Outcome {
  readonly alarms: Alarm[];
  readonly events: AlarmEvent[];
  readonly fresh: number;
  readonly rederived: number;
  readonly rerouted: readonly number[];
  readonly crashes: readonly CrashRecord[];
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  /** Simulated ms between the service's checkpoints. */
  readonly checkpointIntervalMs: number;
  /** Simulated instants after which the platform crashes (at the next append). */
  readonly crashAt: readonly number[];
  /** A patient override making `news2.spo2.low` latching (it then ends and returns instead of resolving). */
  readonly latchingSpo2: boolean;
  /** When a nurse acknowledges the patient's active SpO2 alarm, if at all. */
  readonly acknowledgeAt?: number;
}

/** Admits the patient, runs an hour of its data, crashing where `run` says; returns what was stored. */
async function simulate(run: Run): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'wardstream-restart-'));
  dirs.push(dir);
  const p = await CrashableClinical.open(dir, T0, run.checkpointIntervalMs);
  try {
    const fleet = buildDevices(PLAN, T0);
    for (const [i, d] of fleet.entries()) {
      const patient = await p.admit(d.deviceId, `pt-${i + 1}`, T0);
      p.chart(patient, { kind: 'consciousness', value: 'A' }, T0);
      p.chart(patient, { kind: 'oxygen', onOxygen: false }, T0);
      if (run.latchingSpo2) p.putPatientRules(patient, [{ ...SPO2_LOW, latching: true }]);
    }
    const pending = [...run.crashAt].sort((a, b) => a - b);
    let acknowledged = run.acknowledgeAt === undefined;
    await p.run(fleet, T0, END, 1000, {
      crashAfter: (at) => {
        const due = pending.filter((crashAt) => crashAt <= at).length;
        pending.splice(0, due);
        return due > 0;
      },
      afterTick: (at) => {
        if (acknowledged || at < (run.acknowledgeAt ?? Infinity)) return;
        const alarm = p.service.openAlarms().find((a) => a.ruleId === SPO2_LOW.id && a.state === 'active');
        assert.ok(alarm !== undefined, `no active SpO2 alarm to acknowledge at minute ${minute(at)}`);
        p.service.commands.acknowledge(alarm.id, 'nurse.test', null);
        acknowledged = true;
      },
    });
    const alarms = p.store.listAlarms({ limit: 100_000 }).reverse();
    const events = p.store.eventsBetween(0, Number.MAX_SAFE_INTEGER, 1_000_000);
    return {
      alarms,
      events,
      fresh: p.events.length,
      rederived: p.rederived.length,
      rerouted: p.rerouted,
      crashes: p.crashes,
    };
  } finally {
    await p.close();
  }
}

const minute = (at: number) => ((at - T0) / MIN).toFixed(2);
const alarmKey = (a: Alarm) => `${a.ruleId} onset ${minute(a.onsetAt)} raised ${minute(a.raisedAt)}`;

/** Each alarm (by rule and onset) → its history as `seq type at by`, from the stored events. */
function histories(outcome: Outcome, withEscalations: boolean): Map<string, string[]> {
  const byId = new Map(outcome.alarms.map((a) => [a.id, alarmKey(a)]));
  const out = new Map<string, string[]>();
  for (const e of outcome.events) {
    if (!withEscalations && e.type === 'escalated') continue;
    const key = byId.get(e.alarmId) ?? `unknown alarm ${e.alarmId}`;
    const line = withEscalations ? `${e.seq} ${e.type} ${minute(e.at)} ${e.by}` : `${e.type} ${minute(e.at)} ${e.by}`;
    out.set(key, [...(out.get(key) ?? []), line]);
  }
  return new Map([...out].sort(([x], [y]) => x.localeCompare(y)));
}

function report(name: string, o: Outcome): string {
  const byType = new Map<string, number>();
  for (const e of o.events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  const crashes = o.crashes
    .map(
      (c) =>
        `minute ${minute(c.at)}: checkpoint ${(c.checkpointAgeMs / 1000).toFixed(0)} s old, ${c.replayedEntries} log entries replayed`,
    )
    .join('; ');
  return (
    `${name}: ${o.alarms.length} alarms, ${o.events.length} events stored ` +
    `(${[...byType].map(([k, v]) => `${k} ${v}`).join(', ')}), ${new Set(o.events.map((e) => e.id)).size} distinct event ids, ` +
    `${o.fresh} routed fresh, ${o.rederived} re-derived and recognised, re-routed at starts [${o.rerouted.join(', ')}]` +
    (o.crashes.length === 0 ? '' : `; ${o.crashes.length} crashes: ${crashes}`)
  );
}

/**
 * ADR 0004's promise after a crash: the service resumes from its checkpoint, re-derives what came
 * after it, and the deterministic ids and idempotent store absorb the replay — no alarm lost, none
 * raised twice, no alarm event stored or routed twice.
 */
describe('clinical service crash and restart (real file log, SQLite store, simulated clock)', () => {
  const baselines = new Map<string, Outcome>();
  /** The same run without crashes (computed once per kind of run). */
  const uninterrupted = async (run: Run): Promise<Outcome> => {
    const key = `${run.latchingSpo2} ${run.acknowledgeAt ?? ''}`;
    const known = baselines.get(key);
    if (known !== undefined) return known;
    const outcome = await simulate({ ...run, checkpointIntervalMs: 2_000, crashAt: [] });
    baselines.set(key, outcome);
    return outcome;
  };

  // Crash points (simulated minutes): before the deterioration, just after an alarm is raised, between
  // an alarm's end and the next one's raise, right after the NEWS2 band supersedes (twice in a row),
  // between escalations, as the anomaly resolves and a spot alarm is raised, and near the end.
  const everywhere = [8, 22.4, 26.5, 27.5, 27.7, 29.4, 33, 40.05, 45.1, 52, 59.5].map((m) => T0 + m * MIN);
  // Fewer restarts (each restart saves a fresh checkpoint), so the crash at 29.4 replays from minute 22.5.
  const sparse = [8, 22.4, 29.4, 40.05, 52, 59.5].map((m) => T0 + m * MIN);
  const EVERY_2_S = 2_000;
  const EVERY_15_MIN = 15 * MIN;
  // The two 15-minute latching cases replay a latched alarm's end and return after its newer stored
  // state: the alarm's conditionChangedAt makes the engine recognise them (they once stored duplicates).
  const cases: { name: string; run: Run }[] = [
    {
      name: 'default rules, checkpoint every 2 s (the default)',
      run: { checkpointIntervalMs: EVERY_2_S, crashAt: everywhere, latchingSpo2: false },
    },
    {
      name: 'default rules, checkpoint every 15 min (far behind at each crash)',
      run: { checkpointIntervalMs: EVERY_15_MIN, crashAt: everywhere, latchingSpo2: false },
    },
    {
      name: 'latching SpO2 rule, checkpoint every 2 s',
      run: { checkpointIntervalMs: EVERY_2_S, crashAt: everywhere, latchingSpo2: true },
    },
    {
      name: 'latching SpO2 rule acknowledged by a nurse, checkpoint every 2 s',
      run: { checkpointIntervalMs: EVERY_2_S, crashAt: sparse, latchingSpo2: true, acknowledgeAt: T0 + 29 * MIN },
    },
    {
      name: 'latching SpO2 rule, checkpoint every 15 min',
      run: { checkpointIntervalMs: EVERY_15_MIN, crashAt: everywhere, latchingSpo2: true },
    },
    {
      name: 'latching SpO2 rule acknowledged by a nurse, checkpoint every 15 min',
      run: { checkpointIntervalMs: EVERY_15_MIN, crashAt: sparse, latchingSpo2: true, acknowledgeAt: T0 + 29 * MIN },
    },
  ];

  for (const { name, run } of cases) {
    const title = `${name}: ${run.crashAt.length} crashes store the same alarms and events as an uninterrupted run`;
    it(title, async (t) => {
      const a = await uninterrupted(run);
      const b = await simulate(run);
      t.diagnostic(report('uninterrupted', a));
      t.diagnostic(report('crashed', b));
      const diff = [...histories(b, true)].filter(
        ([k, v]) => JSON.stringify(histories(a, true).get(k)) !== JSON.stringify(v),
      );
      for (const [k, v] of diff) t.diagnostic(`differs: ${k}: ${v.join(' | ')}`);

      // The crashes happened and made the service replay data it had already processed.
      assert.equal(b.crashes.length, run.crashAt.length);
      for (const c of b.crashes) {
        assert.ok(c.replayedEntries > 0, `crash at minute ${minute(c.at)} left nothing to replay`);
        assert.match(c.abandonedWith, /closed|not open/i, 'the abandoned service stopped on its closed log or store');
      }
      if (run.checkpointIntervalMs > MIN) {
        assert.ok(
          b.crashes.some((c) => c.checkpointAgeMs >= 5 * MIN),
          'some crash found its checkpoint at least 5 simulated minutes behind',
        );
      }

      // The same alarms: (rule, onset, raised), nothing missing, nothing extra.
      assert.ok(a.alarms.length >= 7, `the scenario raised too few alarms to mean anything: ${a.alarms.length}`);
      assert.deepEqual(b.alarms.map(alarmKey).sort(), a.alarms.map(alarmKey).sort());
      // No alarm raised twice: one alarm per (rule, onset), one row per id.
      assert.equal(new Set(b.alarms.map((x) => x.id)).size, b.alarms.length);
      assert.equal(new Set(b.alarms.map((x) => `${x.ruleId}|${x.onsetAt}`)).size, b.alarms.length);
      // Every event id stored once, and no change stored twice under another id.
      assert.equal(new Set(b.events.map((e) => e.id)).size, b.events.length);
      assert.equal(new Set(b.events.map((e) => `${e.alarmId}|${e.type}|${e.at}`)).size, b.events.length);
      // Every stored event was handed to the router as fresh exactly once, across all the restarts.
      assert.equal(b.fresh, b.events.length);
      // Each alarm went through the same changes at the same instants: first without the wall-clock
      // escalations, then with them (the test ticks at the same simulated instants in both runs).
      assert.deepEqual(histories(b, false), histories(a, false));
      assert.deepEqual(histories(b, true), histories(a, true));
      const final = (o: Outcome) => o.alarms.map((x) => `${alarmKey(x)} ${x.state} v${x.version}`).sort();
      assert.deepEqual(final(b), final(a));
    });
  }
});
