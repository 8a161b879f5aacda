import type { Database, Statement } from 'better-sqlite3';
import { CHUNK_SPAN_LIMIT_MS, decodeChunk, type DecodedChunk, type EncodedChunk } from './chunk-codec.js';

/** A chunk's place and size, read from the covering index without its blob. */
export interface ChunkSpan {
  readonly id: number;
  readonly startAt: number;
  readonly endAt: number;
  readonly count: number;
}

/** A chunk's summary, for aggregates: of every sample, whatever its flags (`flags` says which occur). */
export interface ChunkSummaryRow extends ChunkSpan {
  readonly min: number;
  readonly max: number;
  readonly sumParts: Uint8Array;
  readonly flags: number;
}

interface SpanRow {
  id: number;
  start_at: number;
  end_at: number;
  count: number;
}

interface SummaryRow extends SpanRow {
  min: number;
  max: number;
  sum_parts: Uint8Array;
  flags: number;
}

/** Compacted chunks of a series meeting [from, to): one range scan of `chunk_by_series`. */
const COMPACTED = `FROM chunk WHERE level = 1 AND series_id = ? AND end_at >= ? AND end_at < ? AND start_at < ?
  AND flush_id <= ?`;
/** Flushed chunks of a series meeting [from, to): one `chunk_fresh` probe per flush in [first, last]. */
const FRESH = `FROM (WITH RECURSIVE f(x) AS (SELECT ? UNION ALL SELECT x + 1 FROM f WHERE x < ?) SELECT x FROM f)
  JOIN chunk ON level = 0 AND flush_id = x AND series_id = ? AND end_at >= ? AND start_at < ?`;

/**
 * Chunk reads on the query connection. Chunks of a series may overlap in time (late data lands in
 * a later chunk), so a time range selects every chunk whose [startAt, endAt] meets it; the bound
 * `end_at < toAt + CHUNK_SPAN_LIMIT_MS` keeps that an index range scan. Only rows of flushes up to
 * `visibleFlushId()` are read (see schema.ts). Call inside a read transaction, so that a
 * compaction committing meanwhile cannot remove a chunk between finding and loading it.
 */
export class ChunkReader {
  private readonly firstFresh: Statement<[], number | null>;
  private readonly compactedSpans: Statement<[number, number, number, number, number], SpanRow>;
  private readonly freshSpans: Statement<[number, number, number, number, number], SpanRow>;
  private readonly compactedSummaries: Statement<[number, number, number, number, number], SummaryRow>;
  private readonly freshSummaries: Statement<[number, number, number, number, number], SummaryRow>;
  private readonly dataStatement: Statement<[number], Uint8Array>;

  constructor(
    db: Database,
    private readonly visibleFlushId: () => number,
  ) {
    this.firstFresh = db.prepare<[], number | null>('SELECT min(flush_id) FROM chunk WHERE level = 0').pluck();
    const spanColumns = 'SELECT id, start_at, end_at, count';
    const summaryColumns = `${spanColumns}, min, max, sum_parts, flags`;
    this.compactedSpans = db.prepare(`${spanColumns} ${COMPACTED}`);
    this.freshSpans = db.prepare(`${spanColumns} ${FRESH}`);
    this.compactedSummaries = db.prepare(`${summaryColumns} ${COMPACTED}`);
    this.freshSummaries = db.prepare(`${summaryColumns} ${FRESH}`);
    this.dataStatement = db.prepare<[number], Uint8Array>('SELECT data FROM chunk WHERE id = ?').pluck();
  }

  /** Chunks of `seriesId` holding samples that may lie in [fromAt, toAt). */
  spans(seriesId: number, fromAt: number, toAt: number): ChunkSpan[] {
    return this.select(this.compactedSpans, this.freshSpans, seriesId, fromAt, toAt).map(toSpan);
  }

  summaries(seriesId: number, fromAt: number, toAt: number): ChunkSummaryRow[] {
    return this.select(this.compactedSummaries, this.freshSummaries, seriesId, fromAt, toAt).map((r) => ({
      ...toSpan(r),
      min: r.min,
      max: r.max,
      sumParts: r.sum_parts,
      flags: r.flags,
    }));
  }

  /** Decodes one chunk; throws CORRUPT when its blob fails the checksum, or when it vanished. */
  load(id: number): DecodedChunk {
    const data = this.dataStatement.get(id);
    return decodeChunk(data ?? new Uint8Array(0), `chunk ${id}`);
  }

  private select<R>(
    compacted: Statement<[number, number, number, number, number], R>,
    fresh: Statement<[number, number, number, number, number], R>,
    seriesId: number,
    fromAt: number,
    toAt: number,
  ): R[] {
    const visible = this.visibleFlushId();
    const rows = compacted.all(seriesId, fromAt, toAt + CHUNK_SPAN_LIMIT_MS, toAt, visible);
    const first = this.firstFresh.get() ?? null;
    if (first !== null && first <= visible) rows.push(...fresh.all(first, visible, seriesId, fromAt, toAt));
    return rows;
  }
}

function toSpan(r: SpanRow): ChunkSpan {
  return { id: r.id, startAt: r.start_at, endAt: r.end_at, count: r.count };
}

/** Chunk writes on the writer connection (flush and compaction transactions). */
export class ChunkWriter {
  private readonly insertStatement: Statement;
  private readonly deleteStatement: Statement<[number]>;

  constructor(db: Database) {
    this.insertStatement = db.prepare(
      `INSERT INTO chunk (series_id, start_at, end_at, count, level, written_at, flush_id, min, max, sum, sum_parts, data,
         flags, last_unskewed_at, last_skewed_received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteStatement = db.prepare('DELETE FROM chunk WHERE id = ?');
  }

  insert(seriesId: number, chunk: EncodedChunk, level: 0 | 1, writtenAt: number, flushId: number): void {
    this.insertStatement.run(
      seriesId,
      chunk.startAt,
      chunk.endAt,
      chunk.count,
      level,
      writtenAt,
      flushId,
      chunk.min,
      chunk.max,
      chunk.sum,
      chunk.sumParts,
      chunk.data,
      chunk.flags,
      chunk.lastUnskewedAt,
      chunk.lastSkewedReceivedAt,
    );
  }

  delete(id: number): void {
    this.deleteStatement.run(id);
  }
}
