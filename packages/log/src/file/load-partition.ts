import { LogCorruptionError } from '../errors.js';
import type { LogFileSystem } from './file-system.js';
import { PartitionLog, type CorruptRange } from './partition-log.js';
import { scanSegment, type ScannedFrame } from './segment-scan.js';
import { parseSegmentFileName, Segment } from './segment.js';

/** A partition as found on disk. */
export interface LoadedPartition {
  readonly partition: PartitionLog;
  /** Bytes of torn tail cut from the last segment. */
  readonly truncatedBytes: number;
}

/**
 * Opens a partition's segments in offset order, verifying every frame and passing each good one
 * to `onFrame` (to rebuild the idempotency index). A torn tail — bytes after the last good frame
 * of the last segment with no good frame after them — was never acknowledged (appends resolve
 * only after fdatasync, and a partition rolls only between groups), so it is cut off and counted.
 * Damage anywhere else is recorded as corrupt ranges, which reads refuse to serve; open still
 * succeeds. Segments that overlap cannot come from this log: that throws `LogCorruptionError`.
 */
export async function loadPartition(
  fs: LogFileSystem,
  dir: string,
  index: number,
  onFrame: (frame: ScannedFrame) => void,
): Promise<LoadedPartition> {
  const bases = (await fs.readdir(dir))
    .map(parseSegmentFileName)
    .filter((base) => base !== undefined)
    .sort((a, b) => a - b);
  if (bases.length === 0) return { partition: new PartitionLog(index, dir, [new Segment(dir, 0)]), truncatedBytes: 0 };
  const segments: Segment[] = [];
  const corruptions: CorruptRange[] = [];
  let truncatedBytes = 0;
  let expected: number | undefined;
  let tailDamage: string | undefined;
  for (const [i, base] of bases.entries()) {
    const last = i === bases.length - 1;
    const segment = new Segment(dir, base);
    if (expected !== undefined && base < expected) {
      throw new LogCorruptionError(
        `${segment.path} starts inside the previous segment (ends at ${expected})`,
        index,
        base,
      );
    }
    if (expected !== undefined && base > expected) {
      corruptions.push({
        partition: index,
        fromOffset: expected,
        toOffset: base,
        reason: tailDamage ?? 'segment missing',
      });
    }
    const handle = await fs.open(segment.path, last ? 'r+' : 'r');
    try {
      const size = await handle.size();
      const scan = await scanSegment(handle, size, base, true, (frame) => {
        segment.noteRecord(frame.offset, frame.position);
        onFrame(frame);
      });
      for (const damage of scan.damage) {
        const reason = `${damage.reason} at byte ${damage.position} of ${segment.path}`;
        corruptions.push({ partition: index, fromOffset: damage.fromOffset, toOffset: damage.toOffset, reason });
      }
      tailDamage = undefined;
      if (scan.tailBytes > 0 && last) {
        await handle.truncate(scan.goodEnd);
        await handle.datasync();
        truncatedBytes += scan.tailBytes;
      } else if (scan.tailBytes > 0) {
        tailDamage = `${scan.tailBytes} damaged bytes at the end of ${segment.path}`;
        const nextBase = bases[i + 1] ?? scan.nextOffset;
        if (nextBase === scan.nextOffset) {
          corruptions.push({ partition: index, fromOffset: nextBase, toOffset: nextBase, reason: tailDamage });
        }
      }
      segment.durableSize = segment.plannedSize = scan.goodEnd;
      segment.endOffset = scan.nextOffset;
      segment.created = true;
      expected = scan.nextOffset;
    } catch (error) {
      await handle.close();
      throw error;
    }
    if (last) segment.writer = handle;
    else await handle.close();
    segments.push(segment);
  }
  const partition = new PartitionLog(index, dir, segments);
  partition.corruptions.push(...corruptions);
  return { partition, truncatedBytes };
}
