import type { Database, Statement } from 'better-sqlite3';
import { ByteWriter } from './byte-buffer.js';
import { decodeChunk } from './chunk-codec.js';
import type { ChunkWriter } from './chunk-table.js';
import { cutChunks } from './flusher.js';
import { mergeSamples } from './samples.js';
import { CHUNK_SPAN_LIMIT_MS } from './schema.js';
import { TimeSlicer } from './time-slicer.js';

export interface CompactorOptions {
  readonly chunkSamples: number;
  readonly sliceBudgetMs: number;
}

/** What one slice may touch. */
export interface SliceLimits {
  /** Flushed chunks written at or before this instant are due. */
  readonly cutoffAt: number;
  /** Only chunks of flushes the query side already shows (see schema.ts). */
  readonly maxFlushId: number;
  /** `written_at` of the chunks it writes. */
  readonly writtenAt: number;
}

/** What compaction did. */
export interface CompactionReport {
  /** Chunks read and replaced (or, when alone in their hour, kept as they are). */
  readonly chunksIn: number;
  /** Chunks written. */
  readonly chunksOut: number;
  readonly samples: number;
}

interface PendingRow {
  id: number;
  series_id: number;
  start_at: number;
  count: number;
  flush_id: number;
}

interface MemberRow {
  id: number;
  count: number;
  flush_id: number;
}

/** Most chunks and samples one merge reads, so that one merge stays a short step. */
const MAX_MEMBERS = 4096;
const MAX_MEMBER_SAMPLES_FACTOR = 8;

/**
 * Merges small chunks into large ones, in its own transactions (on the writer thread), never
 * changing what a query returns; a merged chunk carries the latest `flush_id` of its inputs. A flushed (level 0) chunk older than `compactAfterMs` is merged with the other small
 * chunks of its series and hour — flushed ones as old, and compacted (level 1) remainders — into
 * chunks of `chunkSamples` samples and one remainder, all level 1. Since every chunk lies within one
 * aligned hour, a merge never widens a chunk's span, and 1 h aggregates use summaries only.
 *
 * Each slice is one transaction of about `sliceBudgetMs`, with synchronous=NORMAL: a compaction
 * lost in a crash leaves the old chunks in place, which hold the same samples.
 */
export class Compactor {
  private readonly nextPending: Statement<[number, number], PendingRow>;
  private readonly members: Statement<[number, number, number, number, number, number], MemberRow>;
  private readonly data: Statement<[number], Uint8Array>;
  private readonly blob = new ByteWriter(64 * 1024);

  constructor(
    private readonly db: Database,
    private readonly chunks: ChunkWriter,
    private readonly options: CompactorOptions,
  ) {
    this.nextPending = db.prepare(
      `SELECT id, series_id, start_at, count, flush_id FROM chunk
       WHERE level = 0 AND written_at <= ? AND flush_id <= ? ORDER BY written_at LIMIT 1`,
    );
    this.members = db.prepare(
      `SELECT id, count, flush_id FROM chunk
       WHERE series_id = ? AND end_at >= ? AND end_at < ? AND count < ? AND (level = 1 OR written_at <= ?)
         AND flush_id <= ?
       ORDER BY start_at LIMIT ${MAX_MEMBERS}`,
    );
    this.data = db.prepare<[number], Uint8Array>('SELECT data FROM chunk WHERE id = ?').pluck();
  }

  /**
   * Runs one slice: merges groups until none is due or the slice has used its budget.
   * Returns what it did; `chunksIn === 0` means nothing is due.
   */
  slice(limits: SliceLimits): CompactionReport {
    const slicer = new TimeSlicer(this.options.sliceBudgetMs);
    let chunksIn = 0;
    let chunksOut = 0;
    let samples = 0;
    this.db.pragma('synchronous = NORMAL');
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        while (!slicer.due) {
          const pending = this.nextPending.get(limits.cutoffAt, limits.maxFlushId);
          if (pending === undefined) break;
          const merged = this.mergeGroup(pending, limits);
          chunksIn += merged.chunksIn;
          chunksOut += merged.chunksOut;
          samples += merged.samples;
        }
        this.db.exec('COMMIT');
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    return { chunksIn, chunksOut, samples };
  }

  private mergeGroup(pending: PendingRow, limits: SliceLimits): CompactionReport {
    const { chunkSamples } = this.options;
    const ids = [pending.id];
    let flushId = pending.flush_id;
    if (pending.count < chunkSamples) {
      const hourStart = Math.floor(pending.start_at / CHUNK_SPAN_LIMIT_MS) * CHUNK_SPAN_LIMIT_MS;
      const rows = this.members.all(
        pending.series_id,
        hourStart,
        hourStart + CHUNK_SPAN_LIMIT_MS,
        chunkSamples,
        limits.cutoffAt,
        limits.maxFlushId,
      );
      let total = pending.count;
      for (const row of rows) {
        if (row.id === pending.id) continue;
        if (total + row.count > chunkSamples * MAX_MEMBER_SAMPLES_FACTOR) break;
        ids.push(row.id);
        flushId = Math.max(flushId, row.flush_id);
        total += row.count;
      }
    }
    if (ids.length === 1) {
      // Full, or alone in its hour: nothing to merge with, and it needs no further look.
      this.chunks.promote(pending.id);
      return { chunksIn: 1, chunksOut: 0, samples: 0 };
    }
    const decoded = ids.map((id) => decodeChunk(this.data.get(id) ?? new Uint8Array(0), `chunk ${id}`));
    const merged = mergeSamples(decoded);
    let chunksOut = 0;
    for (const chunk of cutChunks(merged, chunkSamples, this.blob)) {
      this.chunks.insert(pending.series_id, chunk, 1, limits.writtenAt, flushId);
      chunksOut++;
    }
    for (const id of ids) this.chunks.delete(id);
    return { chunksIn: ids.length, chunksOut, samples: merged.length };
  }
}
