import type { LogFileSystem } from './file-system.js';
import type { PartitionLog } from './partition-log.js';
import type { FrameRecord } from './record-frame.js';
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

/**
 * Deletes the oldest segment of a partition: reads the identities of its good records, unlinks
 * the file, forgets those keys in `forget`, and fsyncs the directory. Reads in progress keep
 * their open handle until they end.
 */
async function deleteOldestSegment(
  fs: LogFileSystem,
  partition: PartitionLog,
  segment: Segment,
  forget: (deviceId: string, boot: string, seq: number) => void,
): Promise<void> {
  if (partition.segments[0] !== segment) throw new Error(`retention: ${segment.path} is not the oldest segment`);
  const keys: FrameRecord[] = [];
  const handle = await segment.acquireReader(fs);
  try {
    await scanSegment(handle, segment.durableSize, segment.baseOffset, true, (frame) => keys.push(frame));
  } finally {
    segment.releaseReader(true);
  }
  await fs.unlink(segment.path);
  partition.segments.shift();
  segment.deleted = true;
  for (const key of keys) forget(key.deviceId, key.boot, key.seq);
  await segment.close();
  await fs.syncDirectory(partition.dir);
}

/** Deletes every segment whose retention has expired at `nowAt`; resolves how many. */
export async function deleteExpiredSegments(
  fs: LogFileSystem,
  partitions: readonly PartitionLog[],
  nowAt: number,
  retainMs: number,
  forget: (deviceId: string, boot: string, seq: number) => void,
): Promise<number> {
  let deleted = 0;
  for (const partition of partitions) {
    for (const segment of expiredSegments(partition, nowAt, retainMs)) {
      await deleteOldestSegment(fs, partition, segment, forget);
      deleted++;
    }
  }
  return deleted;
}
