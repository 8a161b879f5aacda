import type { ComponentStatus } from '@wardstream/api';
import { JetStreamTelemetryLog } from '@wardstream/nats';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import type { ClusterConfig } from './role-config.js';

/** A role's connection to NATS and the telemetry log on it. */
export interface ClusterConnection {
  readonly connection: NatsConnection;
  readonly log: JetStreamTelemetryLog;
  /** Told after the connection came back: what was announced on core NATS meanwhile was missed. */
  onReconnect(listener: () => void): void;
  status(): ComponentStatus;
  /** Closes the log (finishing appends under way), then the connection. */
  close(): Promise<void>;
}

/** The core-NATS subject on which processors publish stored records for the api role's live feeds. */
export function liveSubject(streamPrefix: string): string {
  return `${streamPrefix}.live`;
}

/**
 * The JetStream telemetry log on a connection, creating its streams when missing. A reader at
 * another position of the same partitions (the clinical engine beside the processor) opens its own
 * instance: each keeps one consumer per partition, which follows one reader's position.
 */
export function openTelemetryLog(connection: NatsConnection, config: ClusterConfig): Promise<JetStreamTelemetryLog> {
  return JetStreamTelemetryLog.open({
    connection,
    prefix: config.streamPrefix,
    partitionCount: config.partitions,
    replicas: config.replicas,
    duplicateWindowMs: config.duplicateWindowMs,
  });
}

/**
 * Connects to the NATS cluster (any of `natsServers`; the client follows the cluster's gossip and
 * reconnects without end) and opens the JetStream telemetry log, creating its streams when missing.
 */
export async function connectCluster(config: ClusterConfig, name: string, logger: Logger): Promise<ClusterConnection> {
  const connection = await connect({
    servers: [...config.natsServers],
    name: `wardstream-${name}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  });
  const reconnectListeners: (() => void)[] = [];
  void (async () => {
    for await (const s of connection.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect')
        logger.warn('nats', s.type, { server: 'server' in s ? s.server : '' });
      if (s.type === 'reconnect') for (const listener of reconnectListeners) listener();
    }
  })();
  let log: JetStreamTelemetryLog;
  try {
    log = await openTelemetryLog(connection, config);
  } catch (err) {
    await connection.close();
    throw err;
  }
  return {
    connection,
    log,
    onReconnect: (listener) => {
      reconnectListeners.push(listener);
    },
    status: () => {
      const state = log.status().state;
      return state.kind === 'ok' ? { status: 'ok' } : { status: 'down', detail: state.reason };
    },
    close: async () => {
      await log.close();
      await connection.drain().catch(() => connection.close());
    },
  };
}
