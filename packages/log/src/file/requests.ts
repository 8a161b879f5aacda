import type { AppendRequest, FetchOptions, Offsets } from '../telemetry-log.js';
import { MAX_ID_BYTES, MAX_PAYLOAD_BYTES } from './record-frame.js';

function idTooLong(id: string): boolean {
  return id.length > MAX_ID_BYTES / 3 && Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES;
}

/** Throws a RangeError naming the first malformed request: a caller's bug, not bad data. */
export function checkAppendRequests(records: readonly AppendRequest[]): void {
  for (const [i, r] of records.entries()) {
    let problem: string | undefined;
    if (typeof r.key !== 'string') problem = 'key must be a string';
    else if (typeof r.deviceId !== 'string' || r.deviceId.length === 0 || idTooLong(r.deviceId)) {
      problem = `deviceId must be a string of 1 to ${MAX_ID_BYTES} UTF-8 bytes`;
    } else if (typeof r.boot !== 'string' || idTooLong(r.boot)) {
      problem = `boot must be a string of at most ${MAX_ID_BYTES} UTF-8 bytes`;
    } else if (!Number.isSafeInteger(r.seq) || r.seq < 0) problem = 'seq must be a non-negative safe integer';
    else if (!Number.isFinite(r.contentHash)) problem = 'contentHash must be a finite number';
    else if (!(r.payload instanceof Uint8Array) || r.payload.length > MAX_PAYLOAD_BYTES) {
      problem = `payload must be a Uint8Array of at most ${MAX_PAYLOAD_BYTES} bytes`;
    }
    if (problem !== undefined) throw new RangeError(`append request ${i}: ${problem}`);
  }
}

/** Throws a RangeError for partitions out of range or offsets that are not non-negative integers. */
export function checkOffsets(offsets: Offsets, partitionCount: number): void {
  for (const [partition, offset] of offsets) {
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      throw new RangeError(`partition ${partition} is not one of 0 … ${partitionCount - 1}`);
    }
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new RangeError(`offset ${offset} is not a non-negative integer`);
  }
}

/** Throws a RangeError unless maxRecords is a positive integer and maxWaitMs a non-negative number. */
export function checkFetchOptions(options: FetchOptions): void {
  if (!Number.isSafeInteger(options.maxRecords) || options.maxRecords < 1) {
    throw new RangeError(`maxRecords must be a positive integer (got ${options.maxRecords})`);
  }
  if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) {
    throw new RangeError(`maxWaitMs must be a non-negative number (got ${options.maxWaitMs})`);
  }
}
