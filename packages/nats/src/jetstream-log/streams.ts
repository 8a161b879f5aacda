import { WardstreamError } from '@wardstream/domain';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { JetStreamLogConfig } from './options.js';
import { partitionSubject, streamName } from './names.js';

const NS_PER_MS = 1_000_000;
/** JetStream's "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

/** The stream config of one partition, as the log creates it. */
export function partitionStreamConfig(config: JetStreamLogConfig, partition: number): StreamConfig {
  return {
    name: streamName(config.prefix, partition),
    subjects: [partitionSubject(config.prefix, partition)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: config.replicas,
    duplicate_window: config.duplicateWindowMs * NS_PER_MS,
    max_age: (config.maxAgeMs ?? 0) * NS_PER_MS,
    max_bytes: config.maxBytesPerPartition ?? -1,
    // A full partition refuses appends (like a full disk) rather than deleting unread records.
    discard: DiscardPolicy.New,
    // Offsets stay contiguous: single messages cannot be deleted through the API.
    deny_delete: true,
    allow_direct: false,
  } as StreamConfig;
}

/** What differs between the stream config the log wants and the one the server holds. */
export function streamDifferences(wanted: StreamConfig, actual: StreamConfig): string[] {
  const differences: string[] = [];
  const compare = (field: keyof StreamConfig, want: unknown, have: unknown): void => {
    if (want !== have) differences.push(`${field} ${JSON.stringify(have)} (wanted ${JSON.stringify(want)})`);
  };
  compare('subjects', wanted.subjects.join(','), ((actual.subjects as string[] | undefined) ?? []).join(','));
  compare('storage', wanted.storage, actual.storage);
  compare('retention', wanted.retention, actual.retention);
  compare('num_replicas', wanted.num_replicas, actual.num_replicas);
  compare('duplicate_window', wanted.duplicate_window, actual.duplicate_window);
  compare('max_age', wanted.max_age, actual.max_age);
  compare('max_bytes', wanted.max_bytes, actual.max_bytes);
  compare('discard', wanted.discard, actual.discard);
  return differences;
}

const isApiError = (error: unknown, code: number): boolean => error instanceof JetStreamApiError && error.code === code;

/**
 * Creates the streams of partitions 0 … count-1 that are missing and checks those that exist.
 * Resolves every stream's info. Throws `WardstreamError('CONFLICT')` naming each stream whose
 * config differs and how (fix it with `nats stream edit`, or change the options); other failures
 * propagate (the caller maps them to unavailability).
 */
export async function ensurePartitionStreams(
  jsm: JetStreamManager,
  config: JetStreamLogConfig,
  partitionCount: number,
): Promise<StreamInfo[]> {
  const wanted = Array.from({ length: partitionCount }, (_, p) => partitionStreamConfig(config, p));
  const infos = await Promise.all(wanted.map((cfg) => ensureStream(jsm, cfg)));
  const conflicts = infos.flatMap((info, p) => {
    const cfg = wanted[p];
    const differences = cfg === undefined ? [] : streamDifferences(cfg, info.config);
    return differences.length === 0 ? [] : [`stream ${info.config.name}: ${differences.join(', ')}`];
  });
  if (conflicts.length > 0) {
    throw new WardstreamError(
      'CONFLICT',
      `existing JetStream streams differ from the telemetry log's options: ${conflicts.join('; ')}`,
    );
  }
  return infos;
}

async function ensureStream(jsm: JetStreamManager, wanted: StreamConfig): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(wanted.name);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
  }
  try {
    return await jsm.streams.add({ ...wanted });
  } catch (error) {
    // Another process created it first (maybe with another config): compare what is there.
    if (isApiError(error, STREAM_NAME_IN_USE)) return jsm.streams.info(wanted.name);
    throw error;
  }
}
