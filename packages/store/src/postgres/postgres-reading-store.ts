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
import type { MigrationReport } from '@wardstream/pg';
import { migrate, quoteSchema } from './migrations.js';
import { compilePostgresOptions, type CompiledPostgresOptions, type PostgresReadingStoreOptions } from './options.js';
import { DailyPartitions } from './partitions.js';
import { ReadingQueries } from './reading-queries.js';
import { SummaryQueries } from './summary-queries.js';
import { writeBatch } from './write-batch.js';

/** What the store and its checkpoint-scoped views share: one pool, one set of queries. */
interface Shared {
  readonly pool: pg.Pool;
  readonly options: CompiledPostgresOptions;
  readonly applicationName: string;
  readonly partitions: DailyPartitions;
  readonly readings: ReadingQueries;
  readonly summaries: SummaryQueries;
}

/** The checkpoint scope of the store `open` returns (a single processor owning every partition). */
export const DEFAULT_CHECKPOINT_SCOPE = '';

/**
 * The reading store on PostgreSQL (the scaled-out adapter of DESIGN 3.2). Write-through: each
 * `write` is one transaction holding its records and the checkpoint, so it is durable — a flush —
 * when it resolves; `flush()` only waits for writes under way, and `pendingReadings` is always 0.
 * Writes are serialised in call order so checkpoints commit in order. Database failures reject
 * with `WardstreamError('UNAVAILABLE')` carrying the driver's error as `cause`.
 *
 * Checkpoints have scopes: processors sharing the log's partitions each write through a view
 * (`withCheckpointScope`, e.g. one scope per partition) whose `write` and `checkpoint` touch only
 * its own checkpoint row, while the data and the queries are common. Idempotency on
 * (deviceId, boot, seq) is global, so two owners of a partition during a hand-over store each
 * message once.
 */
export class PostgresReadingStore implements ReadingStore {
  private writeTail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly views = new Set<PostgresReadingStore>();

  private constructor(
    private readonly shared: Shared,
    private readonly scope: string,
    private readonly epoch: number,
    private readonly parent: PostgresReadingStore | undefined,
  ) {}

  private static root(pool: pg.Pool, options: CompiledPostgresOptions, applicationName: string): PostgresReadingStore {
    const shared: Shared = {
      pool,
      options,
      applicationName,
      partitions: new DailyPartitions(pool, options.schema),
      readings: new ReadingQueries(pool, options.schema, options),
      summaries: new SummaryQueries(pool, options.schema),
    };
    return new PostgresReadingStore(shared, DEFAULT_CHECKPOINT_SCOPE, 0, undefined);
  }

  /**
   * A view on the same tables and pool whose checkpoint is the row of `scope`. Closing the view
   * waits for its writes; closing the store closes every view and the pool. `epoch` fences: once a
   * view of a higher epoch has written the scope's checkpoint, a write through a lower one rolls
   * back with CONFLICT (a processor that lost its partition while paused stops there).
   */
  withCheckpointScope(scope: string, epoch = 0): PostgresReadingStore {
    this.checkOpen();
    const root = this.parent ?? this;
    const view = new PostgresReadingStore(this.shared, scope, epoch, root);
    root.views.add(view);
    return view;
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
    return PostgresReadingStore.root(pool, compiled, applicationName);
  }

  /** Runs the pending migrations of a schema and reports what it applied (for `wardstream migrate`). */
  static async migrate(options: PostgresReadingStoreOptions): Promise<MigrationReport> {
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
        await this.shared.partitions.ensure(records.map((r) => r.observedAt));
        const client = await this.shared.pool.connect();
        try {
          await client.query('BEGIN');
          const result = await writeBatch(client, this.shared.options.schema, records, {
            scope: this.scope,
            epoch: this.epoch,
            json: checkpointJson,
          });
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
      this.shared.pool.query<{ value: Checkpoint }>(
        `SELECT value FROM ${quoteSchema(this.shared.options.schema)}.checkpoint WHERE scope = $1`,
        [this.scope],
      ),
    );
    return result.rows[0]?.value;
  }

  range(query: RangeQuery): Promise<RangePage> {
    return this.read('range', () => this.shared.readings.range(query));
  }

  latest(subject: Subject): Promise<CanonicalReading[]> {
    return this.read('latest', () => this.shared.readings.latest(subject));
  }

  latestForPatients(patientIds: readonly PatientId[]): Promise<Map<PatientId, CanonicalReading[]>> {
    return this.read('latestForPatients', () => this.shared.readings.latestForPatients(patientIds));
  }

  aggregate(query: AggregateQuery): Promise<Bucket[]> {
    return this.read('aggregate', () => this.shared.readings.aggregate(query));
  }

  waveforms(query: WaveformQuery): Promise<StoredWaveform[]> {
    return this.read('waveforms', () => this.shared.summaries.waveforms(query));
  }

  unassignedDevices(): Promise<UnassignedDevice[]> {
    return this.read('unassignedDevices', () => this.shared.summaries.unassignedDevices());
  }

  async stats(): Promise<StoreStats> {
    const counts = await this.read('stats', () => this.shared.summaries.counts());
    return { ...counts, pendingReadings: 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.parent !== undefined) {
      await this.writeTail;
      this.closed = true;
      this.parent.views.delete(this);
      return;
    }
    for (const view of [...this.views]) await view.close();
    await this.writeTail;
    this.closed = true;
    await this.shared.pool.end();
  }

  /**
   * For crash tests: the server terminates this store's connections, as when the process is
   * killed; a write not yet committed rolls back there. The store is closed afterwards.
   */
  async simulateCrash(): Promise<void> {
    const root = this.parent ?? this;
    root.closed = true;
    for (const view of root.views) view.closed = true;
    await this.shared.pool
      .query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [this.shared.applicationName],
      )
      .catch(() => undefined);
    await this.shared.pool.end().catch(() => undefined);
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
