/**
 * The scaled-out telemetry log on NATS JetStream (DESIGN 2, 3.4).
 *
 * What an `appended` outcome guarantees, and what it depends on:
 * - Replicas. The promise resolves after JetStream's PubAck for every record, and a PubAck comes
 *   once the stream's leader stored the message (replicas 1) or a quorum of its replicas did
 *   (replicas 3: two servers, 5: three). With replicas 1 the record is on one server's disk: a
 *   lost disk loses it. Production uses replicas 3.
 * - Sync. "Stored" means written to the operating system, not fsynced: nats-server fsyncs on a
 *   timer (every 2 minutes by default). A process crash (kill -9) of nats-server loses nothing
 *   acknowledged; an OS crash or power loss can lose what was not yet synced — on every replica
 *   at once if they all lose power. nats-server 2.10 and later take `jetstream { sync_interval:
 *   always }` to fsync every write before acknowledging (slower); the 2.9.10 of Debian bookworm
 *   rejects that setting ("unknown field"), so with it only replication protects acknowledged
 *   records against an OS crash. Run 2.10+ with `sync_interval: always` where that matters.
 * - Deduplication window. Each record is published with `Nats-Msg-Id` = its (deviceId, boot,
 *   seq); JetStream drops a message whose id it saw within the streams' `duplicate_window`
 *   (option `duplicateWindowMs`, default 2 minutes) and this log then answers `duplicate` or
 *   `conflict` by the original's content hash (or `retired` if retention already deleted it).
 *   After the window a re-send is appended again, as a second entry; the stores downstream are
 *   idempotent on the same key, so it is stored once, but the log's outcomes (`duplicate`,
 *   `conflict`) only hold within the window. The window also only covers one partition: a re-send
 *   whose partition key changed (a device bound to a patient in between) lands as a new entry.
 * - Retention. Streams keep everything unless `maxAgeMs` (records older are deleted whether or not
 *   consumed: commits do not hold them back) or `maxBytesPerPartition` (appends to a full
 *   partition fail, like a full disk) is set.
 * - Failure. A publish that fails or is not acknowledged within `publishTimeoutMs` rejects the
 *   whole append with `LogUnavailableError`; a record of it may still have been stored, and the
 *   device's re-send is then answered `duplicate` (within the window).
 *
 * Layout: stream `<prefix>_P<n>` (file storage, one subject `<prefix>.p.<n>`) per partition, so a
 * partition's offset is its stream sequence minus one; consumer offsets and the partition count in
 * KV bucket `<prefix>_OFFSETS`. Streams and bucket are created at open when missing; existing ones
 * whose config differs from the options fail the open (CONFLICT, naming each difference).
 */
import { WardstreamError } from '@wardstream/domain';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  DEFAULT_PARTITION_COUNT,
  LogClosedError,
  LogUnavailableError,
  type AppendOutcome,
  type AppendRequest,
  type FetchOptions,
  type LogEntry,
  type LogStatus,
  type Offsets,
  type TelemetryLog,
} from '@wardstream/log';
import { ConsumerOffsets } from './consumer-offsets.js';
import { LogStatusTracker } from './log-status.js';
import { compileJetStreamLogOptions, type JetStreamLogConfig, type JetStreamTelemetryLogOptions } from './options.js';
import { Publisher } from './publisher.js';
import { ReaderPool } from './reader-pool.js';
import {
  HEADER_ALLOWANCE_BYTES,
  checkAppendRequests,
  checkConsumer,
  checkFetchOptions,
  checkOffsets,
} from './requests.js';
import { ensurePartitionStreams } from './streams.js';

/** NATS's default `max_payload`, used if the server did not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** A fetch waits at least this long for entries it knows exist before it reports the log unavailable. */
const MIN_CATCH_UP_MS = 10_000;

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Errors of the NATS client become `LogUnavailableError`; the log's own errors pass through. */
function unavailable(what: string, error: unknown): Error {
  if (
    error instanceof WardstreamError ||
    error instanceof LogUnavailableError ||
    error instanceof LogClosedError ||
    error instanceof RangeError
  ) {
    return error;
  }
  return new LogUnavailableError(`${what} failed: ${describe(error)}`, { cause: error });
}

/**
 * The telemetry log on JetStream (see the module comment for its guarantees). `open` validates
 * the options and connects; `close` finishes appends in flight, stops the readers, and closes
 * the connection if the log opened it (`servers`), not one it was given (`connection`).
 */
export class JetStreamTelemetryLog implements TelemetryLog {
  readonly partitionCount: number;
  private readonly appending = new Set<Promise<unknown>>();
  private readonly publisher: Publisher;
  private readonly readers: ReaderPool;
  private readonly maxPayloadBytes: number;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly config: JetStreamLogConfig,
    private readonly nc: NatsConnection,
    private readonly offsets: ConsumerOffsets,
    private readonly tracker: LogStatusTracker,
    parts: { partitionCount: number; publisher: Publisher; readers: ReaderPool },
  ) {
    this.partitionCount = parts.partitionCount;
    this.publisher = parts.publisher;
    this.readers = parts.readers;
    this.maxPayloadBytes = (nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - HEADER_ALLOWANCE_BYTES;
  }

  /**
   * Validates the options (a `JetStreamLogOptionsError`, INVALID_INPUT, lists every problem),
   * connects (or uses the given connection), opens the offsets bucket, settles the partition
   * count (stored one; CONFLICT if another was asked for) and creates or checks the streams
   * (CONFLICT naming each difference). Connection and server failures reject with
   * `LogUnavailableError`.
   */
  static async open(options: JetStreamTelemetryLogOptions): Promise<JetStreamTelemetryLog> {
    const config = compileJetStreamLogOptions(options);
    const owned = config.connection.kind === 'own';
    let nc: NatsConnection;
    try {
      nc = config.connection.kind === 'own' ? await connect(config.connection.options) : config.connection.nc;
    } catch (error) {
      throw unavailable('connecting to NATS', error);
    }
    try {
      const timeout = config.publishTimeoutMs;
      const jsm = await jetstreamManager(nc, { timeout });
      const js = jetstream(nc, { timeout });
      const offsets = await ConsumerOffsets.open(nc, jsm, config.prefix, config.replicas);
      const partitionCount = await offsets.partitionCount(config.partitionCount, DEFAULT_PARTITION_COUNT);
      const infos = await ensurePartitionStreams(jsm, config, partitionCount);
      const tracker = new LogStatusTracker(nc, jsm, config.prefix, infos, config.clock, config.statusIntervalMs);
      const readers = new ReaderPool(js, config.prefix, Math.max(MIN_CATCH_UP_MS, 2 * timeout));
      return new JetStreamTelemetryLog(config, nc, offsets, tracker, {
        partitionCount,
        readers,
        publisher: new Publisher({
          js,
          jsm,
          prefix: config.prefix,
          partitionCount,
          publishTimeoutMs: timeout,
          onStored: (partition, seq) => {
            tracker.noteStored(partition, seq);
          },
          onFailure: (error) => {
            tracker.noteFailure(error);
          },
        }),
      });
    } catch (error) {
      if (owned) await nc.close().catch(() => undefined);
      throw unavailable('opening the JetStream telemetry log', error);
    }
  }

  async append(records: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    this.assertOpen();
    checkAppendRequests(records, this.maxPayloadBytes);
    if (records.length === 0) return [];
    const task = this.publisher.append(records);
    this.appending.add(task);
    try {
      return await task;
    } finally {
      this.appending.delete(task);
    }
  }

  async fetch(from: Offsets, options: FetchOptions): Promise<LogEntry[]> {
    this.assertOpen();
    checkOffsets(from, this.partitionCount);
    checkFetchOptions(options);
    return this.readers.fetch(from, options, (partition) => this.tracker.endOffset(partition));
  }

  async commit(consumer: string, offsets: Offsets): Promise<void> {
    this.assertOpen();
    checkConsumer(consumer);
    checkOffsets(offsets, this.partitionCount);
    try {
      await this.offsets.commit(consumer, offsets);
    } catch (error) {
      throw unavailable(`committing offsets of ${consumer}`, error);
    }
  }

  async committed(consumer: string): Promise<Map<number, number>> {
    this.assertOpen();
    checkConsumer(consumer);
    try {
      return await this.offsets.committed(consumer, this.partitionCount);
    } catch (error) {
      throw unavailable(`reading the offsets of ${consumer}`, error);
    }
  }

  /**
   * Stops reading `partition` (its consumer and buffered entries), for a processor that gave the
   * partition up; a later fetch of it starts a new reader. Not part of the port: the embedded log
   * keeps no per-partition reader.
   */
  release(partition: number): void {
    this.readers.release(partition);
  }

  status(): LogStatus {
    return this.tracker.status();
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.allSettled([...this.appending]);
    await this.readers.close();
    await this.tracker.stop();
    if (this.config.connection.kind === 'own') await this.nc.close();
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new LogClosedError();
  }
}
