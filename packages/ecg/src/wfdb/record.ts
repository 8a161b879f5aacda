import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseAnnotations, type WfdbAnnotation } from './annotations.js';
import { parseHeader, WfdbError, type WfdbHeader, type WfdbSignalSpec } from './header.js';
import { decodeSignals, toPhysical } from './signal.js';

export interface WfdbChannel {
  readonly spec: WfdbSignalSpec;
  /** Raw ADC values. */
  readonly adc: Int16Array;
  /** Physical values, (adc − baseline) / gain, in `spec.units`. */
  readonly physical: Float64Array;
}

export interface WfdbRecord {
  readonly header: WfdbHeader;
  readonly fsHz: number;
  readonly channels: readonly WfdbChannel[];
  readonly length: number;
}

/**
 * Reads a WFDB record given the path of its header, with or without `.hea` (`data/100` or
 * `data/100.hea`). Signal files are read from the header's folder.
 */
export async function readWfdbRecord(path: string): Promise<WfdbRecord> {
  const headerPath = extname(path) === '.hea' ? path : `${path}.hea`;
  let text: string;
  try {
    text = await readFile(headerPath, 'utf8');
  } catch (error) {
    throw new WfdbError(`cannot read WFDB header ${headerPath}: ${(error as Error).message}`);
  }
  const header = parseHeader(text, basename(headerPath));
  const folder = dirname(headerPath);
  const channels: WfdbChannel[] = [];
  const files = [...new Set(header.signals.map((s) => s.file))];
  const adcBySignal = new Map<number, Int16Array>();
  for (const file of files) {
    const indices = header.signals.flatMap((s, i) => (s.file === file ? [i] : []));
    const specs = indices.map((i) => header.signals[i]!);
    const first = specs[0]!;
    if (specs.some((s) => s.format !== first.format || s.byteOffset !== first.byteOffset)) {
      throw new WfdbError(`${file}: signals sharing a file must share a format`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(folder, file));
    } catch (error) {
      throw new WfdbError(`cannot read WFDB signal file ${join(folder, file)}: ${(error as Error).message}`);
    }
    const decoded = decodeSignals(
      bytes.subarray(first.byteOffset),
      first.format,
      specs.length,
      header.samplesPerSignal,
    );
    indices.forEach((signal, k) => adcBySignal.set(signal, decoded[k]!));
  }
  header.signals.forEach((spec, i) => {
    const adc = adcBySignal.get(i)!;
    channels.push({ spec, adc, physical: toPhysical(adc, spec) });
  });
  const length = Math.min(...channels.map((c) => c.adc.length));
  if (header.samplesPerSignal !== null && length < header.samplesPerSignal) {
    throw new WfdbError(
      `${header.record}: the header promises ${header.samplesPerSignal} samples per signal but the files hold ${length}`,
    );
  }
  return { header, fsHz: header.fsHz, channels, length };
}

/** Reads `<record>.<annotator>` (e.g. `100.atr`). */
export async function readWfdbAnnotations(recordPath: string, annotator = 'atr'): Promise<WfdbAnnotation[]> {
  const base = extname(recordPath) === '.hea' ? recordPath.slice(0, -4) : recordPath;
  const path = `${base}.${annotator}`;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new WfdbError(`cannot read WFDB annotations ${path}: ${(error as Error).message}`);
  }
  return parseAnnotations(bytes);
}
