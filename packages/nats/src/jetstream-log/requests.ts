import type { AppendRequest, FetchOptions, Offsets } from '@wardstream/log';

/** The longest deviceId or boot accepted, in UTF-8 bytes (as the embedded log). */
export const MAX_ID_BYTES = 1024;
/** Room kept in a NATS message for the headers: the message id holds both ids, percent-encoded. */
export const HEADER_ALLOWANCE_BYTES = 16 * 1024;

/** A lone surrogate cannot be encoded in UTF-8, so two such ids could not be told apart. */
const LONE_SURROGATE = /\p{Cs}/u;

function badId(id: unknown, allowEmpty: boolean): boolean {
  return (
    typeof id !== 'string' ||
    (!allowEmpty && id.length === 0) ||
    (id.length > MAX_ID_BYTES / 3 && Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) ||
    LONE_SURROGATE.test(id)
  );
}

/**
 * Throws a RangeError naming the first malformed request (a caller's bug, not bad data). The
 * payload limit is the server's `max_payload` less room for the headers.
 */
export function checkAppendRequests(records: readonly AppendRequest[], maxPayloadBytes: number): void {
  for (const [i, r] of records.entries()) {
    let problem: string | undefined;
    if (typeof r.key !== 'string') problem = 'key must be a string';
    else if (badId(r.deviceId, false)) problem = `deviceId must be a well-formed string of 1 to ${MAX_ID_BYTES} bytes`;
    else if (badId(r.boot, true)) problem = `boot must be a well-formed string of at most ${MAX_ID_BYTES} bytes`;
    else if (!Number.isSafeInteger(r.seq) || r.seq < 0) problem = 'seq must be a non-negative safe integer';
    else if (typeof r.contentHash !== 'number' || !Number.isFinite(r.contentHash)) {
      problem = 'contentHash must be a finite number';
    } else if (!(r.payload instanceof Uint8Array) || r.payload.length > maxPayloadBytes) {
      problem = `payload must be a Uint8Array of at most ${maxPayloadBytes} bytes (the server's max_payload less headers)`;
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
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`offset ${offset} is not a non-negative integer`);
    }
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

/** Throws a RangeError unless `consumer` is a non-empty, well-formed name of at most 256 characters. */
export function checkConsumer(consumer: string): void {
  if (typeof consumer !== 'string' || consumer.length === 0 || consumer.length > 256 || LONE_SURROGATE.test(consumer)) {
    throw new RangeError('consumer must be a well-formed string of 1 to 256 characters');
  }
}
