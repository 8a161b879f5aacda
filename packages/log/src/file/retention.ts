import type { LogFileSystem } from './file-system.js';
import { KeySet } from './key-set.js';
import type { PartitionLog } from './partition-log.js';
import { scanSegment } from './segment-scan.js';
import type { Segment } from './segment.js';

/**
 * The segments of a partition that retention may consider: all but the last, and only once no
 * write is in flight to them (a segment just rolled away from may still be receiving its group).
 */
function closedSegments(partition: PartitionLog): Segment[] {
  const closed: Segment[] = [];
  for (const segment of partition.segments.slice(0, -1)) {
    if (segment.plannedSize !== segment.durableSize) break;
    closed.push(segment);
  }
  return closed;
}

/**
 * Notes when each closed segment became fully consumed: when `floor` (the lowest offset every
 * consumer has durably committed, undefined when no consumer ever committed) first passed its
 * end. A consumer going back (or a new one) makes the segment unconsumed again.
 */
export function markConsumed(partition: PartitionLog, floor: number | undefined, nowAt: number): void {
  for (const segment of closedSegments(partition)) {
    if (floor !== undefined && segment.endOffset <= floor) segment.consumedAt ??= nowAt;
    else segment.consumedAt = undefined;
  }
}

/** The oldest closed segments that every consumer passed at least `retainMs` ago, oldest first. */
function expiredSegments(partition: PartitionLog, nowAt: number, retainMs: number): Segment[] {
  const expired: Segment[] = [];
  for (const segment of closedSegments(partition)) {
    if (segment.consumedAt === undefined || nowAt - segment.consumedAt < retainMs) break;
    expired.push(segment);
  }
  return expired;
}

/** What retention does with the keys of the segments it deletes. */
export interface KeyRetirement {
  /** Adds the keys of a segment about to be deleted to the retired set (in memory). */
  retire(keys: KeySet): void;
  /** Makes the retired set durable. Called before any segment file is unlinked. */
  persist(): Promise<void>;
  /** Forgets a key of a deleted segment from the index of retained keys. */
  forget(deviceId: string, boot: string, seq: number): void;
}

/** The keys of a segment's good records (damaged ones have no identity to read). */
async function segmentKeys(fs: LogFileSystem, segment: Segment): Promise<KeySet> {
  const keys = new KeySet();
  const handle = await segment.acquireReader(fs);
  try {
    await scanSegment(handle, segment.durableSize, segment.baseOffset, true, (frame) => {
      keys.add(frame.deviceId, frame.boot, frame.seq);
    });
  } finally {
    segment.releaseReader(true);
  }
  return keys;
}

/** Unlinks the oldest segment of a partition, then forgets its keys. Reads in progress keep their handle. */
async function deleteOldestSegment(
  fs: LogFileSystem,
  partition: PartitionLog,
  segment: Segment,
  keys: KeySet,
  retirement: KeyRetirement,
): Promise<void> {
  if (partition.segments[0] !== segment) throw new Error(`retention: ${segment.path} is not the oldest segment`);
  await fs.unlink(segment.path);
  partition.segments.shift();
  segment.deleted = true;
  keys.forEachRange((deviceId, boot, start, end) => {
    for (let seq = start; seq <= end; seq++) retirement.forget(deviceId, boot, seq);
  });
  await segment.close();
}

/**
 * Deletes every segment whose retention has expired at `nowAt`; resolves how many. The keys of
 * all of them are first retired and made durable (`retirement.persist`), and only then are the
 * files unlinked, oldest first, each partition's directory fsynced after: a crash at any point
 * leaves every key either retained or retired. Nothing is unlinked if persisting fails.
 */
export async function deleteExpiredSegments(
  fs: LogFileSystem,
  partitions: readonly PartitionLog[],
  nowAt: number,
  retainMs: number,
  retirement: KeyRetirement,
): Promise<number> {
  const doomed = partitions
    .map((partition) => ({ partition, segments: expiredSegments(partition, nowAt, retainMs) }))
    .filter(({ segments }) => segments.length > 0);
  const keysOf = new Map<Segment, KeySet>();
  for (const { segments } of doomed) {
    for (const segment of segments) {
      const keys = await segmentKeys(fs, segment);
      keysOf.set(segment, keys);
      retirement.retire(keys);
    }
  }
  if (keysOf.size === 0) return 0;
  await retirement.persist();
  let deleted = 0;
  for (const { partition, segments } of doomed) {
    for (const segment of segments) {
      await deleteOldestSegment(fs, partition, segment, keysOf.get(segment) ?? new KeySet(), retirement);
      deleted++;
    }
    await fs.syncDirectory(partition.dir);
  }
  return deleted;
}
