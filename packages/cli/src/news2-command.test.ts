import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from './cli.js';
import { news2Command } from './news2-command.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as parsed JSON lines (parsed when read). */
  readonly lines: unknown[];
}

/** Runs the command with standard input fed in the given chunks (none: no stdin at all). */
async function run(argv: string[], ...stdinChunks: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    ...(stdinChunks.length > 0 ? { stdin: Readable.from(stdinChunks) } : {}),
  };
  const code = await news2Command(argv, io);
  return {
    code,
    stdout,
    stderr,
    get lines() {
      return stdout === ''
        ? []
        : stdout
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l) as unknown);
    },
  };
}

const NORMAL = {
  respirationRate: 16,
  spo2: 98,
  spo2Scale: 1,
  onOxygen: false,
  systolicBP: 120,
  pulse: 70,
  consciousness: 'A',
  temperatureC: 37.0,
};
const NORMAL_SCORE = {
  subscores: { respirationRate: 0, spo2: 0, airOrOxygen: 0, systolicBP: 0, pulse: 0, consciousness: 0, temperature: 0 },
  aggregate: 0,
  anySingleParameter3: false,
  clinicalRisk: 'low',
};
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

describe('wardstream news2', () => {
  it('writes exactly the four result keys, subscores in chart order, and exits 0', async () => {
    const result = await run([], line(NORMAL), line({ ...NORMAL, pulse: 35 }));
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.deepEqual(result.lines[0], NORMAL_SCORE);
    assert.equal(
      result.stdout.split('\n')[0],
      '{"subscores":{"respirationRate":0,"spo2":0,"airOrOxygen":0,"systolicBP":0,"pulse":0,"consciousness":0,' +
        '"temperature":0},"aggregate":0,"anySingleParameter3":false,"clinicalRisk":"low"}',
    );
    assert.deepEqual(result.lines[1], {
      ...NORMAL_SCORE,
      subscores: { ...NORMAL_SCORE.subscores, pulse: 3 },
      aggregate: 3,
      anySingleParameter3: true,
      clinicalRisk: 'low-medium',
    });
  });

  it('answers every input line with one output line, bad and blank ones included, and exits 1', async () => {
    const input = [line(NORMAL), '{"respirationRate": 16,\n', '\n', line({ ...NORMAL, pulse: 'fast' }), line(NORMAL)];
    const result = await run([], input.join(''));
    assert.equal(result.code, 1);
    assert.equal(result.lines.length, 5);
    assert.deepEqual(result.lines[0], NORMAL_SCORE);
    const [, notJson, blank, badPulse, last] = result.lines as {
      error: { line: number; field: unknown; message: string };
    }[];
    assert.equal(notJson?.error.line, 2);
    assert.equal(notJson.error.field, null);
    assert.match(notJson.error.message, /^not JSON/);
    assert.deepEqual(blank, { error: { line: 3, field: null, message: 'empty line' } });
    assert.equal(badPulse?.error.line, 4);
    assert.equal(badPulse.error.field, 'pulse');
    assert.match(badPulse.error.message, /expected pulse per minute/);
    assert.deepEqual(last, NORMAL_SCORE);
    assert.equal(result.stderr, 'news2: 3 of 5 lines failed\n');
  });

  it('takes lines split across chunks, CRLF endings and a missing final newline', async () => {
    const text = `${JSON.stringify(NORMAL)}\r\n${JSON.stringify(NORMAL)}`;
    const result = await run([], text.slice(0, 30), text.slice(30, 100), text.slice(100));
    assert.equal(result.code, 0);
    assert.deepEqual(result.lines, [NORMAL_SCORE, NORMAL_SCORE]);
  });

  it('scores nothing from empty input and exits 0', async () => {
    const result = await run([], '');
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, '', '']);
  });

  it('names a line that is JSON but not an object', async () => {
    const result = await run([], '[1, 2]\n');
    assert.equal(result.code, 1);
    assert.deepEqual(result.lines, [
      { error: { line: 1, field: null, message: 'expected a JSON object of observations, got an array' } },
    ]);
  });

  describe('with --input FILE', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'ws-news2-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads the file and ignores standard input', async () => {
      const file = join(dir, 'obs.jsonl');
      await writeFile(file, `\uFEFF${line(NORMAL)}${line({ ...NORMAL, respirationRate: 25 })}`);
      const result = await run(['--input', file], 'not read\n');
      assert.equal(result.code, 0);
      assert.equal(result.lines.length, 2);
      assert.deepEqual(result.lines[0], NORMAL_SCORE);
      assert.deepEqual((await run([`--input=${file}`])).lines, result.lines);
    });

    it('exits 2 with one line on stderr for a file that is missing or is a directory', async () => {
      for (const path of [join(dir, 'missing.jsonl'), dir]) {
        const result = await run(['--input', path]);
        assert.equal(result.code, 2);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, new RegExp(`^wardstream news2: cannot read ${path}: .+\\n$`));
      }
    });
  });

  it('exits 2 for a bad command line, saying what is wrong in one line', async () => {
    const cases: [string[], RegExp][] = [
      [['--inptu', 'x'], /unknown option --inptu/],
      [['obs.jsonl'], /unexpected argument "obs.jsonl"/],
      [['--input'], /--input needs a file name/],
      [['--input', '--help'], /--input needs a file name/],
      [['--input', 'a', '--input', 'b'], /--input is given twice/],
      [[], /no standard input here; give --input FILE/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
      assert.equal(result.stdout, '');
    }
  });

  it('prints help with the input fields and the output format', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    for (const field of ['respirationRate', 'spo2Scale', 'onOxygen', 'consciousness', 'temperatureC', '"error"'])
      assert.ok(result.stdout.includes(field), field);
    assert.match(result.stdout, /low, low-medium, medium or high/);
  });

  it('is a wardstream command', async () => {
    let stdout = '';
    const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: {} };
    assert.equal(await main([], io), 2);
    assert.match(stdout, /news2\s+score NEWS2 for JSON lines of observations \(RCP 2017\)/);
    assert.equal(await main(['news2', '--help'], io), 0);
    assert.match(stdout, /Usage: wardstream news2/);
  });
});

describe('wardstream news2: every case of news2_examples.json', () => {
  interface ExampleCase {
    readonly id: string;
    readonly input: Readonly<Record<string, unknown>>;
    readonly expected: unknown;
  }
  it('scores each case as expected, in order', async () => {
    // Tests run from packages/cli/dist; the sample lives with the clinical package (see its SOURCES.md).
    const url = new URL('../../clinical/test-data/news2_examples.json', import.meta.url);
    const { cases } = JSON.parse(await readFile(url, 'utf8')) as { cases: ExampleCase[] };
    // One published case also carries diastolicBP, which NEWS2 does not use and the command rejects.
    const news2Only = cases.map(({ input: { diastolicBP: _unused, ...input } }) => input);
    const result = await run([], news2Only.map(line).join(''));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.lines.length, cases.length);
    for (const [i, example] of cases.entries()) assert.deepEqual(result.lines[i], example.expected, example.id);
  });

  it('rejects a case with a field NEWS2 does not use, naming it', async () => {
    const result = await run([], line({ ...NORMAL, diastolicBP: 60 }));
    assert.equal(result.code, 1);
    assert.deepEqual((result.lines[0] as { error: { field: string } }).error.field, 'diastolicBP');
  });
});
