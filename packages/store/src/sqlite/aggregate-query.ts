import { WardstreamError } from '@wardstream/domain';
import { AGGREGATE_EXCLUDED_FLAGS, type AggregateQuery, type Bucket } from '../reading-store.js';
import { decodeParts } from './chunk-codec.js';
import type { ChunkReader, ChunkSummaryRow } from './chunk-table.js';
import { ExactSum } from './exact-sum.js';
import { lowerBound, type SampleColumns } from './samples.js';
import type { SeriesRegistry } from './series.js';

const BUCKET_SIZES: readonly number[] = [1_000, 60_000, 3_600_000];

class Accumulator {
  count = 0;
  excluded = 0;
  min = Infinity;
  max = -Infinity;
  readonly sum = new ExactSum();

  addSample(value: number, quality: number): void {
    if ((quality & AGGREGATE_EXCLUDED_FLAGS) !== 0) {
      this.excluded++;
      return;
    }
    this.count++;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    this.sum.add(value);
  }

  /** Adds a chunk from its summary, which is of every sample: only for a chunk with none excluded. */
  addSummary(chunk: ChunkSummaryRow): void {
    this.count += chunk.count;
    this.min = Math.min(this.min, chunk.min);
    this.max = Math.max(this.max, chunk.max);
    this.sum.addParts(decodeParts(chunk.sumParts));
  }

  toBucket(startAt: number): Bucket {
    const { count, excluded } = this;
    if (count === 0) return { startAt, count, excluded, min: null, max: null, mean: null };
    return { startAt, count, excluded, min: this.min, max: this.max, mean: this.sum.value() / count };
  }
}

/**
 * Bucketed count/min/max/mean of one code of a subject over [fromAt, toAt) by the port's rule
 * (reading-store.ts `Bucket`): buckets aligned to multiples of `bucketMs` in epoch time, only
 * buckets holding readings, in time order; readings flagged implausible or artifact counted in
 * `excluded`, not aggregated. A durable chunk lying wholly inside one bucket and inside the range,
 * whose `flags` show no excluded reading, is counted from its summary without decoding it. Sums
 * are exact until the final rounding (see exact-sum.ts), so results do not depend on how the
 * samples are grouped into chunks.
 */
export function readAggregate(registry: SeriesRegistry, chunks: ChunkReader, query: AggregateQuery): Bucket[] {
  const { fromAt, toAt, bucketMs } = query;
  if (!BUCKET_SIZES.includes(bucketMs)) {
    throw new WardstreamError('INVALID_INPUT', `bucketMs must be one of ${BUCKET_SIZES.join(', ')}`);
  }
  const buckets = new Map<number, Accumulator>();
  const bucket = (at: number): Accumulator => {
    const startAt = Math.floor(at / bucketMs) * bucketMs;
    let acc = buckets.get(startAt);
    if (acc === undefined) {
      acc = new Accumulator();
      buckets.set(startAt, acc);
    }
    return acc;
  };
  const addSamples = (columns: SampleColumns): void => {
    for (let i = lowerBound(columns, fromAt); i < columns.length; i++) {
      const at = columns.observedAt[i] as number;
      if (at >= toAt) break;
      bucket(at).addSample(columns.value[i] as number, columns.quality[i] as number);
    }
  };

  if (fromAt < toAt) {
    for (const series of registry.forSubject(query.subject, query.code)) {
      for (const columns of series.memory()) addSamples(columns);
      if (!series.persisted) continue;
      for (const chunk of chunks.summaries(series.id, fromAt, toAt)) {
        const inside = chunk.startAt >= fromAt && chunk.endAt < toAt;
        const oneBucket = Math.floor(chunk.startAt / bucketMs) === Math.floor(chunk.endAt / bucketMs);
        if (inside && oneBucket && (chunk.flags & AGGREGATE_EXCLUDED_FLAGS) === 0) {
          bucket(chunk.startAt).addSummary(chunk);
        } else {
          addSamples(chunks.load(chunk.id));
        }
      }
    }
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([startAt, acc]) => acc.toBucket(startAt));
}
