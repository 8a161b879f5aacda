import type { Database, Statement } from 'better-sqlite3';
import { decodeChunk, type DecodedChunk, type EncodedChunk } from './chunk-codec.js';
import { CHUNK_SPAN_LIMIT_MS } from './schema.js';

/** A chunk's place and size, read from the covering index without its blob. */
export interface ChunkSpan {
  readonly id: number;
  readonly startAt: number;
  readonly endAt: number;
  readonly count: number;
}

/** A chunk's summary, for aggregates. */
export interface ChunkSummaryRow extends ChunkSpan {
  readonly min: number;
  readonly max: number;
  readonly sumParts: Uint8Array;
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
}

const OVERLAPPING = 'series_id = ? AND end_at >= ? AND end_at < ? AND start_at < ? AND flush_id <= ?';

/**
 * Chunk reads on the query connection. Chunks of a series may overlap in time (late data lands in
 * a later chunk), so a time range selects every chunk whose [startAt, endAt] meets it; the bound
 * `end_at < toAt + CHUNK_SPAN_LIMIT_MS` keeps that an index range scan. Only chunks of flushes up
 * to `visibleFlushId` are read (see schema.ts). Call inside a read transaction, so that a
 * compaction committing meanwhile cannot remove a chunk between finding and loading it.
 */
export class ChunkReader {
  private readonly spansStatement: Statement<[number, number, number, number, number], SpanRow>;
  private readonly summariesStatement: Statement<[number, number, number, number, number], SummaryRow>;
  private readonly dataStatement: Statement<[number], Uint8Array>;

  /** `visibleFlushId`: the latest flush the main thread knows committed (see schema.ts). */
  constructor(
    db: Database,
    private readonly visibleFlushId: () => number,
  ) {
    this.spansStatement = db.prepare(`SELECT id, start_at, end_at, count FROM chunk WHERE ${OVERLAPPING}`);
    this.summariesStatement = db.prepare(
      `SELECT id, start_at, end_at, count, min, max, sum_parts FROM chunk WHERE ${OVERLAPPING}`,
    );
    this.dataStatement = db.prepare<[number], Uint8Array>('SELECT data FROM chunk WHERE id = ?').pluck();
  }

  /** Chunks of `seriesId` holding samples that may lie in [fromAt, toAt). */
  spans(seriesId: number, fromAt: number, toAt: number): ChunkSpan[] {
    return this.spansStatement
      .all(seriesId, fromAt, toAt + CHUNK_SPAN_LIMIT_MS, toAt, this.visibleFlushId())
      .map(toSpan);
  }

  summaries(seriesId: number, fromAt: number, toAt: number): ChunkSummaryRow[] {
    const rows = this.summariesStatement.all(seriesId, fromAt, toAt + CHUNK_SPAN_LIMIT_MS, toAt, this.visibleFlushId());
    return rows.map((r) => ({
      ...toSpan(r),
      min: r.min,
      max: r.max,
      sumParts: r.sum_parts,
    }));
  }

  /** Decodes one chunk; throws CORRUPT when its blob fails the checksum, or when it vanished. */
  load(id: number): DecodedChunk {
    const data = this.dataStatement.get(id);
    return decodeChunk(data ?? new Uint8Array(0), `chunk ${id}`);
  }
}

function toSpan(r: SpanRow): ChunkSpan {
  return { id: r.id, startAt: r.start_at, endAt: r.end_at, count: r.count };
}

/** Chunk writes on the writer connection (flush and compaction transactions). */
export class ChunkWriter {
  private readonly insertStatement: Statement;
  private readonly deleteStatement: Statement<[number]>;
  private readonly promoteStatement: Statement<[number]>;

  constructor(db: Database) {
    this.insertStatement = db.prepare(
      `INSERT INTO chunk (series_id, start_at, end_at, count, level, written_at, flush_id, min, max, sum, sum_parts, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteStatement = db.prepare('DELETE FROM chunk WHERE id = ?');
    this.promoteStatement = db.prepare('UPDATE chunk SET level = 1 WHERE id = ?');
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
    );
  }

  delete(id: number): void {
    this.deleteStatement.run(id);
  }

  /** Marks a chunk as needing no compaction. */
  promote(id: number): void {
    this.promoteStatement.run(id);
  }
}
