import { performance } from 'node:perf_hooks';
import type { Database, Statement } from 'better-sqlite3';
import { ByteWriter } from './byte-buffer.js';
import { cutChunks } from './chunk-codec.js';
import type { ChunkWriter } from './chunk-table.js';
import type { WaveformWriter } from './waveform-table.js';
import { unpackHeads, type FlushOutcome, type FlushRequest } from './writer-protocol.js';

/**
 * Writes one flush on the writer thread, in ONE transaction with synchronous=FULL: the new series
 * rows, every head's samples as chunks (cut at `chunkSamples` and at hour boundaries), the waveform
 * segments, the changed seq sets and the checkpoint — so the durable checkpoint always matches
 * exactly the durable data. Then it copies the WAL into the database file (a passive checkpoint).
 * Throws what SQLite throws (disk full, I/O error), after rolling the transaction back.
 */
export class FlushWriter {
  private readonly insertSeries: Statement<[number, string, string, string | null]>;
  private readonly upsertSeqSet: Statement<[string, string, Uint8Array]>;
  private readonly upsertState: Statement<[string | null, number]>;
  private readonly blob = new ByteWriter(64 * 1024);
  private readonly pageSize: number;

  constructor(
    private readonly db: Database,
    private readonly chunks: ChunkWriter,
    private readonly waveforms: WaveformWriter,
    private readonly chunkSamples: number,
  ) {
    this.insertSeries = db.prepare('INSERT INTO series (id, device_id, code, patient_id) VALUES (?, ?, ?, ?)');
    this.upsertSeqSet = db.prepare(
      `INSERT INTO seq_set (device_id, boot, intervals) VALUES (?, ?, ?)
       ON CONFLICT (device_id, boot) DO UPDATE SET intervals = excluded.intervals`,
    );
    this.pageSize = db.pragma('page_size', { simple: true }) as number;
    this.upsertState = db.prepare(
      `INSERT INTO store_state (id, checkpoint, last_flush_id) VALUES (1, ?, ?) ON CONFLICT (id)
       DO UPDATE SET checkpoint = coalesce(excluded.checkpoint, checkpoint), last_flush_id = excluded.last_flush_id`,
    );
  }

  write(request: FlushRequest): FlushOutcome {
    const startedAt = performance.now();
    let chunks = 0;
    let commitMs = 0;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const s of request.newSeries) this.insertSeries.run(s.id, s.deviceId, s.code, s.patientId);
      for (const { seriesId, columns } of unpackHeads(request.heads)) {
        for (const chunk of cutChunks(columns, this.chunkSamples, this.blob)) {
          this.chunks.insert(seriesId, chunk, 0, request.writtenAt, request.flushId);
          chunks++;
        }
      }
      for (const w of request.waveforms) this.waveforms.write(w, request.flushId);
      for (const s of request.seqSets) this.upsertSeqSet.run(s.deviceId, s.boot, s.intervals);
      this.upsertState.run(request.checkpointJson ?? null, request.flushId);
      commitMs = performance.now();
      this.db.exec('COMMIT');
      commitMs = performance.now() - commitMs;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    const transactionMs = performance.now() - startedAt;
    const walStartedAt = performance.now();
    const [checkpoint] = this.db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    const walBytes = (checkpoint?.log ?? 0) * this.pageSize;
    return { chunks, transactionMs, commitMs, walCheckpointMs: performance.now() - walStartedAt, walBytes };
  }
}
