/**
 * WFDB header (`.hea`) parsing, per the WFDB header(5) format: a record line, then one line per
 * signal; `#` lines are comments. Multi-segment records are refused with a clear error.
 */

export interface WfdbSignalSpec {
  /** File holding the samples, relative to the header's folder. */
  readonly file: string;
  /** Storage format: 16 (16-bit little-endian) or 212 (two 12-bit samples in three bytes). */
  readonly format: number;
  /** ADC units per physical unit; WFDB's default 200 when the header gives 0 or nothing. */
  readonly gain: number;
  /** ADC value of physical zero; defaults to `adcZero`. */
  readonly baseline: number;
  readonly units: string;
  readonly adcResolution: number;
  readonly adcZero: number;
  readonly initialValue: number | null;
  /** 16-bit signed sum of every sample, when the header states it. */
  readonly checksum: number | null;
  /** Byte offset of the first sample in the file (`+offset` in the format field). */
  readonly byteOffset: number;
  readonly description: string;
}

export interface WfdbHeader {
  readonly record: string;
  readonly fsHz: number;
  /** Samples per signal; null when the header leaves it out (read to the end of the file). */
  readonly samplesPerSignal: number | null;
  readonly signals: readonly WfdbSignalSpec[];
  readonly comments: readonly string[];
}

const DEFAULT_GAIN = 200;
const DEFAULT_FS = 250;

export class WfdbError extends Error {
  override readonly name = 'WfdbError';
}

export function parseHeader(text: string, source = 'header'): WfdbHeader {
  const lines = text.split(/\r?\n/);
  const comments: string[] = [];
  const content: { text: string; line: number }[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) comments.push(line.slice(1).trim());
    else content.push({ text: line, line: i + 1 });
  });
  const first = content[0];
  if (first === undefined) throw new WfdbError(`${source}: no record line`);
  const [name, nsigText, fsText, nsampText] = first.text.split(/\s+/);
  if (name === undefined || name.includes('/')) {
    throw new WfdbError(`${source}:${first.line}: multi-segment records are not supported`);
  }
  const nsig = integer(nsigText, `${source}:${first.line}: number of signals`);
  const fsHz = fsText === undefined ? DEFAULT_FS : Number.parseFloat(fsText.split('/')[0] ?? '');
  if (!(fsHz > 0)) throw new WfdbError(`${source}:${first.line}: sampling frequency "${fsText}" is not positive`);
  const samplesPerSignal = nsampText === undefined ? null : integer(nsampText, `${source}:${first.line}: samples`);
  if (content.length - 1 < nsig) {
    throw new WfdbError(
      `${source}: the record line names ${nsig} signals but ${content.length - 1} signal lines follow`,
    );
  }
  const signals = content.slice(1, nsig + 1).map((l) => parseSignalLine(l.text, `${source}:${l.line}`));
  return { record: name, fsHz, samplesPerSignal: samplesPerSignal === 0 ? null : samplesPerSignal, signals, comments };
}

function parseSignalLine(text: string, where: string): WfdbSignalSpec {
  const fields = text.split(/\s+/);
  const [file, formatField, gainField, resField, zeroField, initField, sumField, , ...rest] = fields;
  if (file === undefined || formatField === undefined)
    throw new WfdbError(`${where}: signal line needs a file and a format`);
  const fmt = /^(\d+)(?:x\d+)?(?::-?\d+)?(?:\+(\d+))?$/.exec(formatField);
  if (fmt === null) throw new WfdbError(`${where}: format "${formatField}" is not understood`);
  const format = Number(fmt[1]);
  if (format !== 16 && format !== 212) {
    throw new WfdbError(`${where}: signal format ${format} is not supported (16 and 212 are)`);
  }
  if (/x\d+/.test(formatField) && !/x1(?!\d)/.test(formatField)) {
    throw new WfdbError(`${where}: multi-frequency records (samples per frame > 1) are not supported`);
  }
  const adcZero = zeroField === undefined ? 0 : integer(zeroField, `${where}: ADC zero`);
  let gain = DEFAULT_GAIN;
  let baseline = adcZero;
  let units = 'mV';
  if (gainField !== undefined) {
    const g = /^([-+]?[\d.eE+-]+)(?:\((-?\d+)\))?(?:\/(\S+))?$/.exec(gainField);
    if (g === null) throw new WfdbError(`${where}: gain "${gainField}" is not understood`);
    const value = Number.parseFloat(g[1] ?? '');
    if (!Number.isFinite(value)) throw new WfdbError(`${where}: gain "${gainField}" is not a number`);
    gain = value === 0 ? DEFAULT_GAIN : value;
    if (g[2] !== undefined) baseline = Number(g[2]);
    if (g[3] !== undefined) units = g[3];
  }
  return {
    file,
    format,
    gain,
    baseline,
    units,
    adcResolution: resField === undefined ? (format === 212 ? 12 : 16) : integer(resField, `${where}: ADC resolution`),
    adcZero,
    initialValue: initField === undefined ? null : integer(initField, `${where}: initial value`),
    checksum: sumField === undefined ? null : integer(sumField, `${where}: checksum`),
    byteOffset: fmt[2] === undefined ? 0 : Number(fmt[2]),
    description: rest.join(' '),
  };
}

function integer(text: string | undefined, what: string): number {
  if (text === undefined || !/^[-+]?\d+$/.test(text)) throw new WfdbError(`${what}: "${text ?? ''}" is not an integer`);
  return Number(text);
}
