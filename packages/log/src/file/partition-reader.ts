import { LogCorruptionError, LogUnavailableError } from '../errors.js';
import type { LogEntry, Offsets } from '../telemetry-log.js';
import type { LogFileSystem } from './file-system.js';
import type { PartitionLog } from './partition-log.js';
import { readFrame } from './record-frame.js';

/** Bytes read per system call; a bigger frame is read whole. */
const READ_CHUNK_BYTES = 256 * 1024;

function corrupt(partition: PartitionLog, offset: number, reason: string): LogCorruptionError {
  partition.noteCorruption(offset, reason);
  return new LogCorruptionError(
    `telemetry log partition ${partition.index} offset ${offset} is corrupt (${reason})`,
    partition.index,
    offset,
  );
}

/**
 * Reads up to `quota` durable entries of a partition from offset `from`, verifying each frame's
 * checksum. Throws `LogCorruptionError` when the first entry due is damaged; stops before a
 * damaged entry that follows good ones (the next read, starting there, throws). Throws a
 * RangeError for an offset that retention has deleted. Payloads are views of the read buffer.
 */
export async function readPartition(
  partition: PartitionLog,
  fs: LogFileSystem,
  from: number,
  quota: number,
): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  if (from >= partition.visibleEnd || quota <= 0) return entries;
  if (from < partition.startOffset) {
    throw new RangeError(
      `telemetry log partition ${partition.index}: offset ${from} was deleted by retention (first retained: ${partition.startOffset})`,
    );
  }
  const damaged = partition.corruptionAt(from);
  if (damaged !== undefined) throw corrupt(partition, from, damaged.reason);
  const limit = partition.readLimit(from);
  const place = partition.locate(from);
  if (place === undefined) return entries;
  let { segment, position, offset: expected } = place;
  while (expected < limit && entries.length < quota) {
    if (position >= segment.durableSize) {
      const next = partition.segmentOf(expected);
      if (next === undefined || next === segment || next.baseOffset !== expected) {
        throw corrupt(partition, expected, 'offset missing between segments');
      }
      segment = next;
      position = 0;
      continue;
    }
    const handle = await segment.acquireReader(fs);
    let buffer: Buffer;
    let bytes: number;
    try {
      buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, segment.durableSize - position));
      bytes = await handle.read(buffer, position);
      const head = readFrame(buffer, 0, bytes, false);
      if (head.kind === 'incomplete' && position + head.needBytes <= segment.durableSize) {
        buffer = Buffer.allocUnsafe(head.needBytes);
        bytes = await handle.read(buffer, position);
      }
    } finally {
      segment.releaseReader(segment === partition.active);
    }
    let at = 0;
    while (at < bytes && expected < limit && entries.length < quota) {
      const frame = readFrame(buffer, at, bytes, true);
      if (frame.kind === 'incomplete' && at > 0) break;
      if (frame.kind !== 'frame' || frame.offset !== expected) {
        const reason =
          frame.kind === 'frame'
            ? `frame holds offset ${frame.offset}`
            : frame.kind === 'bad'
              ? frame.reason
              : 'truncated frame';
        if (entries.length > 0) return entries;
        throw corrupt(partition, expected, reason);
      }
      if (expected >= from) {
        entries.push({
          partition: partition.index,
          offset: expected,
          deviceId: frame.deviceId,
          boot: frame.boot,
          seq: frame.seq,
          payload: buffer.subarray(frame.payloadStart, at + frame.length),
        });
      }
      at += frame.length;
      expected++;
    }
    if (at === 0) throw corrupt(partition, expected, 'segment file shorter than its durable size');
    position += at;
  }
  partition.rememberCursor({ segment, position, offset: expected });
  return entries;
}

/**
 * Reads what is durable now from the partitions in `from` (partition → first offset wanted):
 * first an even share of `maxRecords` from each, in parallel, then what is left from those that
 * had more. `round` rotates which partitions get the odd records, so none is favoured. Errors
 * other than corruption and deleted offsets become `LogUnavailableError`.
 */
export async function readPartitions(
  partitions: readonly PartitionLog[],
  fs: LogFileSystem,
  from: Offsets,
  maxRecords: number,
  round: number,
): Promise<LogEntry[]> {
  const wanted: [PartitionLog, number][] = [];
  for (const [p, offset] of from) {
    const partition = partitions[p];
    if (partition !== undefined && offset < partition.visibleEnd) wanted.push([partition, offset]);
  }
  if (wanted.length === 0) return [];
  const shares = fairShares(maxRecords, wanted.length, round % wanted.length);
  const read = (partition: PartitionLog, offset: number, quota: number): Promise<LogEntry[]> =>
    readPartition(partition, fs, offset, quota).catch((error: unknown) => {
      if (error instanceof LogCorruptionError || error instanceof RangeError) throw error;
      throw new LogUnavailableError(`telemetry log read of partition ${partition.index} failed`, { cause: error });
    });
  const batches = await Promise.all(wanted.map(([partition, offset], i) => read(partition, offset, shares[i] ?? 0)));
  let total = batches.reduce((sum, batch) => sum + batch.length, 0);
  for (const [i, [partition, offset]] of wanted.entries()) {
    const batch = batches[i];
    if (total >= maxRecords || batch === undefined || batch.length < (shares[i] ?? 0)) continue;
    const more = await read(partition, offset + batch.length, maxRecords - total).catch((error: unknown) => {
      // Serve the good entries before the damage now; the next fetch, starting there, throws.
      if (error instanceof LogCorruptionError) return [];
      throw error;
    });
    batch.push(...more);
    total += more.length;
  }
  return batches.flat();
}

/**
 * The share of `maxRecords` each of `count` partitions reads first: as even as possible, the
 * remainder going to the partitions from `start` on.
 */
export function fairShares(maxRecords: number, count: number, start: number): number[] {
  const base = Math.floor(maxRecords / count);
  const extra = maxRecords % count;
  return Array.from({ length: count }, (_, i) => base + ((i - start + count) % count < extra ? 1 : 0));
}
