import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QrsDetector, readReferenceBeats, readWfdbRecord, scoreBeats } from '@wardstream/ecg';
import { main } from './cli.js';
import { runCommand } from './testing/run-command.js';

const MITDB = new URL('../../ecg/test-data/mitdb/', import.meta.url).pathname;

const run = (argv: string[]) => runCommand(main, argv);

test('ecg detect prints the sampling rate and the beats of the detector run in one pass', async () => {
  const { code, stdout } = await run(['ecg', 'detect', '--record', `${MITDB}116_ch0.hea`]);
  assert.equal(code, 0);
  const out = JSON.parse(stdout) as { fs: number; beats: number[] };
  assert.deepEqual(Object.keys(out), ['fs', 'beats']);
  assert.equal(out.fs, 360);
  const record = await readWfdbRecord(`${MITDB}116_ch0`);
  const detector = new QrsDetector(360);
  const oneShot = [...detector.push(record.channels[0]!.physical), ...detector.flush()];
  assert.deepEqual(out.beats, oneShot);
});

test('ecg eval scores per EC57 against an .atr file or a CSV, with the same counts', async () => {
  const atr = await run(['ecg', 'eval', '--record', `${MITDB}100`, '--reference', `${MITDB}100.atr`]);
  const csv = await run([
    'ecg',
    'eval',
    '--record',
    `${MITDB}100.hea`,
    '--reference',
    `${MITDB}100_all.csv`,
    '--channel',
    '0',
  ]);
  assert.equal(atr.code, 0, atr.stderr);
  assert.equal(atr.stdout, csv.stdout);
  const result = JSON.parse(atr.stdout) as Record<string, number>;
  const beats = JSON.parse((await run(['ecg', 'detect', '--record', `${MITDB}100`])).stdout) as { beats: number[] };
  const expected = scoreBeats(beats.beats, await readReferenceBeats(`${MITDB}100.atr`), {
    fsHz: 360,
    endSample: 650_000,
  });
  assert.deepEqual(
    { tp: result.tp, fp: result.fp, fn: result.fn, se: result.se, ppv: result.ppv },
    { tp: expected.tp, fp: expected.fp, fn: expected.fn, se: expected.se, ppv: expected.ppv },
  );
  assert.equal(result.windowMs, 150);
  assert.equal(result.skipS, 300);
  assert.equal(result.referenceBeats, result.tp! + result.fn!);
  // a narrower window can only lose matches
  const narrow = JSON.parse(
    (await run(['ecg', 'eval', '--record', `${MITDB}100`, '--reference', `${MITDB}100.atr`, '--window-ms', '10']))
      .stdout,
  ) as Record<string, number>;
  assert.ok(narrow.tp! <= result.tp!);
});

test('ecg rhythm prints what the rhythm analysis raises on a record (v102s: poor signal only)', async () => {
  const v102s = new URL('../../ecg/test-data/challenge2015/v102s.hea', import.meta.url).pathname;
  const { code, stdout, stderr } = await run(['ecg', 'rhythm', '--record', v102s]);
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout) as {
    fs: number;
    seconds: number;
    beats: number;
    episodes: { condition: string; kind: string }[];
  };
  assert.equal(out.fs, 250);
  assert.equal(out.seconds, 300);
  assert.ok(out.beats > 400);
  assert.ok(out.episodes.length > 0);
  assert.ok(out.episodes.every((e) => e.condition === 'poor-signal' && e.kind === 'lead'));
  const clean = JSON.parse((await run(['ecg', 'rhythm', '--record', `${MITDB}100`])).stdout) as { episodes: unknown[] };
  assert.deepEqual(clean.episodes, []);
});

test('ecg errors: usage problems exit 2, unreadable files exit 1, each with a line naming the problem', async () => {
  const cases: [string[], number, RegExp][] = [
    [['ecg'], 2, /Usage: wardstream ecg detect/],
    [['ecg', 'score'], 2, /unknown subcommand "score" \(expected detect, eval or rhythm\)/],
    [['ecg', 'rhythm', '--record', `${MITDB}100`, '--reference', 'x'], 2, /--reference is for eval/],
    [['ecg', 'detect'], 2, /--record PATH is required/],
    [['ecg', 'eval', '--record', `${MITDB}100`], 2, /eval needs --reference FILE/],
    [['ecg', 'detect', '--record', `${MITDB}100`, '--channel', 'x'], 2, /--channel must be a whole number/],
    [
      ['ecg', 'detect', '--record', `${MITDB}100`, '--channel', '5'],
      2,
      /has 2 channel\(s\); --channel 5 does not exist/,
    ],
    [['ecg', 'detect', '--record', `${MITDB}100`, '--bogus'], 2, /Unknown option '--bogus'/],
    [['ecg', 'detect', '--record', '/no/such/record'], 1, /cannot read WFDB header \/no\/such\/record\.hea/],
    [['ecg', 'eval', '--record', `${MITDB}100`, '--reference', '/no/such.csv'], 1, /cannot read reference beats/],
  ];
  for (const [argv, code, message] of cases) {
    const r = await run(argv);
    assert.equal(r.code, code, argv.join(' '));
    assert.match(argv.length === 1 ? r.stdout : r.stderr, message, argv.join(' '));
  }
});
