import { WardstreamError, type CanonicalReading } from '@wardstream/domain';
import type { RangePage, RangeQuery } from '../reading-store.js';
import type { ChunkReader, ChunkSpan } from './chunk-table.js';
import { compareKeys, decodeCursor, encodeCursor, type ReadingKey } from './cursor.js';
import { bootAt, lowerBound, type SampleColumns, unitAt } from './samples.js';
import type { Series, SeriesRegistry } from './series.js';

/** One matching sample: sample `i` of `columns`, a sample set of `series`. */
interface Candidate {
  readonly series: Series;
  readonly columns: SampleColumns;
  readonly i: number;
  readonly at: number;
}

interface PendingChunk {
  readonly series: Series;
  readonly span: ChunkSpan;
}

export interface RangeLimits {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/**
 * Answers a range query from the heads, the flush in progress and the durable chunks, merged in
 * the port's order (observedAt, deviceId, code, boot, seq). Chunks may overlap in time, so they are
 * loaded in order of their first sample until the page is settled: every reading before the first
 * sample of the next unloaded chunk is known, and once more than a page of them is known the page
 * is complete. The cursor is the key of the page's last reading, so paging is unaffected by
 * compaction rewriting chunks between pages.
 */
export function readRange(
  registry: SeriesRegistry,
  chunks: ChunkReader,
  limits: RangeLimits,
  query: RangeQuery,
): RangePage {
  const limit = pageSize(query.limit, limits);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const fromAt = after === undefined ? query.fromAt : Math.max(query.fromAt, after.observedAt);
  const { toAt } = query;
  if (!(fromAt < toAt)) return { readings: [] };

  const candidates: Candidate[] = [];
  const collect = (series: Series, columns: SampleColumns): void => {
    for (let i = lowerBound(columns, fromAt); i < columns.length; i++) {
      const at = columns.observedAt[i] as number;
      if (at >= toAt) break;
      if (after !== undefined && at === after.observedAt && compareKeys(keyOf(series, columns, i), after) <= 0) {
        continue;
      }
      candidates.push({ series, columns, i, at });
    }
  };

  const pending: PendingChunk[] = [];
  for (const series of registry.forSubject(query.subject, query.code)) {
    for (const columns of series.memory()) collect(series, columns);
    if (series.persisted) {
      for (const span of chunks.spans(series.id, fromAt, toAt)) pending.push({ series, span });
    }
  }
  pending.sort((a, b) => a.span.startAt - b.span.startAt);

  let next = 0;
  let batch = 2;
  let horizon = Infinity;
  for (;;) {
    horizon = next < pending.length ? (pending[next] as PendingChunk).span.startAt : Infinity;
    if (horizon === Infinity || countBefore(candidates, horizon) > limit) break;
    const end = Math.min(pending.length, next + batch);
    for (; next < end; next++) {
      const { series, span } = pending[next] as PendingChunk;
      collect(series, chunks.load(span.id));
    }
    batch *= 2;
  }

  const settled = candidates.filter((c) => c.at < horizon).sort(compareCandidates);
  const page = settled.slice(0, limit);
  const readings = page.map(toReading);
  const last = page[page.length - 1];
  if (settled.length > limit && last !== undefined) {
    return { readings, next: encodeCursor(keyOf(last.series, last.columns, last.i)) };
  }
  return { readings };
}

function pageSize(requested: number | undefined, limits: RangeLimits): number {
  if (requested === undefined) return limits.defaultPageSize;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new WardstreamError('INVALID_INPUT', `limit must be a positive integer, got ${requested}`);
  }
  return Math.min(requested, limits.maxPageSize);
}

function countBefore(candidates: readonly Candidate[], horizon: number): number {
  let n = 0;
  for (const c of candidates) if (c.at < horizon) n++;
  return n;
}

function keyOf(series: Series, columns: SampleColumns, i: number): ReadingKey {
  return {
    observedAt: columns.observedAt[i] as number,
    deviceId: series.deviceId,
    code: series.code,
    boot: bootAt(columns, i),
    seq: columns.seq[i] as number,
  };
}

function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  const sa = a.series;
  const sb = b.series;
  if (sa.deviceId !== sb.deviceId) return sa.deviceId < sb.deviceId ? -1 : 1;
  if (sa.code !== sb.code) return sa.code < sb.code ? -1 : 1;
  const ba = bootAt(a.columns, a.i);
  const bb = bootAt(b.columns, b.i);
  if (ba !== bb) return ba < bb ? -1 : 1;
  return (a.columns.seq[a.i] as number) - (b.columns.seq[b.i] as number);
}

function toReading(c: Candidate): CanonicalReading {
  const { series, columns, i } = c;
  return {
    deviceId: series.deviceId,
    patientId: series.patientId,
    code: series.code,
    value: columns.value[i] as number,
    unit: unitAt(columns, i),
    observedAt: c.at,
    receivedAt: columns.receivedAt[i] as number,
    boot: bootAt(columns, i),
    seq: columns.seq[i] as number,
    quality: columns.quality[i] as number,
  };
}
