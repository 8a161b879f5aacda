import { readFile } from 'node:fs/promises';
import { isBeatAnnotation, parseAnnotations } from './annotations.js';
import { WfdbError } from './header.js';

/**
 * Reference beat positions for scoring, from either a WFDB annotation file (`.atr` or any
 * annotator: only beat annotations are kept) or a CSV with one sample index per line — a plain
 * column or the last column of `index,sample` rows; a header line is skipped.
 */
export async function readReferenceBeats(path: string): Promise<number[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new WfdbError(`cannot read reference beats ${path}: ${(error as Error).message}`);
  }
  if (!/\.(csv|txt)$/i.test(path)) {
    return parseAnnotations(bytes)
      .filter(isBeatAnnotation)
      .map((a) => a.sample);
  }
  return parseBeatCsv(bytes.toString('utf8'), path);
}

export function parseBeatCsv(text: string, source = 'csv'): number[] {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const last = trimmed.split(/[,;\t ]+/).at(-1) ?? '';
    if (!/^\d+$/.test(last)) {
      if (out.length === 0 && i === 0) return; // header line
      throw new WfdbError(`${source}:${i + 1}: "${last}" is not a sample index`);
    }
    out.push(Number(last));
  });
  return out;
}
