import { parseArgs } from 'node:util';
import {
  analyseRecording,
  QRS_METHOD,
  detectBeats,
  QrsDetector,
  readReferenceBeats,
  readWfdbRecord,
  scoreBeats,
  WfdbError,
} from '@wardstream/ecg';
import type { Command, CommandIo } from './io.js';

const HELP = `Usage: wardstream ecg detect --record PATH [--channel N]
       wardstream ecg eval --record PATH --reference FILE [--channel N] [--window-ms MS] [--skip-s S]
       wardstream ecg rhythm --record PATH [--channel N]

detect  runs the streaming QRS detector over one channel of a WFDB record (header .hea with signal
        formats 16 or 212; PATH with or without .hea) and prints
          {"fs": <Hz>, "beats": [<sample index>, ...]}
eval    also reads reference beats — a WFDB annotation file (e.g. 100.atr: beat annotations only) or
        a CSV with one sample index per line (or index,sample rows) — and scores the detections
        beat by beat per ANSI/AAMI EC57: a detection within 150 ms of a reference beat is a true
        positive, each matched once; the first 5 minutes are left out. Prints one JSON object:
          {"record", "channel", "fs", "windowMs", "skipS", "referenceBeats", "detectedBeats",
           "tp", "fp", "fn", "se", "ppv"}   (se and ppv as fractions, null when undefined)
rhythm  runs the platform's streaming rhythm analysis over the channel with the default policy (the
        channel fed in quarter-second chunks as a monitor sends it) and prints what it would raise:
          {"record", "channel", "fs", "seconds", "beats", "windowsByQuality",
           "episodes": [{"condition", "kind", "startS", "endS", "value"}, ...]}
        conditions: asystole, bradycardia, tachycardia, irregular (rhythm); no-signal, poor-signal
        (lead); times in seconds from the start, endS null when the record ends in the episode.

  --record PATH       the WFDB record
  --channel N         signal number, from 0 (default 0)
  --reference FILE    reference beats (eval)
  --window-ms MS      match window (default 150, EC57)
  --skip-s S          learning period left out (default 300, EC57)
  --help              print this help

Exit status: 0 on success, 1 when the record or the reference cannot be read, 2 for a bad command line.
Detector: ${QRS_METHOD}
`;

export const ecgCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'detect' && sub !== 'eval' && sub !== 'rhythm') {
    return usage(io, `unknown subcommand "${sub}" (expected detect, eval or rhythm)`);
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        record: { type: 'string' },
        channel: { type: 'string' },
        reference: { type: 'string' },
        'window-ms': { type: 'string' },
        'skip-s': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  if (values.help === true) {
    io.stdout.write(HELP);
    return 0;
  }
  const record = values.record;
  if (typeof record !== 'string' || record === '') return usage(io, '--record PATH is required');
  const channel = integer(values.channel, 0);
  const windowMs = integer(values['window-ms'], 150);
  const skipS = integer(values['skip-s'], 300);
  if (channel === null) return usage(io, '--channel must be a whole number ≥ 0');
  if (windowMs === null || windowMs === 0) return usage(io, '--window-ms must be a whole number > 0');
  if (skipS === null) return usage(io, '--skip-s must be a whole number ≥ 0');
  if (sub === 'eval' && (typeof values.reference !== 'string' || values.reference === '')) {
    return usage(io, 'eval needs --reference FILE');
  }
  if (sub !== 'eval' && values.reference !== undefined) return usage(io, '--reference is for eval');

  try {
    const wfdb = await readWfdbRecord(record);
    const signal = wfdb.channels[channel];
    if (signal === undefined) {
      io.stderr.write(
        `wardstream ecg: ${record} has ${wfdb.channels.length} channel(s); --channel ${channel} does not exist\n`,
      );
      return 2;
    }
    if (sub === 'rhythm') {
      const analysis = analyseRecording(signal.physical, wfdb.fsHz);
      io.stdout.write(
        `${JSON.stringify({
          record: wfdb.header.record,
          channel,
          fs: wfdb.fsHz,
          seconds: wfdb.length / wfdb.fsHz,
          ...analysis,
        })}\n`,
      );
      return 0;
    }
    const beats = detectBeats(new QrsDetector(wfdb.fsHz), signal.physical, Math.max(1, Math.round(wfdb.fsHz)));
    if (sub === 'detect') {
      io.stdout.write(`${JSON.stringify({ fs: wfdb.fsHz, beats })}\n`);
      return 0;
    }
    const reference = await readReferenceBeats(values.reference as string);
    const score = scoreBeats(beats, reference, {
      fsHz: wfdb.fsHz,
      windowMs,
      skipMs: skipS * 1000,
      endSample: wfdb.length,
    });
    io.stdout.write(
      `${JSON.stringify({
        record: wfdb.header.record,
        channel,
        fs: wfdb.fsHz,
        windowMs,
        skipS,
        referenceBeats: score.tp + score.fn,
        detectedBeats: score.tp + score.fp,
        ...score,
      })}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof WfdbError) {
      io.stderr.write(`wardstream ecg: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};

function usage(io: CommandIo, problem: string): number {
  io.stderr.write(`wardstream ecg: ${problem}\nRun "wardstream ecg --help" for the options.\n`);
  return 2;
}

function integer(text: string | boolean | undefined, fallback: number): number | null {
  if (text === undefined) return fallback;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) return null;
  return Number(text);
}
