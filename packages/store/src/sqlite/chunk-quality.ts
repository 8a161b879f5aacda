import { QualityFlag } from '@wardstream/domain';
import type { SampleColumns } from './samples.js';

/**
 * What a chunk row records about the quality flags of its samples, so that queries can tell
 * without decoding the blob whether its summary may stand for it (`aggregate`) and where the
 * latest reading of its series lies (the rebuild at open).
 */
export interface ChunkQuality {
  /** Bitwise OR of the samples' quality: every flag set on at least one of them. */
  readonly flags: number;
  /** Greatest observedAt of the samples not flagged clockSkew; null when all are. */
  readonly lastUnskewedAt: number | null;
  /** Greatest receivedAt of the samples flagged clockSkew; null when none is. */
  readonly lastSkewedReceivedAt: number | null;
}

/** The quality summary of samples [from, to) of sorted `columns`. */
export function chunkQuality(columns: SampleColumns, from: number, to: number): ChunkQuality {
  let flags = 0;
  let lastUnskewedAt: number | null = null;
  let lastSkewedReceivedAt: number | null = null;
  for (let i = from; i < to; i++) {
    const quality = columns.quality[i] as number;
    flags |= quality;
    if ((quality & QualityFlag.clockSkew) === 0) {
      // Sorted by observedAt: the last unskewed sample seen has the greatest.
      lastUnskewedAt = columns.observedAt[i] as number;
    } else {
      const receivedAt = columns.receivedAt[i] as number;
      if (lastSkewedReceivedAt === null || receivedAt > lastSkewedReceivedAt) lastSkewedReceivedAt = receivedAt;
    }
  }
  return { flags, lastUnskewedAt, lastSkewedReceivedAt };
}
