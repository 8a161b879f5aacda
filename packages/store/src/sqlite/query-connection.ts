import Database from 'better-sqlite3';
import { ChunkReader } from './chunk-table.js';
import { prepareReader } from './schema.js';
import { WaveformReader } from './waveform-table.js';

/**
 * The main thread's read-only connection. Every query runs in one read transaction, so all its
 * statements see the same committed state even while the writer thread commits meanwhile; and it
 * shows only rows of flushes up to `visibleFlushId`, the last flush whose commit the main thread
 * has heard of (in the same step as it dropped that flush's samples from memory).
 */
export class QueryConnection {
  /** The latest flush the main thread knows committed. */
  visibleFlushId: number;
  readonly chunks: ChunkReader;
  readonly waveforms: WaveformReader;
  private readonly db: Database.Database;
  private readonly begin: Database.Statement<[]>;
  private readonly commit: Database.Statement<[]>;

  constructor(path: string, visibleFlushId: number) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    prepareReader(this.db);
    this.visibleFlushId = visibleFlushId;
    this.chunks = new ChunkReader(this.db, () => this.visibleFlushId);
    this.waveforms = new WaveformReader(this.db, () => this.visibleFlushId);
    this.begin = this.db.prepare('BEGIN');
    this.commit = this.db.prepare('COMMIT');
  }

  /** Runs `read` inside one read transaction. */
  read<T>(read: () => T): T {
    this.begin.run();
    try {
      return read();
    } finally {
      this.commit.run();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
