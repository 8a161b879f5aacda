import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseNews2Input, scoreNews2 } from '@wardstream/clinical';
import type { Command } from './io.js';

const HELP = `Usage: wardstream news2 [--input FILE]

Scores NEWS2 (Royal College of Physicians, 2017, charts 1 and 2) for JSON lines of observations read
from FILE, or from standard input, and writes one JSON line per input line, in the same order.

Each input line is one JSON object with exactly these fields:
  respirationRate   breaths per minute
  spo2              SpO2, %
  spo2Scale         1; or 2 only with a clinician-documented SpO2 target of 88-92 %
  onOxygen          true on supplemental oxygen, false on air
  systolicBP        mmHg
  pulse             beats per minute
  consciousness     ACVPU: "A", "C" (new confusion), "V", "P" or "U"
  temperatureC      degrees Celsius
Numbers are rounded half up to the chart's precision (whole numbers; 0.1 for temperature).

Each output line is the score:
  {"subscores":{"respirationRate":0,"spo2":0,"airOrOxygen":0,"systolicBP":0,"pulse":0,
   "consciousness":0,"temperature":0},"aggregate":0,"anySingleParameter3":false,"clinicalRisk":"low"}
  where clinicalRisk is low, low-medium, medium or high;
or, for a line that cannot be scored (an empty line included):
  {"error":{"line":3,"field":"pulse","message":"..."}}
  where field is null when the line is empty or not a JSON object.

Exit status: 0 when every line was scored, 1 when any line failed (with a count on stderr),
2 for a bad command line or an unreadable file.

  --input FILE   read the observations from FILE instead of standard input
  --help         print this help
`;

type Options = { readonly help: boolean; readonly input?: string } | { readonly problem: string };

function parseOptions(argv: readonly string[]): Options {
  let input: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    const value = arg === '--input' ? argv[++i] : arg.startsWith('--input=') ? arg.slice('--input='.length) : null;
    if (value === null)
      return { problem: arg.startsWith('-') ? `unknown option ${arg}` : `unexpected argument "${arg}"` };
    if (input !== undefined) return { problem: '--input is given twice' };
    if (value === undefined || value === '' || (arg === '--input' && value.startsWith('--')))
      return { problem: '--input needs a file name' };
    input = value;
  }
  return input === undefined ? { help: false } : { help: false, input };
}

/** One output line: the score, or the reason the input line has none. */
type OutputLine =
  | {
      readonly subscores: Readonly<Record<string, number>>;
      readonly aggregate: number;
      readonly anySingleParameter3: boolean;
      readonly clinicalRisk: string;
    }
  | { readonly error: { readonly line: number; readonly field: string | null; readonly message: string } };

function scoreLine(text: string, line: number): OutputLine {
  if (text.trim() === '') return { error: { line, field: null, message: 'empty line' } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: { line, field: null, message: `not JSON: ${(err as Error).message}` } };
  }
  const parsed = parseNews2Input(value);
  if (!parsed.ok) return { error: { line, field: parsed.field, message: parsed.message } };
  const { subscores, aggregate, anySingleParameter3, clinicalRisk } = scoreNews2(parsed.input);
  return { subscores, aggregate, anySingleParameter3, clinicalRisk };
}

/**
 * `wardstream news2 [--input FILE]` (see HELP): reads line by line, so a file of any length is scored
 * in constant memory, and writes exactly one line per input line (a final newline does not start
 * another line). Returns 0 when every line was scored, 1 when any failed, 2 for a bad command line or
 * an input that cannot be read.
 */
export const news2Command: Command = async (argv, io) => {
  const options = parseOptions(argv);
  if ('problem' in options) {
    io.stderr.write(`wardstream news2: ${options.problem} (see --help)\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const source = options.input ?? 'standard input';
  let input: NodeJS.ReadableStream;
  if (options.input !== undefined) {
    const file = createReadStream(options.input, { encoding: 'utf8' });
    try {
      await once(file, 'ready');
    } catch (err) {
      io.stderr.write(`wardstream news2: cannot read ${source}: ${(err as Error).message}\n`);
      return 2;
    }
    input = file;
  } else if (io.stdin !== undefined) {
    input = io.stdin;
  } else {
    io.stderr.write('wardstream news2: no standard input here; give --input FILE (see --help)\n');
    return 2;
  }
  let lines = 0;
  let failed = 0;
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      lines++;
      const output = scoreLine(lines === 1 ? text.replace(/^\uFEFF/, '') : text, lines);
      if ('error' in output) failed++;
      io.stdout.write(`${JSON.stringify(output)}\n`);
    }
  } catch (err) {
    io.stderr.write(`wardstream news2: cannot read ${source}: ${(err as Error).message}\n`);
    return 2;
  }
  if (failed === 0) return 0;
  io.stderr.write(`news2: ${failed} of ${lines} lines failed\n`);
  return 1;
};
