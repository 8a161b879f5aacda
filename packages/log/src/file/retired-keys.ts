import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { LogFileSystem } from './file-system.js';
import { KeySet } from './key-set.js';
import { readJsonFile, writeFileAtomic } from './log-directory.js';

const RETIRED_KEYS_FILE = 'retired-keys.json';
const FORMAT = 1;

/**
 * Ranges of seqs kept per (deviceId, boot) in the retired set. A device that counts without gaps
 * needs one; every gap (a message refused by the wire contract, never appended) costs one more.
 * Beyond this many, the two closest ranges are joined, so the never-appended seqs between them
 * are answered `retired` too: a refusal, never a silent loss.
 */
export const MAX_RETIRED_RANGES_PER_BOOT = 64;

function checksum(keys: unknown): number {
  return crc32(JSON.stringify(keys));
}

function parse(json: unknown, path: string, maxRangesPerBoot: number): KeySet {
  const set = new KeySet(maxRangesPerBoot);
  if (json === undefined) return set;
  if (
    typeof json !== 'object' ||
    json === null ||
    !('format' in json) ||
    json.format !== FORMAT ||
    !('crc32' in json) ||
    !('keys' in json) ||
    !Array.isArray(json.keys)
  ) {
    throw new RangeError(`${path}: not a retired-keys file of format ${FORMAT}`);
  }
  if (json.crc32 !== checksum(json.keys)) throw new RangeError(`${path}: checksum mismatch, the file is damaged`);
  for (const entry of json.keys as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 3) throw new RangeError(`${path}: bad entry`);
    const [deviceId, boot, bounds] = entry as unknown[];
    if (typeof deviceId !== 'string' || typeof boot !== 'string' || !Array.isArray(bounds)) {
      throw new RangeError(`${path}: bad entry`);
    }
    const seqs: unknown[] = bounds;
    if (!seqs.every((bound): bound is number => typeof bound === 'number')) {
      throw new RangeError(`${path}: bad seq range`);
    }
    try {
      set.addBounds(deviceId, boot, seqs);
    } catch (error) {
      throw new RangeError(`${path}: bad seq ranges of ${deviceId}/${boot}`, { cause: error });
    }
  }
  return set;
}

/**
 * The idempotency keys of records that retention deleted: the log can no longer tell a re-send
 * of one from a device re-using the key, so an append of such a key is answered `retired` and not
 * appended (an appended copy would be acknowledged, then dropped by the store as a duplicate).
 *
 * Kept in memory as a `KeySet` bounded by `MAX_RETIRED_RANGES_PER_BOOT` ranges per
 * (deviceId, boot), and on disk in `retired-keys.json`, replaced atomically (temporary file,
 * fsync, rename, directory fsync) with a CRC-32 of its keys. Retention persists the keys of a
 * segment BEFORE it unlinks the segment, so a crash in between leaves the keys both retained and
 * retired, which is consistent: the retained record wins, and the next pass deletes it again.
 *
 * Growth: one entry (deviceId, boot, a few ranges: some tens of bytes) per boot of a device whose
 * records retention deleted, kept for the life of the log directory. A directory written before
 * this file existed knows only the keys it retires from then on.
 */
export class RetiredKeys {
  private dirty = false;

  private constructor(
    private readonly fs: LogFileSystem,
    private readonly dir: string,
    private readonly keys: KeySet,
  ) {}

  /**
   * Reads the stored set (empty when the log never retired anything). Throws a RangeError when
   * the file is not one this log wrote or fails its checksum: a damaged set is never half-used.
   */
  static async load(
    fs: LogFileSystem,
    dir: string,
    maxRangesPerBoot = MAX_RETIRED_RANGES_PER_BOOT,
  ): Promise<RetiredKeys> {
    const path = join(dir, RETIRED_KEYS_FILE);
    return new RetiredKeys(fs, dir, parse(await readJsonFile(fs, path), path, maxRangesPerBoot));
  }

  has(deviceId: string, boot: string, seq: number): boolean {
    return this.keys.has(deviceId, boot, seq);
  }

  /** (deviceId, boot) pairs and seq ranges held. */
  get counts(): { readonly boots: number; readonly ranges: number } {
    return { boots: this.keys.bootCount, ranges: this.keys.rangeCount };
  }

  /** Adds the keys of a segment about to be deleted; in memory only until `persist`. */
  retire(keys: KeySet): void {
    if (keys.isEmpty) return;
    this.keys.addAll(keys);
    this.dirty = true;
  }

  /** Makes every key retired so far durable; resolves at once when nothing changed. */
  async persist(): Promise<void> {
    if (!this.dirty) return;
    // [[deviceId, boot, [start0, end0, …]], …]; checksummed as written, re-stringified on load.
    const keysText = JSON.stringify([...this.keys.boundsByBoot()]);
    const text = `{"format":${FORMAT},"crc32":${crc32(keysText)},"keys":${keysText}}`;
    try {
      await writeFileAtomic(this.fs, this.dir, RETIRED_KEYS_FILE, Buffer.from(text, 'utf8'));
    } catch (error) {
      throw new Error(`could not store the retired keys in ${join(this.dir, RETIRED_KEYS_FILE)}`, { cause: error });
    }
    this.dirty = false;
  }
}
