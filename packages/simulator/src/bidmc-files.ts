import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNumericsCsv, type NumericsRecord } from './bidmc.js';

/** The package's own `data` folder, which holds the BIDMC numerics copies (see data/README.md). */
export function defaultDataDir(): string {
  return fileURLToPath(new URL('../data/', import.meta.url));
}

/**
 * Reads every `*_Numerics.csv` in `dir` (default: the package's data folder), sorted by name.
 * Rejects with the file system's error when the folder cannot be read, or a RangeError for a bad file.
 */
export async function loadNumericsRecords(dir: string = defaultDataDir()): Promise<NumericsRecord[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('_Numerics.csv')).sort();
  return Promise.all(
    names.map(async (n) => parseNumericsCsv(n.replace(/_Numerics\.csv$/, ''), await readFile(join(dir, n), 'utf8'))),
  );
}
