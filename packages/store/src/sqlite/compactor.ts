import { performance } from 'node:perf_hooks';
import type { Database, Statement } from 'better-sqlite3';
import { ByteWriter } from './byte-buffer.js';
import { CHUNK_SPAN_LIMIT_MS, cutChunks, decodeChunk } from './chunk-codec.js';
import type { ChunkWriter } from './chunk-table.js';
import { mergeSamples } from './samples.js';

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
  /** Chunks merged away, or promoted as they were when alone in their hour. */
  readonly chunksIn: number;
  /** Chunks written. */
  readonly chunksOut: number;
  readonly samples: number;
}

interface FreshRow {
  id: number;
  series_id: number;
  start_at: number;
  count: number;
  flush_id: number;
}

interface RemainderRow {
  id: number;
  count: number;
  flush_id: number;
}

/** The due flushed chunks of one series and hour. */
interface Group {
  readonly seriesId: number;
  readonly hourStart: number;
  readonly fresh: FreshRow[];
}

/** Bound on the samples one merge reads, so that a merge stays a short step. */
const MAX_GROUP_SAMPLES_FACTOR = 8;

/**
 * Merges flushed (level 0) chunks into large compacted (level 1) ones on the writer thread, in
 * transactions of about `sliceBudgetMs`, never changing what a query returns: a query reads in one
 * read transaction, so it sees a merge entirely or not at all.
 *
 * A pass takes every level-0 chunk written before `cutoffAt` (found through the flush-ordered
 * index, without touching the series index), groups them by series and hour, and merges each
 * group with the under-full level-1 chunks of that series and hour into chunks of `chunkSamples`
 * and one remainder. Every chunk lies within one aligned hour, so a merge never widens a span. A
 * merged chunk carries the latest `flush_id` of its inputs. Slices run with synchronous=NORMAL: a
 * merge lost in a crash leaves its inputs, which hold the same samples.
 */
export class Compactor {
  private readonly due: Statement<[number, number], FreshRow>;
  private readonly remainders: Statement<[number, number, number, number], RemainderRow>;
  private readonly data: Statement<[number], Uint8Array>;
  private readonly promote: Statement<[number]>;
  private readonly blob = new ByteWriter(64 * 1024);
  private plan: Group[] = [];

  constructor(
    private readonly db: Database,
    private readonly chunks: ChunkWriter,
    private readonly options: CompactorOptions,
  ) {
    this.due = db.prepare(
      `SELECT id, series_id, start_at, count, flush_id FROM chunk
       WHERE level = 0 AND flush_id <= ? AND written_at <= ? ORDER BY flush_id`,
    );
    this.remainders = db.prepare(
      `SELECT id, count, flush_id FROM chunk
       WHERE level = 1 AND series_id = ? AND end_at >= ? AND end_at < ? AND count < ?`,
    );
    this.data = db.prepare<[number], Uint8Array>('SELECT data FROM chunk WHERE id = ?').pluck();
    this.promote = db.prepare('UPDATE chunk SET level = 1 WHERE id = ?');
  }

  /** Runs one slice of the current pass (starting a pass when none is running); all zero when nothing is due. */
  slice(limits: SliceLimits): CompactionReport {
    if (this.plan.length === 0) this.plan = this.planPass(limits);
    const deadline = performance.now() + this.options.sliceBudgetMs;
    let chunksIn = 0;
    let chunksOut = 0;
    let samples = 0;
    this.db.pragma('synchronous = NORMAL');
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        while (performance.now() < deadline) {
          const group = this.plan.pop();
          if (group === undefined) break;
          const merged = this.merge(group, limits);
          chunksIn += merged.chunksIn;
          chunksOut += merged.chunksOut;
          samples += merged.samples;
        }
        this.db.exec('COMMIT');
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        this.plan = [];
        throw err;
      }
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    return { chunksIn, chunksOut, samples };
  }

  /** The due level-0 chunks, grouped by series and hour, each group bounded in samples. */
  private planPass(limits: SliceLimits): Group[] {
    const limit = this.options.chunkSamples * MAX_GROUP_SAMPLES_FACTOR;
    const open = new Map<string, { group: Group; samples: number }>();
    const plan: Group[] = [];
    for (const row of this.due.iterate(limits.maxFlushId, limits.cutoffAt)) {
      const hourStart = Math.floor(row.start_at / CHUNK_SPAN_LIMIT_MS) * CHUNK_SPAN_LIMIT_MS;
      const key = `${row.series_id}:${hourStart}`;
      let entry = open.get(key);
      if (entry === undefined || entry.samples + row.count > limit) {
        entry = { group: { seriesId: row.series_id, hourStart, fresh: [] }, samples: 0 };
        open.set(key, entry);
        plan.push(entry.group);
      }
      entry.group.fresh.push(row);
      entry.samples += row.count;
    }
    return plan.reverse();
  }

  private merge(group: Group, limits: SliceLimits): CompactionReport {
    const { chunkSamples } = this.options;
    const { seriesId, hourStart } = group;
    const inputs: { id: number; flushId: number }[] = [];
    let promoted = 0;
    for (const row of group.fresh) {
      if (row.count >= chunkSamples) {
        this.promote.run(row.id);
        promoted++;
      } else {
        inputs.push({ id: row.id, flushId: row.flush_id });
      }
    }
    if (inputs.length === 0) return { chunksIn: promoted, chunksOut: 0, samples: 0 };
    const remainders = this.remainders.all(seriesId, hourStart, hourStart + CHUNK_SPAN_LIMIT_MS, chunkSamples);
    if (inputs.length === 1 && remainders.length === 0) {
      // Alone in its hour: it is already as large as it can get for now.
      this.promote.run((inputs[0] as { id: number }).id);
      return { chunksIn: promoted + 1, chunksOut: 0, samples: 0 };
    }
    for (const r of remainders) inputs.push({ id: r.id, flushId: r.flush_id });
    const decoded = inputs.map(({ id }) => decodeChunk(this.data.get(id) ?? new Uint8Array(0), `chunk ${id}`));
    const merged = mergeSamples(decoded);
    const flushId = Math.max(...inputs.map((i) => i.flushId));
    let chunksOut = 0;
    for (const chunk of cutChunks(merged, chunkSamples, this.blob)) {
      this.chunks.insert(seriesId, chunk, 1, limits.writtenAt, flushId);
      chunksOut++;
    }
    for (const { id } of inputs) this.chunks.delete(id);
    return { chunksIn: promoted + inputs.length, chunksOut, samples: merged.length };
  }
}
