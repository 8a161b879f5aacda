import { randomBytes } from 'node:crypto';
import { WardstreamError, type CanonicalReading, type IngestRecord, type PatientId } from '@wardstream/domain';
import pg from 'pg';
import type {
  AggregateQuery,
  Bucket,
  Checkpoint,
  RangePage,
  RangeQuery,
  ReadingStore,
  StoredWaveform,
  StoreStats,
  Subject,
  UnassignedDevice,
  WaveformQuery,
  WriteResult,
} from '../reading-store.js';
import { checkRecords } from '../sqlite/record-check.js';
import { serializeCheckpoint } from '../sqlite/store-checks.js';
import { migrate, quoteSchema } from './migrations.js';
import { compilePostgresOptions, type CompiledPostgresOptions, type PostgresReadingStoreOptions } from './options.js';
import { DailyPartitions } from './partitions.js';
import { ReadingQueries } from './reading-queries.js';
import { SummaryQueries } from './summary-queries.js';
import { writeBatch } from './write-batch.js';

/**
 * The reading store on PostgreSQL (the scaled-out adapter of DESIGN 3.2). Write-through: each
 * `write` is one transaction holding its records and the checkpoint, so it is durable — a flush —
 * when it resolves; `flush()` only waits for writes under way, and `pendingReadings` is always 0.
 * Writes are serialised in call order so checkpoints commit in order. Database failures reject
 * with `WardstreamError('UNAVAILABLE')` carrying the driver's error as `cause`.
 */
export class PostgresReadingStore implements ReadingStore {
  private writeTail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly partitions: DailyPartitions;
  private readonly readings: ReadingQueries;
  private readonly summaries: SummaryQueries;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: CompiledPostgresOptions,
    private readonly applicationName: string,
  ) {
    this.partitions = new DailyPartitions(pool, options.schema);
    this.readings = new ReadingQueries(pool, options.schema, options);
    this.summaries = new SummaryQueries(pool, options.schema);
  }

  /** Validates the options, connects, and runs the schema's pending migrations. */
  static async open(options: PostgresReadingStoreOptions): Promise<PostgresReadingStore> {
    const compiled = compilePostgresOptions(options);
    const applicationName = `wardstream-store-${randomBytes(4).toString('hex')}`;
    const pool = newPool(compiled, applicationName);
    try {
      await unavailableOnError('migrating the schema', () => migrate(pool, compiled.schema));
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return new PostgresReadingStore(pool, compiled, applicationName);
  }

  /** Runs the pending migrations of a schema and returns the versions applied (for a `migrate` command). */
  static async migrate(options: PostgresReadingStoreOptions): Promise<number[]> {
    const compiled = compilePostgresOptions(options);
    const pool = newPool(compiled, 'wardstream-store-migrate');
    try {
      return await unavailableOnError('migrating the schema', () => migrate(pool, compiled.schema));
    } finally {
      await pool.end();
    }
  }

  write(records: readonly IngestRecord[], checkpoint: Checkpoint): Promise<WriteResult> {
    const run = async (): Promise<WriteResult> => {
      this.checkOpen();
      checkRecords(records);
      const checkpointJson = serializeCheckpoint(checkpoint);
      return unavailableOnError('writing readings', async () => {
        await this.partitions.ensure(records.map((r) => r.observedAt));
        const client = await this.pool.connect();
        try {
          await client.query('BEGIN');
          const result = await writeBatch(client, this.options.schema, records, checkpointJson);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      });
    };
    const result = this.writeTail.then(run, run);
    this.writeTail = result.catch(() => undefined);
    return result;
  }

  /** Every write commits before it resolves; this waits for those under way. */
  async flush(): Promise<void> {
    this.checkOpen();
    await this.writeTail;
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    this.checkOpen();
    const result = await unavailableOnError('reading the checkpoint', () =>
      this.pool.query<{ value: Checkpoint }>(`SELECT value FROM ${quoteSchema(this.options.schema)}.checkpoint`),
    );
    return result.rows[0]?.value;
  }

  range(query: RangeQuery): Promise<RangePage> {
    return this.read('range', () => this.readings.range(query));
  }

  latest(subject: Subject): Promise<CanonicalReading[]> {
    return this.read('latest', () => this.readings.latest(subject));
  }

  latestForPatients(patientIds: readonly PatientId[]): Promise<Map<PatientId, CanonicalReading[]>> {
    return this.read('latestForPatients', () => this.readings.latestForPatients(patientIds));
  }

  aggregate(query: AggregateQuery): Promise<Bucket[]> {
    return this.read('aggregate', () => this.readings.aggregate(query));
  }

  waveforms(query: WaveformQuery): Promise<StoredWaveform[]> {
    return this.read('waveforms', () => this.summaries.waveforms(query));
  }

  unassignedDevices(): Promise<UnassignedDevice[]> {
    return this.read('unassignedDevices', () => this.summaries.unassignedDevices());
  }

  async stats(): Promise<StoreStats> {
    const counts = await this.read('stats', () => this.summaries.counts());
    return { ...counts, pendingReadings: 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writeTail;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * For crash tests: the server terminates this store's connections, as when the process is
   * killed; a write not yet committed rolls back there. The store is closed afterwards.
   */
  async simulateCrash(): Promise<void> {
    this.closed = true;
    await this.pool
      .query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [this.applicationName],
      )
      .catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async read<T>(what: string, query: () => Promise<T>): Promise<T> {
    this.checkOpen();
    return unavailableOnError(what, query);
  }

  private checkOpen(): void {
    if (this.closed) throw new WardstreamError('CLOSED', 'the reading store is closed');
  }
}

function newPool(options: CompiledPostgresOptions, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    application_name: applicationName,
  });
  // An idle connection the server dropped: the pool discards it and the next query opens another.
  pool.on('error', () => undefined);
  return pool;
}

/** Passes WardstreamErrors through; turns a driver or server failure into UNAVAILABLE with its cause. */
async function unavailableOnError<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WardstreamError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new WardstreamError('UNAVAILABLE', `PostgreSQL reading store: ${what} failed: ${detail}`, { cause: err });
  }
}
