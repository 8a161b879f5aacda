import { join } from 'node:path';
import { errnoCode, type LogFileSystem } from './file-system.js';
import { DEFAULT_PARTITION_COUNT } from './options.js';

const META_FILE = 'log.json';
const FORMAT = 1;

/** The directory of partition `index`. */
export function partitionDir(dir: string, index: number): string {
  return join(dir, `p${index}`);
}

/** Replaces `dir/name` atomically: write a temporary file, fsync it, rename it, fsync the directory. */
export async function writeFileAtomic(fs: LogFileSystem, dir: string, name: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(dir, `${name}.tmp`);
  const handle = await fs.open(temporary, 'w+');
  try {
    await handle.write(bytes, 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, join(dir, name));
  await fs.syncDirectory(dir);
}

/** The parsed JSON of `path`, or undefined when the file does not exist. */
export async function readJsonFile(fs: LogFileSystem, path: string): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
}

/**
 * Creates the log directory on first use (partition folders, then `log.json` naming the format
 * and partition count), or checks an existing one. Returns the partition count. Throws a
 * RangeError when `requested` differs from the stored count: the partition of every record
 * depends on it, so it cannot change under existing data.
 */
export async function prepareLogDirectory(
  fs: LogFileSystem,
  dir: string,
  requested: number | undefined,
): Promise<number> {
  await fs.mkdir(dir);
  const metaPath = join(dir, META_FILE);
  const meta = await readJsonFile(fs, metaPath);
  if (meta === undefined) {
    const partitionCount = requested ?? DEFAULT_PARTITION_COUNT;
    for (let p = 0; p < partitionCount; p++) await fs.mkdir(partitionDir(dir, p));
    await fs.syncDirectory(dir);
    const text = JSON.stringify({ format: FORMAT, partitionCount });
    await writeFileAtomic(fs, dir, META_FILE, Buffer.from(text, 'utf8'));
    return partitionCount;
  }
  const stored = parseMeta(meta, metaPath);
  if (requested !== undefined && requested !== stored) {
    throw new RangeError(`${dir} holds a log of ${stored} partitions; partitionCount ${requested} was asked for`);
  }
  for (let p = 0; p < stored; p++) await fs.mkdir(partitionDir(dir, p));
  return stored;
}

function parseMeta(meta: unknown, path: string): number {
  if (typeof meta === 'object' && meta !== null && 'format' in meta && 'partitionCount' in meta) {
    const { format, partitionCount } = meta;
    if (
      format === FORMAT &&
      typeof partitionCount === 'number' &&
      Number.isSafeInteger(partitionCount) &&
      partitionCount > 0
    ) {
      return partitionCount;
    }
  }
  throw new RangeError(`${path} is not a telemetry log description of format ${FORMAT}`);
}
