import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApi, LiveHub, startHttpServer, type HealthReport, type HttpServer } from '@wardstream/api';
import { Catalogue, DEFAULT_PLAUSIBILITY, type Clock } from '@wardstream/domain';
import { IngestPipeline, MqttEndpoint } from '@wardstream/gateway';
import { FileTelemetryLog } from '@wardstream/log';
import { Processor, DEFAULT_PROCESSOR_OPTIONS, type SkippedEntry } from '@wardstream/processor';
import { BindingIndex, SqliteRegistry } from '@wardstream/registry';
import { SqliteReadingStore, type ReadingStore } from '@wardstream/store';
import type { EmbeddedConfig } from './config.js';
import { lockDataDir } from './data-dir-lock.js';
import { startDemo, type Demo } from './demo.js';
import type { Logger } from './logger.js';
import { PlatformMetrics } from './metrics.js';
import { ProcessingSupervisor } from './processing-supervisor.js';
import { startClinical, type ClinicalParts } from './clinical-wiring.js';

export interface EmbeddedDeps {
  readonly logger: Logger;
  readonly clock?: Clock;
}

/** A running embedded platform. */
export interface EmbeddedPlatform {
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly registry: SqliteRegistry;
  /** The store as the API sees it: forwards to the open instance, which may be reopened after a failure. */
  readonly store: ReadingStore;
  readonly log: FileTelemetryLog;
  readonly processing: ProcessingSupervisor;
  /** Scores, alarms and their routing. */
  readonly clinical: ClinicalParts;
  /** Called once if a component fails beyond recovery (corrupt log, store failure). */
  onFatal(listener: (err: Error) => void): void;
  /** Stops intake, drains the log into the store, commits, closes — in that order. */
  stop(): Promise<void>;
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/**
 * The composition root of `wardstream up`: one process, one data directory, no external service.
 * Starts components in dependency order and stops them in reverse; only this file chooses adapters.
 */
export async function startEmbedded(config: EmbeddedConfig, deps: EmbeddedDeps): Promise<EmbeddedPlatform> {
  const { logger } = deps;
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const cleanups: (() => Promise<void> | void)[] = [];
  const undo = async () => {
    for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  const fatalListeners: ((err: Error) => void)[] = [];
  let fatal: Error | undefined;
  const raiseFatal = (component: string, err: Error) => {
    if (fatal !== undefined) return;
    fatal = err;
    logger.error(component, 'stopped on an error', { error: err.message });
    for (const l of fatalListeners) l(err);
  };

  try {
    cleanups.push(lockDataDir(config.dataDir));
    const metrics = new PlatformMetrics();
    const registry = await SqliteRegistry.open({ path: join(config.dataDir, 'registry.db') });
    cleanups.push(() => registry.close());
    const log = await FileTelemetryLog.open({
      dir: join(config.dataDir, 'log'),
      partitionCount: config.partitions,
      clock,
    });
    cleanups.push(() => log.close());
    const bindings = await BindingIndex.load(registry);
    cleanups.push(() => bindings.close());
    logger.info('log', 'opened', { dataDir: config.dataDir, partitions: log.partitionCount });

    const live = new LiveHub();
    const skipped: SkippedEntry[] = [];
    const processing = new ProcessingSupervisor({
      openStore: () =>
        SqliteReadingStore.open({ path: join(config.dataDir, 'store.db'), flushIntervalMs: config.flushIntervalMs }),
      makeProcessor: (store, onFatal) =>
        new Processor(
          { ...DEFAULT_PROCESSOR_OPTIONS, eventTime: config.eventTime },
          {
            log,
            store,
            clock,
            metrics: metrics.processor,
            stages: [{ name: 'live-feed', onBatch: (records) => live.publish(records) }],
            onFatal,
            onWarning: (message, err) => logger.warn('processor', message, { error: err.message }),
            onSkipped: (entry) => {
              skipped.push(entry);
              metrics.processorSkipped(entry.reason);
              logger.error('processor', 'skipped an unreadable log record: its readings are not stored', {
                partition: entry.partition,
                offset: entry.offset,
                reason: entry.reason,
                error: entry.error.message,
              });
            },
          },
        ),
      logger,
      clock,
      onUnrecoverable: (err) => raiseFatal('processor', err),
    });
    await processing.start();
    cleanups.push(() => processing.stop());
    const store = processing.store;
    metrics.gauge('wardstream_log_bytes', 'Bytes held by the telemetry log', () => log.status().bytes);
    metrics.gauge('wardstream_log_available', '1 when the telemetry log accepts appends', () =>
      log.status().state.kind === 'ok' ? 1 : 0,
    );

    const clinical = await startClinical({
      dataDir: config.dataDir,
      auditKeyDir: config.auditKeyDir,
      webhooksPath: config.webhooksPath,
      clinicalPolicyPath: config.clinicalPolicyPath,
      log,
      registry,
      live,
      clock,
      logger,
      metricsRegistry: metrics.registry,
    });
    let clinicalStopped = false;
    cleanups.push(() => (clinicalStopped ? undefined : clinical.stop(false)));

    const health = (): HealthReport => {
      const state = log.status().state;
      return {
        components: {
          log: state.kind === 'ok' ? { status: 'ok' } : { status: 'down', detail: state.reason },
          processor: processing.status(),
          integrity:
            skipped.length === 0
              ? { status: 'ok' }
              : {
                  status: 'degraded',
                  detail: `${skipped.length} unreadable log record(s) skipped, first: partition ${skipped[0]?.partition} offset ${skipped[0]?.offset} (${skipped[0]?.reason})`,
                },
          ...clinical.health(),
        },
      };
    };
    const api = createApi(
      {
        registry,
        store,
        catalogue: new Catalogue(),
        clock,
        live,
        health,
        metrics: () => metrics.text(),
        // Getters: after a recovery from a failure the clinical service and its store are new instances.
        clinical: {
          get commands() {
            return clinical.service.commands;
          },
          get store() {
            return clinical.store;
          },
        },
      },
      (err) =>
        logger.error('api', 'internal error', {
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    );
    const http: HttpServer = await startHttpServer(api, { host: config.host, port: config.httpPort });
    cleanups.push(() => http.close());
    logger.info('api', 'listening', { url: `http://${config.host}:${http.port}/api/v1` });

    const pipeline = new IngestPipeline({
      log,
      bindings,
      metrics: metrics.gateway,
      wire: { catalogue: new Catalogue(), plausibility: DEFAULT_PLAUSIBILITY, limits: config.wire },
      onInternalError: (err) => logger.error('gateway', 'internal error', { error: String(err) }),
    });
    const tls =
      config.mqttTls === undefined
        ? undefined
        : {
            cert: readFileSync(config.mqttTls.certPath),
            key: readFileSync(config.mqttTls.keyPath),
            ca: readFileSync(config.mqttTls.caPath),
          };
    const endpoint = await MqttEndpoint.listen(
      {
        host: config.mqttHost,
        port: config.mqttPort,
        identity: tls === undefined ? 'client-id' : 'certificate',
        // Packets up to 1 MiB are read and answered (an oversize payload gets `payload-too-large`);
        // only larger ones are refused from their header by closing the connection (bounded memory).
        maxPacketBytes: Math.max(1024 * 1024, config.wire.maxPayloadBytes + 4096),
        ...(tls === undefined ? {} : { tls }),
      },
      {
        pipeline,
        metrics: metrics.gateway,
        clock,
        onDeviceConnected: (id) => {
          registry
            .deviceConnected(id, clock.now())
            .catch((err: unknown) => logger.warn('registry', 'could not record a connection', { error: String(err) }));
        },
        onInternalError: (err) => logger.error('gateway', 'internal error', { error: String(err) }),
      },
    );
    cleanups.push(() => endpoint.close());
    logger.info('gateway', 'listening', {
      url: `mqtt${tls === undefined ? '' : 's'}://${config.mqttHost}:${endpoint.port}`,
      identity: tls === undefined ? 'client-id (development: plain TCP, no authentication)' : 'certificate',
    });

    let demo: Demo | undefined;
    if (config.demoPatients > 0) {
      demo = await startDemo({
        registry,
        clock,
        logger,
        mqttUrl: `mqtt://${config.mqttHost === '0.0.0.0' ? '127.0.0.1' : config.mqttHost}:${endpoint.port}`,
        patients: config.demoPatients,
        ratePerDevice: config.demoRatePerDevice,
        chartAdmission: (patient, at) => {
          for (const observation of [
            { kind: 'consciousness', value: 'A' },
            { kind: 'oxygen', onOxygen: false },
          ] as const) {
            clinical.service.commands.chart({ patientId: patient, observation, observedAt: at, recordedBy: 'demo' });
          }
        },
      });
      const running = demo;
      cleanups.push(() => running.stop());
    }

    let stopping: Promise<void> | undefined;
    return {
      httpPort: http.port,
      mqttPort: endpoint.port,
      registry,
      store,
      log,
      processing,
      clinical,
      onFatal: (listener) => {
        fatalListeners.push(listener);
        if (fatal !== undefined) listener(fatal);
      },
      stop: () => {
        stopping ??= (async () => {
          // Stop intake first, then let the processor take in everything acknowledged, then close.
          await demo?.stop();
          await endpoint.close();
          if (fatal === undefined) await processing.drain();
          clinicalStopped = true;
          await clinical.stop(fatal === undefined);
          await undo();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
