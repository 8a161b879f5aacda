import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { JsonlHistoryFile, readHistory } from './history-file.js';
import { HistoryFormatError, parseHistoryLine, type HistoryEvent } from './history.js';

const dir = await mkdtemp(join(tmpdir(), 'wardstream-history-'));
after(() => rm(dir, { recursive: true, force: true }));

const EVENTS: HistoryEvent[] = [
  { deviceId: 'sim-0001', boot: 'b1', seq: 1, event: 'sent', at: 10, codes: ['MDC_ECG_HEART_RATE'], ts: 5 },
  { deviceId: 'sim-0001', boot: 'b1', seq: 1, event: 'acked', at: 11 },
  { deviceId: 'sim-0001', boot: 'b1', seq: 2, event: 'sent', at: 12, codes: [], expect: 'unknown-code', resend: true },
  { deviceId: 'sim-0001', boot: 'b1', seq: 2, event: 'rejected', at: 13, reason: 'unknown-code', reasonCode: 0x99 },
];

test('a history round-trips through its file, appended across flushes and reopenings', async () => {
  const path = join(dir, 'round-trip.jsonl');
  const first = await JsonlHistoryFile.open(path);
  first.record(EVENTS[0]!);
  await first.flush();
  first.record(EVENTS[1]!);
  await first.close();
  await first.close();
  assert.throws(() => {
    first.record(EVENTS[2]!);
  }, /closed/);
  const second = await JsonlHistoryFile.open(path);
  second.record(EVENTS[2]!);
  second.record(EVENTS[3]!);
  await second.close();
  assert.deepEqual(await readHistory(path), EVENTS);
  assert.equal((await readFile(path, 'utf8')).split('\n').length, EVENTS.length + 1);
});

test('a final line cut short by a crash is ignored; a bad line elsewhere is an error', async () => {
  const torn = join(dir, 'torn.jsonl');
  await writeFile(torn, EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');
  await appendFile(torn, '{"deviceId":"sim-0001","bo');
  assert.deepEqual(await readHistory(torn), EVENTS);

  const bad = join(dir, 'bad.jsonl');
  await writeFile(bad, `${JSON.stringify(EVENTS[0])}\nnot json\n${JSON.stringify(EVENTS[1])}\n`);
  await assert.rejects(readHistory(bad), (err: unknown) => err instanceof HistoryFormatError && err.line === 2);

  const badLast = join(dir, 'bad-last.jsonl');
  await writeFile(badLast, `${JSON.stringify(EVENTS[0])}\n{"oops": true}\n`);
  await assert.rejects(readHistory(badLast), /line 2: deviceId/);
});

test('history lines are validated field by field', () => {
  assert.throws(() => parseHistoryLine('[]', 1), /not a JSON object/);
  assert.throws(
    () => parseHistoryLine('{"deviceId":"d","boot":"b","seq":1.5,"event":"sent","at":1}', 3),
    /line 3: seq/,
  );
  assert.throws(() => parseHistoryLine('{"deviceId":"d","boot":"b","seq":1,"event":"lost","at":1}', 1), /event must/);
  assert.throws(
    () => parseHistoryLine('{"deviceId":"d","boot":"b","seq":1,"event":"sent","at":1,"codes":[1]}', 1),
    /codes/,
  );
  assert.deepEqual(parseHistoryLine(JSON.stringify(EVENTS[3]), 1), EVENTS[3]);
});

test(
  'a history that cannot be written (disk full) makes flush and close fail',
  { skip: !existsSync('/dev/full') },
  async () => {
    // Linux's /dev/full fails every write with ENOSPC.
    const file = await JsonlHistoryFile.open('/dev/full');
    file.record(EVENTS[0]!);
    await assert.rejects(file.flush(), /cannot write the history \/dev\/full: ENOSPC/);
    file.record(EVENTS[1]!);
    await assert.rejects(file.flush(), /ENOSPC/);
    await assert.rejects(file.close(), /ENOSPC/);
  },
);
