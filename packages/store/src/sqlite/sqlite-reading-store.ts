import { performance } from 'node:perf_hooks';
import { WardstreamError, type CanonicalReading, type IngestRecord, type PatientId } from '@wardstream/domain';
import type {
  AggregateQuery,
  Bucket,
  Checkpoint,
  RangePage,
  RangeQuery,
  ReadingStore,
  StoreStats,
  StoredWaveform,
  Subject,
  UnassignedDevice,
  WaveformQuery,
  WriteResult,
} from '../reading-store.js';
import { readAggregate } from './aggregate-query.js';
import type { CompactionReport } from './compactor.js';
import { Lane } from './lane.js';
import { loadStateFromFile } from './load-state.js';
import type { MemoryState } from './memory-state.js';
import { compileOptions, type CompiledStoreOptions, type SqliteReadingStoreOptions } from './options.js';
import { QueryConnection } from './query-connection.js';
import { readRange } from './range-query.js';
import { checkRecords } from './record-check.js';
import { checkWindow, fileSize, serializeCheckpoint, toError } from './store-checks.js';
import { readLatest, readUnassigned, readWaveforms } from './subject-queries.js';
import { WriterClient } from './writer-client.js';
import { flushRequest } from './writer-protocol.js';

/**
 * The embedded reading store: time series kept the way time-series databases keep them. Writes
 * append to an in-memory head per series, visible at once. A flush (every `flushIntervalMs`, on
 * `flush()` and `close()`) hands the heads, waveforms, changed message keys and checkpoint to the
 * writer thread, which writes them as compact chunk rows in ONE fsynced SQLite transaction and
 * later compacts small chunks into large ones. Queries merge memory with the durable chunks, read
 * on the main thread through a read-only connection.
 *
 * Failure modes: a flush that fails (disk full, I/O error) leaves the store unavailable — writes
 * and flushes reject with `WardstreamError('UNAVAILABLE')` and its cause, queries keep answering —
 * until it is reopened and the log replayed from `checkpoint()`. A blob failing its checksum raises
 * CORRUPT. Calls after `close()` reject with CLOSED.
 */
export class SqliteReadingStore implements ReadingStore {
  private readonly lane = new Lane();
  private readonly timers: NodeJS.Timeout[] = [];
  private queuedFlush: Promise<void> | undefined;
  private compacting: Promise<CompactionReport> | undefined;
  private closing: Promise<void> | undefined;
  private abandoned = false;
  private failure: WardstreamError | undefined;

  private constructor(
    private readonly options: CompiledStoreOptions,
    private readonly writer: WriterClient,
    private readonly queries: QueryConnection,
    private readonly state: MemoryState,
  ) {
    const every = (ms: number, run: () => void) => this.timers.push(setInterval(run, ms).unref());
    every(options.flushIntervalMs, () => {
      this.flushInBackground();
    });
    if (options.compactIntervalMs > 0) {
      every(options.compactIntervalMs, () => {
        this.compactInBackground();
      });
    }
  }

  /**
   * Opens (creating when missing) the store at `options.path`, rebuilds its in-memory state and
   * starts its writer thread. Rejects with `StoreOptionsError` listing every invalid option,
   * CORRUPT for a file of another schema or a blob failing its checksum, UNAVAILABLE when SQLite
   * cannot open the file.
   */
  static async open(options: SqliteReadingStoreOptions): Promise<SqliteReadingStore> {
    const compiled = compileOptions(options);
    const state = loadStateFromFile(compiled.path);
    const { path, chunkSamples, sliceBudgetMs } = compiled;
    const writer = await WriterClient.start({ path, chunkSamples, sliceBudgetMs });
    try {
      return new SqliteReadingStore(compiled, writer, new QueryConnection(compiled.path, state.lastFlushId), state);
    } catch (err) {
      await writer.terminate();
      throw new WardstreamError('UNAVAILABLE', `cannot open reading store ${compiled.path}`, { cause: err });
    }
  }

  write(records: readonly IngestRecord[], checkpoint: Checkpoint): Promise<WriteResult> {
    try {
      this.assertWritable();
      checkRecords(records);
      const result = this.state.apply(records, serializeCheckpoint(checkpoint));
      if (this.state.pendingReadings < this.options.maxPendingReadings) return Promise.resolve(result);
      return this.flush().then(() => result);
    } catch (err) {
      return Promise.reject(toError(err));
    }
  }

  flush(): Promise<void> {
    try {
      this.assertWritable();
    } catch (err) {
      return Promise.reject(toError(err));
    }
    this.queuedFlush ??= this.lane.run(async () => {
      this.queuedFlush = undefined;
      await this.flushNow();
    });
    return this.queuedFlush;
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return this.query(() => this.state.durableCheckpoint);
  }

  range(query: RangeQuery): Promise<RangePage> {
    return this.query(() => {
      checkWindow(query.subject, query.fromAt, query.toAt);
      return this.queries.read(() => readRange(this.state.registry, this.queries.chunks, this.options, query));
    });
  }

  latest(subject: Subject): Promise<CanonicalReading[]> {
    return this.query(() => {
      checkWindow(subject, 0, 0);
      return readLatest(this.state.registry, subject);
    });
  }

  latestForPatients(patientIds: readonly PatientId[]): Promise<Map<PatientId, CanonicalReading[]>> {
    return this.query(() => new Map(patientIds.map((id) => [id, readLatest(this.state.registry, { patientId: id })])));
  }

  aggregate(query: AggregateQuery): Promise<Bucket[]> {
    return this.query(() => {
      checkWindow(query.subject, query.fromAt, query.toAt);
      return this.queries.read(() => readAggregate(this.state.registry, this.queries.chunks, query));
    });
  }

  waveforms(query: WaveformQuery): Promise<StoredWaveform[]> {
    return this.query(() => {
      checkWindow(query.subject, query.fromAt, query.toAt);
      return this.queries.read(() => readWaveforms(this.state, this.queries.waveforms, query));
    });
  }

  unassignedDevices(): Promise<UnassignedDevice[]> {
    return this.query(() => readUnassigned(this.state.registry));
  }

  stats(): Promise<StoreStats> {
    return this.query(() => ({
      readings: this.state.readings,
      messages: this.state.keys.size,
      series: this.state.registry.size,
      bytes: fileSize(this.options.path) + fileSize(`${this.options.path}-wal`),
      pendingReadings: this.state.pendingReadings,
    }));
  }

  /**
   * Merges every chunk that is due (flushed more than `compactAfterMs` ago) now, in slices on the
   * writer thread, and reports what it did. Background compaction does the same every
   * `compactIntervalMs`. Query results never change.
   */
  compact(): Promise<CompactionReport> {
    this.compacting ??= this.compactAll().finally(() => {
      this.compacting = undefined;
    });
    return this.compacting;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /**
   * For fault tests: stops the writer thread at once and lets go of the database without flushing,
   * as `kill -9` would. A transaction in progress is rolled back; unflushed writes are lost; the
   * durable state is what a reopen finds. The store is closed afterwards.
   */
  async simulateCrash(): Promise<void> {
    this.stopTimers();
    this.abandoned = true;
    this.closing ??= Promise.resolve();
    this.queries.close();
    await this.writer.terminate();
  }

  private async flushNow(): Promise<void> {
    if (this.isAbandoned()) throw new WardstreamError('CLOSED', 'the reading store was abandoned');
    if (this.failure !== undefined) throw this.failure;
    const startedAt = performance.now();
    const snapshot = this.state.takeSnapshot();
    if (snapshot === undefined) return;
    const request = flushRequest(snapshot, this.state.lastFlushId + 1, this.options.clock.now());
    const mainThreadMs = performance.now() - startedAt;
    try {
      const transfer = [request.heads.samples.buffer, request.heads.index.buffer] as ArrayBuffer[];
      const outcome = await this.writer.request(request, transfer);
      // One synchronous step: from now on queries read these rows on disk instead of in memory.
      this.queries.visibleFlushId = request.flushId;
      this.state.lastFlushId = request.flushId;
      this.state.committed(snapshot);
      const { readings, waveforms } = { readings: snapshot.readings, waveforms: snapshot.waveforms.length };
      const totalMs = performance.now() - startedAt;
      this.options.onFlush?.({ readings, waveforms, totalMs, mainThreadMs, ...outcome });
    } catch (err) {
      if (this.isAbandoned()) throw new WardstreamError('CLOSED', 'the reading store was abandoned', { cause: err });
      throw this.fail('a flush failed', err);
    }
  }

  /** A method, not a field read, so that checks after an await are not narrowed away. */
  private isAbandoned(): boolean {
    return this.abandoned;
  }

  private async compactAll(): Promise<CompactionReport> {
    let chunksIn = 0;
    let chunksOut = 0;
    let samples = 0;
    while (this.closing === undefined && this.failure === undefined) {
      const slice = await this.lane.run(() => {
        const now = this.options.clock.now();
        const limits = { cutoffAt: now - this.options.compactAfterMs, writtenAt: now };
        return this.writer.request({ kind: 'compact', ...limits, maxFlushId: this.queries.visibleFlushId });
      });
      if (slice.chunksIn === 0) break;
      chunksIn += slice.chunksIn;
      chunksOut += slice.chunksOut;
      samples += slice.samples;
    }
    return { chunksIn, chunksOut, samples };
  }

  private flushInBackground(): void {
    if (this.failure !== undefined || this.closing !== undefined || !this.state.hasUnflushed) return;
    // A failure is kept in this.failure and reported by the next write, flush or close.
    this.flush().catch(() => undefined);
  }

  private compactInBackground(): void {
    if (this.failure !== undefined || this.closing !== undefined || this.compacting !== undefined) return;
    this.compact().catch((err: unknown) => {
      if (!this.isAbandoned()) this.fail('compaction failed', err);
    });
  }

  private async shutDown(): Promise<void> {
    this.stopTimers();
    let error: unknown;
    if (this.failure === undefined) {
      try {
        await this.lane.run(() => this.flushNow());
      } catch (err) {
        error = err;
      }
    }
    await this.compacting?.catch(() => undefined);
    await this.lane.idle();
    this.queries.close();
    await this.writer.request({ kind: 'close' }).catch(() => this.writer.terminate());
    if (error !== undefined) throw toError(error);
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(what: string, cause: unknown): WardstreamError {
    this.failure ??= new WardstreamError(
      'UNAVAILABLE',
      `reading store ${this.options.path}: ${what}; reopen it and replay the log from its checkpoint`,
      { cause },
    );
    return this.failure;
  }

  private stopTimers(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  private assertWritable(): void {
    if (this.closing !== undefined) throw new WardstreamError('CLOSED', 'the reading store is closed');
    if (this.failure !== undefined) throw this.failure;
  }

  private query<T>(run: () => T): Promise<T> {
    try {
      if (this.closing !== undefined) throw new WardstreamError('CLOSED', 'the reading store is closed');
      return Promise.resolve(run());
    } catch (err) {
      return Promise.reject(toError(err));
    }
  }
}
