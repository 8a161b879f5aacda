import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { readWfdbRecord } from '@wardstream/ecg';

/**
 * A recording to replay: equally sampled channels at one rate, in physical units. Read from a WFDB
 * record (`.hea` and its signal files) or a CSV of signals (PhysioNet's BIDMC `*_Signals.csv` layout).
 */
export interface Recording {
  /** The record's name (WFDB record name, or the CSV's file name without extension). */
  readonly name: string;
  readonly fsHz: number;
  /** Samples per channel. */
  readonly length: number;
  readonly channels: readonly RecordingChannel[];
}

export interface RecordingChannel {
  /** As the record names it (WFDB signal description, CSV column header without its unit). */
  readonly name: string;
  /** Physical unit as the record states it; undefined when a CSV column gives none. */
  readonly unit: string | undefined;
  readonly samples: ArrayLike<number>;
}

/** A recording that cannot be read; the message names the file and, for a CSV, the line and column. */
export class RecordingError extends Error {
  override readonly name = 'RecordingError';
}

/**
 * Reads `path`: a CSV when it ends in `.csv`, otherwise a WFDB record (`100`, `100.hea`). `fsHz` is the
 * sampling rate of a CSV without a time column (and overrides one that has it); WFDB headers state their own.
 */
export async function readRecording(path: string, fsHz?: number): Promise<Recording> {
  if (extname(path).toLowerCase() === '.csv') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new RecordingError(`cannot read ${path}: ${(err as Error).message}`);
    }
    return parseSignalsCsv(text, basename(path, extname(path)), path, fsHz);
  }
  if (fsHz !== undefined)
    throw new RecordingError('--fs applies to CSV recordings only: a WFDB header states its rate');
  let record;
  try {
    record = await readWfdbRecord(path);
  } catch (err) {
    throw new RecordingError((err as Error).message);
  }
  return {
    name: record.header.record,
    fsHz: record.fsHz,
    length: record.length,
    channels: record.channels.map((c, i) => ({
      name: c.spec.description === '' ? `signal ${i}` : c.spec.description,
      unit: c.spec.units,
      samples: c.physical.subarray(0, record.length),
    })),
  };
}

/** Header names of a time column (compared case-insensitively, without a unit). */
const TIME_NAMES = new Set(['time', 't', 'elapsed time']);
const TIME_UNITS: Readonly<Record<string, number>> = { s: 1, sec: 1, ms: 0.001 };

interface Column {
  readonly name: string;
  readonly unit: string | undefined;
}

/** `II [mV]` → name II, unit mV; `PLETH` → unit undefined. */
function column(header: string): Column {
  const m = /^(.*?)\s*\[([^\]]*)\]$/.exec(header.trim());
  return m === null ? { name: header.trim(), unit: undefined } : { name: (m[1] ?? '').trim(), unit: m[2]?.trim() };
}

/**
 * A CSV of signals: a header line naming the columns (`Time [s], RESP, PLETH, V, AVR, II`; a unit in
 * brackets is optional), then one line per sample instant, every field a number. A column named Time
 * (in s, or ms with `[ms]`) gives the sampling rate, which must be regular; without one, `fsHz` must be
 * given. Blank lines are skipped; `source` names the file in errors.
 */
export function parseSignalsCsv(text: string, name: string, source: string, fsHz?: number): Recording {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex === -1) throw new RecordingError(`${source}: the file is empty`);
  const columns = (lines[headerIndex] ?? '').split(',').map(column);
  const timeIndex = columns.findIndex((c) => TIME_NAMES.has(c.name.toLowerCase()));
  const channelIndexes = columns.flatMap((_, i) => (i === timeIndex ? [] : [i]));
  if (channelIndexes.length === 0) throw new RecordingError(`${source}:${headerIndex + 1}: no signal columns`);
  const unnamed = channelIndexes.find((i) => columns[i]?.name === '');
  if (unnamed !== undefined)
    throw new RecordingError(`${source}:${headerIndex + 1}: column ${unnamed + 1} has no name`);
  const values: number[][] = columns.map(() => []);
  /** The line number of each row, for errors found after reading. */
  const rowLines: number[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    rowLines.push(i + 1);
    const fields = line.split(',');
    if (fields.length !== columns.length) {
      throw new RecordingError(`${source}:${i + 1}: ${fields.length} fields, but the header names ${columns.length}`);
    }
    fields.forEach((field, c) => {
      const v = field.trim() === '' ? NaN : Number(field);
      if (!Number.isFinite(v)) {
        throw new RecordingError(
          `${source}:${i + 1}: ${columns[c]?.name ?? ''} is "${field.trim()}", not a number (gaps cannot be replayed)`,
        );
      }
      values[c]?.push(v);
    });
  }
  const length = values[0]?.length ?? 0;
  if (length === 0) throw new RecordingError(`${source}: no samples after the header`);
  const rate = fsHz ?? rateFromTimeColumn(columns, timeIndex, values, source, rowLines);
  return {
    name,
    fsHz: rate,
    length,
    channels: channelIndexes.map((i) => ({
      name: columns[i]?.name ?? '',
      unit: columns[i]?.unit,
      samples: values[i] ?? [],
    })),
  };
}

/**
 * The sampling rate the time column shows: (n − 1) / (last − first), a whole number of Hz when it is
 * within 0.1 % of one (times printed with few decimals). Every time must lie within half a sample of
 * its place on that grid: irregular sampling cannot be sent as a waveform.
 */
function rateFromTimeColumn(
  columns: readonly Column[],
  timeIndex: number,
  values: readonly number[][],
  source: string,
  rowLines: readonly number[],
): number {
  if (timeIndex === -1) {
    throw new RecordingError(`${source}: no time column (e.g. "Time [s]"): give the sampling rate with --fs HZ`);
  }
  const unit = columns[timeIndex]?.unit ?? 's';
  const scale = TIME_UNITS[unit];
  if (scale === undefined) throw new RecordingError(`${source}: time unit "${unit}" is not understood (s or ms)`);
  const times = (values[timeIndex] ?? []).map((t) => t * scale);
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  if (times.length < 2 || !(last > first)) {
    throw new RecordingError(
      `${source}: the time column needs two or more increasing times to give a rate; or give --fs HZ`,
    );
  }
  const measured = (times.length - 1) / (last - first);
  const fs = Math.abs(measured - Math.round(measured)) <= measured * 0.001 ? Math.round(measured) : measured;
  times.forEach((t, i) => {
    const expected = first + i / fs;
    if (Math.abs(t - expected) > 0.5 / fs) {
      throw new RecordingError(
        `${source}:${rowLines[i] ?? 0}: time ${t} s is off the ${fs} Hz grid (expected about ${expected.toFixed(4)} s): ` +
          'irregular sampling cannot be replayed; resample the file, or give --fs HZ to ignore the time column',
      );
    }
  });
  return fs;
}
