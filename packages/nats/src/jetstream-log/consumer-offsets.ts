import { WardstreamError } from '@wardstream/domain';
import { JetStreamApiCodes, JetStreamApiError, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Offsets } from '@wardstream/log';
import { PARTITION_COUNT_KEY, consumerKey, offsetsBucket } from './names.js';

const isWrongRevision = (error: unknown): boolean =>
  error instanceof JetStreamApiError &&
  (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
    error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

function parseCount(text: string, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new WardstreamError('CORRUPT', `${what} holds "${text}", not a non-negative integer`);
  }
  return value;
}

/**
 * Consumer offsets and the log's partition count in the KV bucket `<prefix>_OFFSETS` (history 1,
 * file storage, the streams' replicas; reads go to the stream leader, not to possibly stale
 * replicas). A commit compares and sets each key by revision and retries on a race, keeping the
 * larger offset, so offsets never move backwards whoever commits concurrently.
 */
export class ConsumerOffsets {
  private constructor(
    private readonly kv: KV,
    private readonly bucket: string,
  ) {}

  /** Opens the bucket, creating it when missing; fails with CONFLICT if it has other replicas. */
  static async open(
    nc: NatsConnection,
    jsm: JetStreamManager,
    prefix: string,
    replicas: number,
  ): Promise<ConsumerOffsets> {
    const bucket = offsetsBucket(prefix);
    const kv = await new Kvm(nc).create(bucket, {
      replicas,
      history: 1,
      storage: StorageType.File,
      allow_direct: false,
    });
    const info = await jsm.streams.info(`KV_${bucket}`);
    if (info.config.num_replicas !== replicas) {
      throw new WardstreamError(
        'CONFLICT',
        `KV bucket ${bucket}: num_replicas ${info.config.num_replicas} (wanted ${replicas})`,
      );
    }
    return new ConsumerOffsets(kv, bucket);
  }

  /**
   * The log's partition count: the stored one, else `requested ?? fallback` stored now (the first
   * opener wins a race). Throws CONFLICT when `requested` differs from the stored count.
   */
  async partitionCount(requested: number | undefined, fallback: number): Promise<number> {
    for (;;) {
      const entry = await this.kv.get(PARTITION_COUNT_KEY);
      if (entry !== null && entry.operation === 'PUT') {
        const stored = parseCount(entry.string(), `${this.bucket}/${PARTITION_COUNT_KEY}`);
        if (requested !== undefined && requested !== stored) {
          throw new WardstreamError(
            'CONFLICT',
            `the telemetry log ${this.bucket.replace(/_OFFSETS$/, '')} has ${stored} partitions; partitionCount ${requested} was asked for`,
          );
        }
        return stored;
      }
      try {
        await this.kv.create(PARTITION_COUNT_KEY, String(requested ?? fallback));
        return requested ?? fallback;
      } catch (error) {
        if (!isWrongRevision(error)) throw error;
      }
    }
  }

  /** Raises each partition's committed offset of `consumer` to the given one (never lowers it). */
  async commit(consumer: string, offsets: Offsets): Promise<void> {
    await Promise.all([...offsets].map(([partition, offset]) => this.raise(consumerKey(consumer, partition), offset)));
  }

  /** The committed offsets of `consumer` over partitions 0 … count-1; never-committed ones are absent. */
  async committed(consumer: string, partitionCount: number): Promise<Map<number, number>> {
    const keys = Array.from({ length: partitionCount }, (_, p) => consumerKey(consumer, p));
    const entries = await Promise.all(keys.map((key) => this.kv.get(key)));
    const result = new Map<number, number>();
    for (const [p, entry] of entries.entries()) {
      if (entry !== null && entry.operation === 'PUT') {
        result.set(p, parseCount(entry.string(), `${this.bucket}/${keys[p] ?? ''}`));
      }
    }
    return result;
  }

  private async raise(key: string, offset: number): Promise<void> {
    for (;;) {
      const entry = await this.kv.get(key);
      try {
        if (entry === null || entry.operation !== 'PUT') {
          await this.kv.create(key, String(offset));
        } else {
          if (parseCount(entry.string(), `${this.bucket}/${key}`) >= offset) return;
          await this.kv.update(key, String(offset), entry.revision);
        }
        return;
      } catch (error) {
        // Another committer wrote the key since we read it: read again and keep the larger.
        if (!isWrongRevision(error)) throw error;
      }
    }
  }
}
