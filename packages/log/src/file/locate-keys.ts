import { errnoCode, type LogFileSystem } from './file-system.js';
import { idempotencyKey } from './idempotency-index.js';
import type { PartitionLog } from './partition-log.js';
import { scanSegment } from './segment-scan.js';

/** Where a stored record is, and the hash it was stored with. */
export interface KeyLocation {
  readonly partition: number;
  readonly offset: number;
  readonly contentHash: number;
}

/**
 * Finds retained records by idempotency key by scanning segment headers: the slow path for keys
 * older than the conflict window. Partitions in `preferred` are scanned first, newest segment
 * first, and the scan stops once every key is found. A key missing from the result is no longer
 * retained (retention deleted it meanwhile).
 */
export async function locateKeys(
  fs: LogFileSystem,
  partitions: readonly PartitionLog[],
  keys: ReadonlySet<string>,
  preferred: ReadonlySet<number>,
): Promise<Map<string, KeyLocation>> {
  const found = new Map<string, KeyLocation>();
  const order = [...partitions].sort((a, b) => Number(preferred.has(b.index)) - Number(preferred.has(a.index)));
  for (const partition of order) {
    for (const segment of [...partition.segments].reverse()) {
      if (found.size === keys.size) return found;
      if (segment.durableSize === 0) continue;
      let handle;
      try {
        handle = await segment.acquireReader(fs);
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') continue;
        throw error;
      }
      try {
        await scanSegment(handle, segment.durableSize, segment.baseOffset, false, (frame) => {
          const key = idempotencyKey(frame.deviceId, frame.boot, frame.seq);
          if (keys.has(key) && !found.has(key)) {
            found.set(key, { partition: partition.index, offset: frame.offset, contentHash: frame.contentHash });
          }
        });
      } finally {
        segment.releaseReader(segment === partition.active);
      }
    }
  }
  return found;
}
