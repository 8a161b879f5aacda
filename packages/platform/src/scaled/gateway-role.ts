import { Catalogue, DEFAULT_PLAUSIBILITY, type Clock } from '@wardstream/domain';
import { IngestPipeline } from '@wardstream/gateway';
import type { TelemetryLog } from '@wardstream/log';
import { ApprovalIndex, BindingIndex } from '@wardstream/registry';
import { PostgresRegistry } from '@wardstream/registry/postgres';
import { listenForDevices } from '../device-listeners.js';
import { openDeviceTrust } from '../device-trust.js';
import type { Logger } from '../logger.js';
import { Closers, SYSTEM_CLOCK } from './closers.js';
import { PlatformMetrics } from '../metrics.js';
import { connectCluster } from './cluster.js';
import { startHealthServer } from './health-server.js';
import type { RunningRole } from './processor-role.js';
import type { GatewayConfig } from './role-config.js';

export interface RunningGateway extends RunningRole {
  readonly mqttPort: number;
  readonly devPlaintextMqttPort: number | undefined;
}

/**
 * `wardstream gateway`: the MQTT endpoint for devices. It validates and normalises each message,
 * resolves the device's patient from the registry (kept current across processes by PostgreSQL
 * notifications), appends the record to the JetStream telemetry log and answers PUBACK only once
 * JetStream acknowledged it. It keeps nothing but its connections: any device may connect to any
 * gateway, and a re-send after a reconnect elsewhere is recognised by its (deviceId, boot, seq).
 */
export async function startGatewayRole(
  config: GatewayConfig,
  deps: { readonly logger: Logger; readonly clock?: Clock },
): Promise<RunningGateway> {
  const { logger } = deps;
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const metrics = new PlatformMetrics();
  const closers = new Closers();
  const undo = () => closers.closeAll();
  try {
    const cluster = await connectCluster(config, `gateway-${process.pid}`, logger);
    closers.push(() => cluster.close());
    const registry = await PostgresRegistry.open({ connectionString: config.postgresUrl, schema: config.pgSchema });
    closers.push(() => registry.close());
    const approvals = await ApprovalIndex.load(registry);
    closers.push(() => approvals.close());
    const bindings = await BindingIndex.load(registry);
    closers.push(() => bindings.close());
    const trust = await openDeviceTrust({
      keyDir: config.keyDir,
      mqttTls: config.mqttTls,
      mqttHost: config.mqttHost,
      logger,
      approvals,
    });
    closers.push(() => trust.close());

    // Appends JetStream did not acknowledge: their devices get no PUBACK and are disconnected to
    // re-send. Logged at most every 5 s with how many, so an operator sees why devices reconnect.
    let unacknowledged = 0;
    let lastReport = 0;
    const inner = cluster.log;
    const log: TelemetryLog = {
      get partitionCount() {
        return inner.partitionCount;
      },
      fetch: (from, options) => inner.fetch(from, options),
      commit: (consumer, offsets) => inner.commit(consumer, offsets),
      committed: (consumer) => inner.committed(consumer),
      status: () => inner.status(),
      close: () => inner.close(),
      append: (records) =>
        cluster.log.append(records).catch((err: unknown) => {
          unacknowledged += records.length;
          const now = clock.now();
          if (now - lastReport >= 5_000) {
            logger.warn('gateway', 'the telemetry log did not acknowledge appends; their devices re-send', {
              records: unacknowledged,
              error: err instanceof Error ? err.message : String(err),
            });
            unacknowledged = 0;
            lastReport = now;
          }
          throw err;
        }),
    };
    const pipeline = new IngestPipeline({
      log,
      bindings,
      metrics: metrics.gateway,
      wire: { catalogue: new Catalogue(), plausibility: DEFAULT_PLAUSIBILITY, limits: config.wire },
      onInternalError: (err) => logger.error('gateway', 'internal error', { error: String(err) }),
    });
    const { endpoint, plaintext } = await listenForDevices({
      pipeline,
      metrics,
      clock,
      logger,
      deviceConnected: (id, at) => registry.deviceConnected(id, at),
      trust,
      host: config.mqttHost,
      port: config.mqttPort,
      devPlaintextPort: config.devPlaintextMqttPort,
      maxPayloadBytes: config.wire.maxPayloadBytes,
    });
    closers.push(() => endpoint.close());
    if (plaintext !== undefined) closers.push(() => plaintext.close());
    const health = await startHealthServer(
      config.healthHost,
      config.healthPort,
      () => ({ components: { log: cluster.status() } }),
      () => metrics.text(),
    );
    closers.push(() => health.close());
    logger.info('gateway', 'listening', {
      url: `mqtts://${config.mqttHost}:${endpoint.port}`,
      health: `http://${config.healthHost}:${health.port}/health`,
    });
    let stopping: Promise<void> | undefined;
    return {
      mqttPort: endpoint.port,
      devPlaintextMqttPort: plaintext?.port,
      healthPort: health.port,
      // Listeners close first (in-flight publishes get their answers), then the log, then the rest.
      stop: () => (stopping ??= undo()),
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
