import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDelivery, type StoredReadingKey } from './checker.js';
import { formatDeliveryReport } from './delivery-report.js';
import type { HistoryEvent } from './history.js';

const CODES = ['MDC_ECG_HEART_RATE', 'MDC_PULS_OXIM_SAT_O2'];

/** A history builder: `sent` then the answer, per message, in order. */
class H {
  readonly events: HistoryEvent[] = [];
  private at = 0;
  sent(deviceId: string, seq: number, extra: Partial<HistoryEvent> = {}, boot = 'b1'): this {
    this.events.push({ deviceId, boot, seq, event: 'sent', at: this.at++, codes: CODES, ts: 1000 + seq, ...extra });
    return this;
  }
  acked(deviceId: string, seq: number, boot = 'b1'): this {
    this.events.push({ deviceId, boot, seq, event: 'acked', at: this.at++ });
    return this;
  }
  rejected(deviceId: string, seq: number, reason: string, boot = 'b1'): this {
    this.events.push({ deviceId, boot, seq, event: 'rejected', at: this.at++, reason });
    return this;
  }
  /** Sends and acknowledges seq 1..n. */
  ackedRun(deviceId: string, n: number): this {
    for (let seq = 1; seq <= n; seq++) this.sent(deviceId, seq).acked(deviceId, seq);
    return this;
  }
}

function rows(deviceId: string, seqs: readonly number[], codes = CODES, boot = 'b1'): StoredReadingKey[] {
  return seqs.flatMap((seq) => codes.map((code) => ({ deviceId, boot, seq, code })));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('everything acknowledged and stored once: pass', () => {
  const h = new H().ackedRun('d1', 5).ackedRun('d2', 3);
  const r = checkDelivery(h.events, [...rows('d1', range(1, 5)), ...rows('d2', range(1, 3))]);
  assert.equal(r.ok, true);
  assert.deepEqual(
    [r.attempted, r.acknowledged, r.stored, r.storedReadings, r.lost.total, r.unexpected.total, r.duplicates.total],
    [8, 8, 8, 16, 0, 0, 0],
  );
  assert.match(formatDeliveryReport(r), /Result: PASS\n$/);
});

test('lost messages are split per device into prefix, middle and suffix', () => {
  const h = new H().ackedRun('d1', 10).ackedRun('d2', 4);
  const stored = [...rows('d1', [3, 4, 6, 7, 8]), ...rows('d2', [])];
  const r = checkDelivery(h.events, stored);
  assert.equal(r.ok, false);
  assert.deepEqual([r.lost.total, r.lost.prefix, r.lost.middle, r.lost.suffix], [9, 2, 1, 6]);
  assert.deepEqual(r.lost.byDevice, [
    { deviceId: 'd1', prefix: 2, middle: 1, suffix: 2 },
    // Nothing of d2 is stored: its whole run is a lost suffix.
    { deviceId: 'd2', prefix: 0, middle: 0, suffix: 4 },
  ]);
  const report = formatDeliveryReport(r);
  assert.match(report, /lost\s+9\s+prefix 2, middle 1, suffix 6/);
  assert.match(report, /d1 boot b1 seq 1 \(prefix\)/);
  assert.match(report, /Result: FAIL/);
});

test('a message with one acknowledged reading missing is lost, naming the reading', () => {
  const h = new H().ackedRun('d1', 3);
  const stored = [...rows('d1', [1, 3]), ...rows('d1', [2], ['MDC_ECG_HEART_RATE'])];
  const r = checkDelivery(h.events, stored);
  assert.equal(r.lost.total, 1);
  assert.deepEqual(r.lost.messages[0], {
    deviceId: 'd1',
    boot: 'b1',
    seq: 2,
    position: 'middle',
    missingCodes: ['MDC_PULS_OXIM_SAT_O2'],
    whole: false,
  });
});

test('duplicates are readings stored twice under the same key', () => {
  const h = new H().ackedRun('d1', 3);
  const stored = [...rows('d1', [1, 2, 3]), ...rows('d1', [2]), ...rows('d1', [2], ['MDC_ECG_HEART_RATE'])];
  const r = checkDelivery(h.events, stored);
  assert.equal(r.duplicates.total, 2);
  assert.deepEqual(r.duplicates.readings[0], {
    deviceId: 'd1',
    boot: 'b1',
    seq: 2,
    code: 'MDC_ECG_HEART_RATE',
    count: 3,
  });
  assert.equal(r.ok, false);
  assert.match(formatDeliveryReport(r), /d1 boot b1 seq 2 MDC_ECG_HEART_RATE ×3/);
});

test('a re-sent message (same boot and seq) is one attempt, stored once', () => {
  const h = new H().sent('d1', 1).sent('d1', 1, { resend: true }).acked('d1', 1).acked('d1', 1);
  const r = checkDelivery(h.events, rows('d1', [1]));
  assert.deepEqual([r.attempted, r.acknowledged, r.duplicates.total, r.ok], [1, 1, 0, true]);
});

test('unexpected: stored but never attempted, or a code the message never carried', () => {
  const h = new H().ackedRun('d1', 2);
  const stored = [
    ...rows('d1', [1, 2]),
    ...rows('d1', [9]),
    { deviceId: 'd1', boot: 'b1', seq: 2, code: 'MDC_TEMP_BODY' },
    ...rows('d1', [1], CODES, 'old-boot'),
  ];
  const r = checkDelivery(h.events, stored);
  assert.equal(r.unexpected.total, 5);
  assert.equal(r.unexpected.otherRuns, 2);
  assert.equal(r.ok, false);
});

test('recovered: sent, never answered, yet stored — allowed', () => {
  const h = new H().ackedRun('d1', 2).sent('d1', 3).sent('d1', 4);
  const r = checkDelivery(h.events, rows('d1', [1, 2, 3]));
  assert.deepEqual([r.recovered.total, r.unanswered, r.lost.total, r.ok], [1, 2, 0, true]);
  assert.deepEqual(r.recovered.messages, [{ deviceId: 'd1', boot: 'b1', seq: 3 }]);
});

test('rejected messages are not promised, must not be stored, and are checked against their label', () => {
  const h = new H()
    .ackedRun('d1', 2)
    .sent('d1', 3, { codes: [], expect: 'unknown-code' })
    .rejected('d1', 3, 'unknown-code: readings[0] …')
    .sent('d1', 4, { codes: [], expect: 'missing-seq' })
    .acked('d1', 4)
    .rejected('d1', 4, 'malformed-json')
    .sent('d1', 5, { codes: [], expect: 'schema' })
    .acked('d1', 5);
  const clean = checkDelivery(h.events, rows('d1', [1, 2]));
  assert.equal(clean.ok, true);
  assert.deepEqual([clean.rejected, clean.acknowledged, clean.lost.total], [2, 3, 0]);
  assert.deepEqual(clean.malformed, {
    sent: 3,
    rejectedAsLabelled: 1,
    rejectedOtherwise: 1,
    acceptedInstead: 1,
    unanswered: 0,
  });
  const flagged = checkDelivery(h.events, [...rows('d1', [1, 2]), ...rows('d1', [3], ['MDC_ECG_HEART_RATE'])]);
  assert.equal(flagged.ok, false);
  assert.deepEqual(flagged.rejectedStored.messages, [{ deviceId: 'd1', boot: 'b1', seq: 3 }]);
  assert.equal(flagged.unexpected.total, 0);
  assert.match(formatDeliveryReport(flagged), /rejected-stored\s+1/);
});

test('boots keep a rebooted device’s messages apart', () => {
  const h = new H().sent('d1', 1, {}, 'b1').acked('d1', 1, 'b1').sent('d1', 1, {}, 'b2').acked('d1', 1, 'b2');
  const r = checkDelivery(h.events, rows('d1', [1], CODES, 'b1'));
  assert.equal(r.attempted, 2);
  assert.deepEqual(
    r.lost.messages.map((l) => [l.boot, l.position]),
    [['b2', 'suffix']],
  );
});

test('a history without codes is checked message by message', () => {
  const events: HistoryEvent[] = [
    { deviceId: 'd1', boot: '', seq: 1, event: 'sent', at: 1 },
    { deviceId: 'd1', boot: '', seq: 1, event: 'acked', at: 2 },
    { deviceId: 'd1', boot: '', seq: 2, event: 'sent', at: 3 },
    { deviceId: 'd1', boot: '', seq: 2, event: 'acked', at: 4 },
  ];
  const r = checkDelivery(events, [{ deviceId: 'd1', boot: '', seq: 1, code: 'ANY' }]);
  assert.deepEqual([r.lost.total, r.unexpected.total], [1, 0]);
  assert.match(formatDeliveryReport(r), /d1 boot \(none\) seq 2 \(suffix\)/);
});
