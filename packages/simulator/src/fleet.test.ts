import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '@wardstream/domain';
import { Fleet, type FleetOptions } from './fleet.js';
import { buildDevices, type FleetPlan } from './fleet-builder.js';
import { MemoryHistory } from './history.js';
import { Random } from './random.js';
import { DEFAULT_SCENARIO_SETTINGS } from './scenario.js';
import type { DeviceTransport, PublishAnswer, TransportOpenOptions } from './transport.js';

const START_AT = 1_764_000_000_000;
const decoder = new TextDecoder();

/** A transport the test answers by hand. */
class FakeTransport implements DeviceTransport {
  readonly published: { payload: Uint8Array; answer: (a: PublishAnswer) => void }[] = [];
  closedWithGraceMs: number | undefined;
  constructor(readonly open: TransportOpenOptions) {}
  publish(payload: Uint8Array, onAnswer: (answer: PublishAnswer) => void): void {
    this.published.push({ payload, answer: onAnswer });
  }
  close(graceMs: number): Promise<void> {
    this.closedWithGraceMs = graceMs;
    return Promise.resolve();
  }
  /** Answers every publish not yet answered. */
  answerAll(answer: PublishAnswer = { kind: 'acked' }): void {
    for (const p of this.published.splice(0)) p.answer(answer);
  }
}

function setup(scenario: string, options: Partial<FleetOptions> = {}, plan: Partial<FleetPlan> = {}) {
  const clock = new ManualClock(START_AT);
  const transports: FakeTransport[] = [];
  const history = new MemoryHistory();
  const devices = buildDevices(
    {
      scenario,
      scenarioSettings: DEFAULT_SCENARIO_SETTINGS,
      seed: 'fleet',
      devicePrefix: 'sim-',
      waveforms: false,
      unitVariants: false,
      temperatureIntervalMs: 60_000,
      nibpIntervalMs: 300_000,
      records: [],
      ...plan,
    },
    START_AT,
  );
  const fleet = new Fleet({
    devices,
    openTransport: (open) => {
      const t = new FakeTransport(open);
      transports.push(t);
      return t;
    },
    history,
    clock,
    random: new Random('fleet'),
    intervalMs: 1000,
    maxInflightPerDevice: 100,
    connectSpreadMs: 1000,
    rebootCloseGraceMs: 500,
    ...options,
  });
  /** Advances the clock by `ms` in steps of 100 ms, stepping the fleet each time. */
  const run = (ms: number): void => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      fleet.step();
    }
  };
  return { clock, fleet, history, transports, run };
}

test('devices publish at their rate, spread over the interval, seq by seq', () => {
  const { fleet, transports, run } = setup('stable:3');
  fleet.start();
  assert.equal(transports.length, 3);
  assert.ok(transports.every((t) => t.open.connectDelayMs >= 0 && t.open.connectDelayMs <= 1000));
  fleet.step();
  run(10_000);
  // Device i is due at start + i/3 s, then every second: 11 + 10 + 10 by start + 10 s.
  assert.deepEqual(
    transports.map((t) => t.published.length),
    [11, 10, 10],
  );
  for (const t of transports) {
    const seqs = t.published.map((p) => (JSON.parse(decoder.decode(p.payload)) as { seq: number }).seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
    );
  }
  assert.equal(fleet.stats().pending, 31);
});

test('every attempt and every answer lands in the history', () => {
  const { fleet, history, transports, run } = setup('stable:1');
  fleet.start();
  run(3000);
  const t = transports[0]!;
  t.published[0]!.answer({ kind: 'acked' });
  t.published[1]!.answer({ kind: 'rejected', reason: 'unknown-code: readings[0]', reasonCode: 0x99 });
  t.published[2]!.answer({ kind: 'failed', error: 'client disconnecting' });
  const events = history.events.map((e) => [e.seq, e.event, e.reason ?? '']);
  assert.deepEqual(events, [
    [1, 'sent', ''],
    [2, 'sent', ''],
    [3, 'sent', ''],
    [4, 'sent', ''],
    [1, 'acked', ''],
    [2, 'rejected', 'unknown-code: readings[0]'],
  ]);
  const sent = history.events[0]!;
  assert.equal(sent.deviceId, 'sim-0001');
  assert.equal(sent.ts, START_AT);
  assert.ok((sent.codes ?? []).includes('MDC_ECG_HEART_RATE'));
  assert.equal(history.events[5]!.reasonCode, 0x99);
  const stats = fleet.stats();
  assert.deepEqual([stats.sent, stats.acked, stats.rejected, stats.abandoned, stats.pending], [4, 1, 1, 1, 1]);
});

/** Whether a gateway could read a usable seq from this payload. */
function namesItsSeq(payload: Uint8Array): boolean {
  if (payload.byteLength > 64 * 1024) return false;
  try {
    return typeof (JSON.parse(decoder.decode(payload)) as { seq?: unknown }).seq === 'number';
  } catch {
    return false;
  }
}

test('errors-topic reports name their message, or match the oldest unidentifiable one', () => {
  const { fleet, history, transports, run } = setup(
    'malformed:1',
    {},
    {
      scenarioSettings: { ...DEFAULT_SCENARIO_SETTINGS, malformedShare: 0.5 },
    },
  );
  fleet.start();
  run(60_000);
  const sent = history.events.filter((e) => e.event === 'sent');
  const listener = transports[0]!.open.listener;
  const named = sent.find((e) => e.expect === 'unknown-code')!;
  listener.onErrorReport({ seq: named.seq, boot: named.boot, reason: 'unknown-code', detail: 'readings[0]' });
  listener.onErrorReport({ reason: 'malformed-json' });
  listener.onErrorReport({ reason: 'missing-seq' });
  // A partial store is not a rejection, and takes nothing off the queue.
  listener.onErrorReport({ seq: 1, boot: named.boot, reason: 'items-refused', detail: 'stored without 1 item(s)' });
  const rejected = history.events.filter((e) => e.event === 'rejected');
  assert.deepEqual(rejected[0], {
    deviceId: 'sim-0001',
    boot: named.boot,
    seq: named.seq,
    event: 'rejected',
    at: rejected[0]!.at,
    reason: 'unknown-code: readings[0]',
  });
  // Reports without a seq go, in order, to the messages whose payload named no usable seq.
  const published = transports[0]!.published.map((p, i) => ({ seq: i + 1, payload: p.payload }));
  const unnamed = published.filter((p) => !namesItsSeq(p.payload)).map((p) => p.seq);
  assert.ok(unnamed.length >= 2);
  assert.deepEqual([rejected[1]!.seq, rejected[2]!.seq], unnamed.slice(0, 2));
  assert.equal(fleet.stats().unattributed, 0);
  assert.equal(fleet.stats().partiallyStored, 1);
  assert.equal(history.events.filter((e) => e.event === 'rejected').length, 3);
});

test('a device with too many unanswered publishes skips its turns instead of piling up', () => {
  const { fleet, transports, run } = setup('stable:2', { maxInflightPerDevice: 5 });
  fleet.start();
  run(20_000);
  const stats = fleet.stats();
  assert.deepEqual(
    transports.map((t) => t.published.length),
    [5, 5],
  );
  assert.equal(stats.pending, 10);
  assert.ok(stats.throttled >= 28);
  transports[0]!.answerAll();
  run(2000);
  assert.ok(transports[0]!.published.length >= 1);
});

test('a message limit stops composing after that many messages', () => {
  const { fleet, run } = setup('stable:4', { messageLimit: 7 });
  fleet.start();
  run(30_000);
  assert.equal(fleet.stats().composed, 7);
  assert.equal(fleet.done, true);
});

test('stop releases held messages, waits for answers, and closes every connection', async () => {
  const { fleet, history, transports, run } = setup('out-of-order:1');
  fleet.start();
  run(20_000);
  const beforeStop = transports[0]!.published.length;
  assert.ok(beforeStop < 21, 'the out-of-order window holds messages back');
  const stopping = fleet.stop(60_000);
  assert.equal(transports[0]!.published.length, 21);
  transports[0]!.answerAll();
  const stats = await stopping;
  assert.deepEqual([stats.pending, stats.abandoned, stats.acked], [0, 0, 21]);
  assert.equal(transports[0]!.closedWithGraceMs, 0);
  assert.equal(new Set(history.events.filter((e) => e.event === 'sent').map((e) => e.seq)).size, 21);
  assert.equal(fleet.step(), 0);
});

test('stop gives up after the drain timeout; unanswered publishes count as abandoned', async () => {
  const { fleet, run } = setup('stable:2');
  fleet.start();
  run(3000);
  const stats = await fleet.stop(10);
  assert.deepEqual([stats.pending, stats.abandoned], [0, 7]);
});

test('a rebooting device closes its connection and opens a new one after the old is closed', async () => {
  const { fleet, history, transports, run } = setup(
    'reboot:1',
    {},
    {
      scenarioSettings: { ...DEFAULT_SCENARIO_SETTINGS, rebootEveryMs: 10_000, rebootDowntimeMs: 2_000 },
    },
  );
  fleet.start();
  transports[0]!.open.listener.onConnect();
  assert.equal(fleet.stats().connected, 1);
  run(15_000);
  assert.equal(transports.length, 2);
  assert.equal(transports[0]!.closedWithGraceMs, 500);
  assert.ok(transports[1]!.open.after !== undefined);
  await transports[1]!.open.after;
  assert.equal(fleet.stats().connected, 0);
  // The old connection's events no longer count; the new one's do.
  transports[0]!.open.listener.onConnect();
  assert.equal(fleet.stats().connected, 0);
  transports[1]!.open.listener.onConnect();
  assert.equal(fleet.stats().connected, 1);
  const boots = [...new Set(history.events.map((e) => e.boot))];
  assert.equal(boots.length, 2);
  const secondBoot = history.events.filter((e) => e.boot === boots[1]).map((e) => e.seq);
  assert.equal(secondBoot[0], 1);
  assert.ok(transports[1]!.published.length > 0);
});

test('connections lost are counted with their reason', () => {
  const { fleet, transports } = setup('stable:2');
  fleet.start();
  transports[0]!.open.listener.onConnect();
  transports[1]!.open.listener.onConnect();
  transports[1]!.open.listener.onDisconnect('connect ECONNREFUSED 127.0.0.1:1884');
  const stats = fleet.stats();
  assert.deepEqual([stats.connected, stats.everConnected, stats.disconnects], [1, 2, 1]);
  assert.equal(stats.lastError, 'connect ECONNREFUSED 127.0.0.1:1884');
});
