import type { Clock } from '@wardstream/domain';
import { WardstreamError } from '@wardstream/domain';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';

/**
 * What `JetStreamTelemetryLog.open` accepts. Give either `servers` (the log connects, owns the
 * connection and closes it on `close()`) or `connection` (the caller's: `close()` leaves it open).
 */
export interface JetStreamTelemetryLogOptions {
  /** NATS URLs, e.g. `nats://nats-1:4222`; the log opens its own connection (reconnecting forever). */
  readonly servers?: string | readonly string[];
  /** Further client options for the log's own connection (credentials, TLS); not with `connection`. */
  readonly connectOptions?: Partial<NodeConnectionOptions>;
  /** The connection's name as servers show it (default `wardstream-telemetry-log`); not with `connection`. */
  readonly connectionName?: string;
  /** An open connection to use instead of `servers`; the caller keeps owning it. */
  readonly connection?: NatsConnection;
  /**
   * Names every resource of the log: streams `<prefix>_P<n>` on subjects `<prefix>.p.<n>`, and the
   * KV bucket `<prefix>_OFFSETS`. Letters, digits, `_` and `-`, starting with a letter, at most 64
   * characters; default `WS_TELEMETRY`.
   */
  readonly prefix?: string;
  /**
   * Partitions of a new log (1 … 1024, default 8). An existing log keeps the count it was created
   * with: giving another count is an error, leaving it out adopts the stored one.
   */
  readonly partitionCount?: number;
  /**
   * Copies of every stream and of the offsets bucket: 1 (a single server: an acknowledged record is
   * on one disk), 3 or 5 (a cluster: acknowledged once a quorum stored it). Required.
   */
  readonly replicas: number;
  /**
   * How long JetStream remembers a message id for deduplication (the streams' `duplicate_window`),
   * 1 s … 24 h, default 2 minutes. Within it a re-send is answered `duplicate` or `conflict`;
   * after it a re-send is appended again (downstream stores are idempotent on the same key).
   */
  readonly duplicateWindowMs?: number;
  /** How long one publish waits for JetStream's acknowledgement before the append fails; default 5 s. */
  readonly publishTimeoutMs?: number;
  /** Retention: records older than this are deleted (stream `max_age`); default none. */
  readonly maxAgeMs?: number;
  /**
   * Retention: the most bytes one partition's stream may hold (stream `max_bytes`); default none.
   * When reached, appends to that partition fail (`discard: new`): nothing is deleted to make room.
   */
  readonly maxBytesPerPartition?: number;
  /** How often stream info refreshes `status()` (end offsets written by others, bytes); default 5 s. */
  readonly statusIntervalMs?: number;
  /** Source of instants for `status().state.since`; defaults to the system clock. */
  readonly clock?: Clock;
}

export const DEFAULT_JETSTREAM_PREFIX = 'WS_TELEMETRY';
export const DEFAULT_CONNECTION_NAME = 'wardstream-telemetry-log';
/**
 * Two minutes, the NATS default. The server keeps every id of the window in memory on each
 * replica (≈ 100–200 bytes per message), so at the 15,000 messages/s design target this is
 * already ≈ 1.8 M ids; a re-send after a lost PUBACK normally comes within seconds of the
 * reconnect, and a later one is still stored once downstream.
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
export const DEFAULT_STATUS_INTERVAL_MS = 5_000;
const MAX_PARTITION_COUNT = 1024;
const PREFIX = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const DAY_MS = 86_400_000;

/** Options after defaults and validation. */
export interface JetStreamLogConfig {
  readonly connection:
    | { readonly kind: 'own'; readonly options: Partial<NodeConnectionOptions> }
    | { readonly kind: 'borrowed'; readonly nc: NatsConnection };
  readonly prefix: string;
  /** Undefined when left to the stored log (or the default for a new one). */
  readonly partitionCount: number | undefined;
  readonly replicas: number;
  readonly duplicateWindowMs: number;
  readonly publishTimeoutMs: number;
  readonly maxAgeMs: number | undefined;
  readonly maxBytesPerPartition: number | undefined;
  readonly statusIntervalMs: number;
  readonly clock: Clock;
}

export class JetStreamLogOptionsError extends WardstreamError {
  constructor(readonly problems: readonly string[]) {
    super('INVALID_INPUT', `invalid JetStreamTelemetryLog options: ${problems.join('; ')}`);
    this.name = 'JetStreamLogOptionsError';
  }
}

const KNOWN = new Set([
  'servers',
  'connectOptions',
  'connectionName',
  'connection',
  'prefix',
  'partitionCount',
  'replicas',
  'duplicateWindowMs',
  'publishTimeoutMs',
  'maxAgeMs',
  'maxBytesPerPartition',
  'statusIntervalMs',
  'clock',
]);

/** Applies defaults and checks every option; throws `JetStreamLogOptionsError` listing every problem. */
export function compileJetStreamLogOptions(options: JetStreamTelemetryLogOptions): JetStreamLogConfig {
  const problems: string[] = [];
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) problems.push(`unknown option ${key}`);
  const int = (name: keyof JetStreamTelemetryLogOptions, min: number, max: number): number | undefined => {
    const value: unknown = options[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
      return undefined;
    }
    return value;
  };
  const connection = compileConnection(options, problems);
  const prefix: unknown = options.prefix ?? DEFAULT_JETSTREAM_PREFIX;
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    problems.push('prefix must be 1 to 64 letters, digits, _ or -, starting with a letter');
  }
  const replicas: unknown = options.replicas;
  if (replicas !== 1 && replicas !== 3 && replicas !== 5) {
    problems.push(`replicas must be 1, 3 or 5 (got ${String(replicas)})`);
  }
  const config: JetStreamLogConfig = {
    connection: connection ?? { kind: 'own', options: {} },
    prefix: String(prefix),
    partitionCount: int('partitionCount', 1, MAX_PARTITION_COUNT),
    replicas: Number(replicas),
    duplicateWindowMs: int('duplicateWindowMs', 1_000, DAY_MS) ?? DEFAULT_DUPLICATE_WINDOW_MS,
    publishTimeoutMs: int('publishTimeoutMs', 10, 600_000) ?? DEFAULT_PUBLISH_TIMEOUT_MS,
    maxAgeMs: int('maxAgeMs', 1_000, 100 * 365 * DAY_MS),
    maxBytesPerPartition: int('maxBytesPerPartition', 1024 * 1024, Number.MAX_SAFE_INTEGER),
    statusIntervalMs: int('statusIntervalMs', 100, 3_600_000) ?? DEFAULT_STATUS_INTERVAL_MS,
    clock: options.clock ?? { now: () => Date.now() },
  };
  if (problems.length > 0) throw new JetStreamLogOptionsError(problems);
  return config;
}

function compileConnection(
  options: JetStreamTelemetryLogOptions,
  problems: string[],
): JetStreamLogConfig['connection'] | undefined {
  const { servers, connection, connectOptions, connectionName } = options;
  if (connection !== undefined) {
    if (servers !== undefined) problems.push('give servers or connection, not both');
    if (connectOptions !== undefined || connectionName !== undefined) {
      problems.push('connectOptions and connectionName apply only to a connection the log opens (servers)');
    }
    if (typeof connection !== 'object' || typeof connection.publish !== 'function') {
      problems.push('connection must be a NatsConnection');
    }
    return { kind: 'borrowed', nc: connection };
  }
  const list: unknown[] = typeof servers === 'string' ? [servers] : Array.isArray(servers) ? servers : [];
  if (list.length === 0 || !list.every((s) => typeof s === 'string' && s.trim() !== '')) {
    problems.push('servers must be a non-empty URL or list of URLs (or give connection)');
  }
  if (connectionName !== undefined && (typeof connectionName !== 'string' || connectionName === '')) {
    problems.push('connectionName must be a non-empty string');
  }
  if (connectOptions !== undefined && (typeof connectOptions !== 'object' || 'servers' in connectOptions)) {
    problems.push('connectOptions must be an object without servers (use the servers option)');
  }
  return {
    kind: 'own',
    options: {
      maxReconnectAttempts: -1,
      ...connectOptions,
      servers: list.map(String),
      name: connectionName ?? DEFAULT_CONNECTION_NAME,
    },
  };
}
