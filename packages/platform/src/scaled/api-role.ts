import { readFileSync } from 'node:fs';
import { PostgresClinicalStore } from '@wardstream/alerts/postgres';
import { createApi, LiveHub, startHttpServer, type HttpServer } from '@wardstream/api';
import { connect } from '@nats-io/transport-node';
import type { AlarmEvent, EcgMetrics, ScoreRecord } from '@wardstream/clinical';
import { Catalogue, decodeIngestRecord, type Clock } from '@wardstream/domain';
import { PostgresRegistry } from '@wardstream/registry/postgres';
import { PostgresReadingStore } from '@wardstream/store/postgres';
import { openApiSecurity } from '../api-security.js';
import { findDashboardDir } from '../dashboard-dir.js';
import type { Logger } from '../logger.js';
import { Closers, SYSTEM_CLOCK } from './closers.js';
import { PlatformMetrics } from '../metrics.js';
import { RemoteClinicalCommands, clinicalCheckpointScope } from './clinical-rpc.js';
import { liveSubject } from './cluster.js';
import type { RunningRole } from './processor-role.js';
import type { ApiConfig } from './role-config.js';

export interface RunningApi extends RunningRole {
  readonly httpPort: number;
}

const decoder = new TextDecoder();

/**
 * `wardstream api`: the HTTP API (readings, registry, live feeds, the dashboard) on PostgreSQL,
 * with bearer tokens from the hospital's OIDC provider and every access audited in the clinical
 * store's hash-chained trail. Live feeds hear the records, alarm events, scores and ECG metrics
 * the processors publish. Alarm commands and charting go to the processor owning the patient's
 * partition (`RemoteClinicalCommands`); the alarm burden counts the stored alarms against the
 * monitored time in each partition engine's last checkpoint.
 */
export async function startApiRole(
  config: ApiConfig,
  deps: { readonly logger: Logger; readonly clock?: Clock },
): Promise<RunningApi> {
  const { logger } = deps;
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const metrics = new PlatformMetrics();
  const closers = new Closers();
  const undo = () => closers.closeAll();
  try {
    const connectionString = config.postgresUrl;
    const schema = config.pgSchema;
    const registry = await PostgresRegistry.open({ connectionString, schema });
    closers.push(() => registry.close());
    const store = await PostgresReadingStore.open({ connectionString, schema, poolSize: 8 });
    closers.push(() => store.close());
    const clinicalStore = PostgresClinicalStore.open({ connectionString, schema });
    closers.push(() => clinicalStore.close());

    const live = new LiveHub();
    const nats = await connect({
      servers: [...config.natsServers],
      name: `wardstream-api-${process.pid}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    closers.push(() => nats.drain().catch(() => nats.close()));
    // What the processors publish as they store readings and raise alarms (core NATS, best effort:
    // a live view re-reads the store when it opens, and alarms are in the store either way).
    const subject = liveSubject(config.streamPrefix);
    const feeds: [string, (data: Uint8Array) => void][] = [
      [`${subject}.readings`, (data) => live.publish([decodeIngestRecord(data)])],
      [`${subject}.alarms`, (data) => live.publishAlarm(JSON.parse(decoder.decode(data)) as AlarmEvent)],
      [`${subject}.scores`, (data) => live.publishScore(JSON.parse(decoder.decode(data)) as ScoreRecord)],
      [`${subject}.ecg`, (data) => live.publishEcg(JSON.parse(decoder.decode(data)) as EcgMetrics)],
    ];
    for (const [name, publish] of feeds) {
      const subscription = nats.subscribe(name, {
        callback: (err, msg) => {
          if (err !== null) {
            logger.warn('api', 'live subscription failed', { subject: name, error: err.message });
            return;
          }
          try {
            publish(msg.data);
          } catch (e) {
            logger.warn('api', 'an unreadable live message was dropped', {
              subject: name,
              error: (e as Error).message,
            });
          }
        },
      });
      closers.push(() => subscription.unsubscribe());
    }
    const commands = new RemoteClinicalCommands({
      nats,
      prefix: config.streamPrefix,
      partitionCount: config.partitions,
      store: clinicalStore,
      registry,
      clock,
      loadEngineCheckpoint: (partition) => clinicalStore.loadCheckpoint(clinicalCheckpointScope(partition)),
    });

    const apiSecurity = openApiSecurity({
      tokens: { kind: 'external', ...config.oidc },
      // Used only by the embedded issuer, which the api role does not run.
      dataDir: '',
      keyDir: '',
      clock,
      logger,
      metrics,
      clinicalStore: () => clinicalStore,
      notifyBreakGlass: () => undefined,
    });
    closers.push(() => apiSecurity.close());
    const dashboardDir = findDashboardDir();
    const api = createApi(
      {
        security: apiSecurity.security,
        registry,
        store,
        catalogue: new Catalogue(),
        clock,
        live,
        health: () => ({
          components: {
            nats: nats.isClosed() ? { status: 'down', detail: 'connection closed' } : { status: 'ok' },
          },
        }),
        metrics: () => metrics.text(),
        clinical: { commands, store: clinicalStore },
        ...(dashboardDir === undefined ? {} : { dashboardDir }),
      },
      (err) =>
        logger.error('api', 'internal error', {
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    );
    const tls = config.httpTls;
    const http: HttpServer = await startHttpServer(api, {
      host: config.host,
      port: config.httpPort,
      ...(tls === undefined
        ? {}
        : { tls: { cert: readFileSync(tls.certPath, 'utf8'), key: readFileSync(tls.keyPath, 'utf8') } }),
    });
    closers.push(() => http.close());
    logger.info('api', 'listening', {
      url: `${tls === undefined ? 'http' : 'https'}://${config.host}:${http.port}/api/v1`,
    });
    let stopping: Promise<void> | undefined;
    return {
      httpPort: http.port,
      healthPort: http.port,
      stop: () => (stopping ??= undo()),
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
