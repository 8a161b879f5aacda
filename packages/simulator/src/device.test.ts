import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Catalogue,
  DEFAULT_PLAUSIBILITY,
  DEFAULT_WIRE_LIMITS,
  deviceId,
  hasFlag,
  validateTelemetry,
  type WireContext,
} from '@wardstream/domain';
import type { OutgoingMessage } from './device.js';
import { SIMULATED_FIRMWARE } from './device-status.js';
import { buildDevices, type FleetPlan } from './fleet-builder.js';
import { DEFAULT_SCENARIO_SETTINGS, SCENARIO_NAMES, type ScenarioName } from './scenario.js';

const START_AT = 1_764_000_000_000;
const CTX: WireContext = {
  catalogue: new Catalogue(),
  plausibility: DEFAULT_PLAUSIBILITY,
  limits: DEFAULT_WIRE_LIMITS,
};
const decoder = new TextDecoder();

const PLAN: FleetPlan = {
  scenario: 'stable',
  scenarioSettings: {
    ...DEFAULT_SCENARIO_SETTINGS,
    deteriorationDurationMs: 120_000,
    dropoutAfterMs: 20_000,
    dropoutDurationMs: 30_000,
    rebootEveryMs: 60_000,
  },
  seed: '7',
  devicePrefix: 'sim-',
  waveforms: true,
  unitVariants: true,
  temperatureIntervalMs: 60_000,
  nibpIntervalMs: 120_000,
  records: [],
};

/** Runs one device of `scenario` for `seconds` at 1 Hz and returns everything it sent, with send times. */
function run(scenario: string, seconds: number, plan: Partial<FleetPlan> = {}): { at: number; m: OutgoingMessage }[] {
  const [device] = buildDevices({ ...PLAN, ...plan, scenario, devices: 1 }, START_AT);
  assert.ok(device !== undefined);
  const out: { at: number; m: OutgoingMessage }[] = [];
  for (let i = 0; i < seconds; i++) {
    const at = START_AT + i * 1000;
    for (const m of device.tick(at).messages) out.push({ at, m });
  }
  for (const m of device.drain()) out.push({ at: START_AT + seconds * 1000, m });
  return out;
}

function body(m: OutgoingMessage): Record<string, unknown> {
  return JSON.parse(decoder.decode(m.payload)) as Record<string, unknown>;
}

/** Every valid message passes the domain's validation, exactly as promised; every bad one is rejected as labelled. */
function assertContract(sent: readonly { at: number; m: OutgoingMessage }[]): void {
  assert.ok(sent.length > 0);
  for (const { at, m } of sent) {
    const verdict = validateTelemetry(CTX, deviceId(m.deviceId), m.payload, at);
    if (m.expect !== undefined) {
      assert.equal(verdict.kind, 'rejected', `malformed ${decoder.decode(m.payload).slice(0, 120)}`);
      assert.equal(verdict.reason, m.expect);
      assert.deepEqual(m.codes, []);
      continue;
    }
    assert.equal(verdict.kind, 'accepted', decoder.decode(m.payload).slice(0, 200));
    assert.deepEqual(verdict.problems, []);
    const b = body(m);
    assert.deepEqual(
      Object.keys(b).filter((k) => k !== 'waveforms'),
      ['seq', 'boot', 'ts', 'readings', 'status'],
    );
    assert.equal(b['seq'], m.seq);
    assert.equal(b['boot'], m.boot);
    assert.equal(b['ts'], m.ts);
    assert.deepEqual(Object.keys(b['status'] as object), ['battery', 'rssi', 'errors', 'firmware']);
    assert.equal(verdict.message.status?.firmware, SIMULATED_FIRMWARE);
    assert.deepEqual(
      verdict.message.readings.map((r) => r.code),
      m.codes,
    );
    for (const r of verdict.message.readings) assert.ok(!hasFlag(r.quality, 'implausible'), `${r.code} ${r.value}`);
  }
}

for (const name of SCENARIO_NAMES) {
  test(`scenario ${name}: every payload keeps the wire contract`, () => {
    assertContract(run(name, 240));
  });
}

test('scenarios combine on one device', () => {
  const sent = run('deteriorating+duplicates+out-of-order+malformed+clock-skew', 240);
  assertContract(sent);
  assert.ok(sent.some((s) => s.m.resend));
  assert.ok(sent.some((s) => s.m.expect !== undefined));
});

test('readings use MDC codes or aliases, UCUM units, and unit variants only when asked', () => {
  const plain = run('stable', 120, { unitVariants: false, waveforms: false }).map((s) => body(s.m));
  const units = new Set(plain.flatMap((b) => (b['readings'] as { unit: string }[]).map((r) => r.unit)));
  assert.deepEqual([...units].sort(), ['%', '/min', 'Cel', 'mm[Hg]']);
  const varied = run('stable:1', 600, { seed: 'variants' }).map((s) => body(s.m));
  const variantUnits = new Set(varied.flatMap((b) => (b['readings'] as { unit: string }[]).map((r) => r.unit)));
  assert.ok(variantUnits.has('1') && variantUnits.has('{beats}/min'), [...variantUnits].join(' '));
});

test('deteriorating: the vitals on the wire drift the septic way', () => {
  const sent = run('deteriorating', 240).map((s) => body(s.m));
  const hr = (b: Record<string, unknown>): number => {
    const r = (b['readings'] as { code: string; value: number }[]).find(
      (x) => x.code === 'MDC_ECG_HEART_RATE' || x.code === 'heart_rate',
    );
    return r?.value ?? NaN;
  };
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(mean(sent.slice(-60).map(hr)) - mean(sent.slice(0, 30).map(hr)) > 20);
});

test('dropout: the SpO2 probe goes silent or is flagged artifact for a while, then returns', () => {
  for (const mode of ['silent', 'artifact'] as const) {
    const settings = { ...PLAN.scenarioSettings, dropoutMode: mode };
    const sent = run('dropout', 120, { scenarioSettings: settings, waveforms: false }).map((s) => body(s.m));
    const spo2 = (b: Record<string, unknown>): { artifact?: boolean } | undefined =>
      (b['readings'] as { code: string; artifact?: boolean }[]).find((r) => /SAT_O2|spo2/.test(r.code));
    const during = sent.slice(25, 45);
    const errors = (b: Record<string, unknown>): string[] => (b['status'] as { errors: string[] }).errors;
    if (mode === 'silent')
      assert.ok(during.every((b) => spo2(b) === undefined && errors(b).includes('SPO2_PROBE_OFF')));
    else assert.ok(during.every((b) => spo2(b)?.artifact === true));
    assert.ok(sent.slice(0, 15).every((b) => spo2(b) !== undefined && spo2(b)?.artifact === undefined));
    assert.ok(sent.slice(60).every((b) => spo2(b) !== undefined && errors(b).length === 0));
  }
});

test('clock-skew: the device reports +1 h, −1 day, or 1970 plus its uptime', () => {
  const offsets = { '+1h': 3_600_000, '-1d': -86_400_000 } as const;
  for (const skew of ['+1h', '-1d', '1970'] as const) {
    const settings = { ...PLAN.scenarioSettings, clockSkew: skew };
    for (const { at, m } of run('clock-skew', 10, { scenarioSettings: settings })) {
      const expected = skew === '1970' ? at - START_AT : at + offsets[skew];
      assert.equal(m.ts, expected);
    }
  }
});

test('duplicates: re-sends repeat the same boot and seq with identical bytes', () => {
  const sent = run('duplicates', 300);
  const resends = sent.filter((s) => s.m.resend);
  assert.ok(resends.length > 10);
  for (const r of resends) {
    const original = sent.find((s) => !s.m.resend && s.m.seq === r.m.seq && s.m.boot === r.m.boot);
    assert.ok(original !== undefined);
    assert.deepEqual(r.m.payload, original.m.payload);
  }
});

test('out-of-order: every message is sent once, shuffled within a bounded window', () => {
  const sent = run('out-of-order', 200);
  const seqs = sent.map((s) => s.m.seq);
  assert.deepEqual(
    [...seqs].sort((a, b) => a - b),
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  assert.notDeepEqual(
    seqs,
    [...seqs].sort((a, b) => a - b),
  );
  const window = PLAN.scenarioSettings.outOfOrderWindow;
  sent.forEach((s, i) => {
    assert.ok(i - (s.m.seq - 1) <= 3 * window, `seq ${s.m.seq} sent ${i - s.m.seq + 1} late`);
  });
});

test('reboot: a new boot id, seq from 1, and a connection restart', () => {
  const [device] = buildDevices({ ...PLAN, scenario: 'reboot', devices: 1 }, START_AT);
  assert.ok(device !== undefined);
  const boots = new Map<string, number[]>();
  let restarts = 0;
  for (let i = 0; i < 200; i++) {
    const tick = device.tick(START_AT + i * 1000);
    if (tick.rebooted) restarts++;
    for (const m of tick.messages) boots.set(m.boot, [...(boots.get(m.boot) ?? []), m.seq]);
  }
  assert.ok(restarts >= 2);
  assert.equal(boots.size, restarts + 1);
  for (const seqs of boots.values())
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
    );
});

test('malformed: a share of messages is bad, of every kind, each labelled', () => {
  const sent = run('malformed', 400, { scenarioSettings: { ...PLAN.scenarioSettings, malformedShare: 0.3 } });
  const expects = new Set(sent.map((s) => s.m.expect).filter((e) => e !== undefined));
  assert.deepEqual([...expects].sort(), [
    'bad-timestamp',
    'malformed-json',
    'missing-seq',
    'payload-too-large',
    'schema',
    'unknown-code',
    'unknown-unit',
  ]);
  const share = sent.filter((s) => s.m.expect !== undefined).length / sent.length;
  assert.ok(share > 0.2 && share < 0.4, `share ${share}`);
});

test('a fleet is deterministic for its seed and start time, and boot ids differ between runs', () => {
  const names: ScenarioName[] = ['stable', 'deteriorating'];
  const plan = { ...PLAN, scenario: names.join(':2,') + ':2' };
  const payloads = (startAt: number): string[] =>
    buildDevices(plan, startAt).flatMap((d) => d.tick(startAt).messages.map((m) => decoder.decode(m.payload)));
  assert.deepEqual(payloads(START_AT), payloads(START_AT));
  const a = buildDevices(plan, START_AT)[0]?.boot;
  const b = buildDevices(plan, START_AT + 1)[0]?.boot;
  assert.notEqual(a, b);
  assert.deepEqual(
    buildDevices(plan, START_AT).map((d) => d.deviceId),
    ['sim-0001', 'sim-0002', 'sim-0003', 'sim-0004'],
  );
});
