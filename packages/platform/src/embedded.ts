import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accessOf,
  createApi,
  fleetAttentionPolicy,
  type BreakGlassGrant,
  LiveHub,
  mountEnrollmentRoutes,
  startHttpServer,
  type HealthReport,
  type HttpServer,
} from '@wardstream/api';
import type { SqliteIdentityStore } from '@wardstream/auth';
import type { ExternalCondition } from '@wardstream/clinical';
import { Catalogue, DEFAULT_PLAUSIBILITY, type Clock } from '@wardstream/domain';
import { IngestPipeline, type MqttEndpoint } from '@wardstream/gateway';
import type { CertificateAuthority } from '@wardstream/pki';
import { FileTelemetryLog } from '@wardstream/log';
import { Processor, DEFAULT_PROCESSOR_OPTIONS, FleetStatusTracker, type SkippedEntry } from '@wardstream/processor';
import { ApprovalIndex, BindingIndex, SqliteRegistry } from '@wardstream/registry';
import { SqliteReadingStore, type ReadingStore } from '@wardstream/store';
import type { EmbeddedConfig } from './config.js';
import { findDashboardDir } from './dashboard-dir.js';
import { lockDataDir } from './data-dir-lock.js';
import { demoConnection, startDemo, type Demo } from './demo.js';
import { listenForDevices } from './device-listeners.js';
import { openDeviceTrust } from './device-trust.js';
import { openApiSecurity } from './api-security.js';
import {
  EnrollmentServer,
  loadEnrollmentPolicy,
  pkiCsrSigner,
  prometheusEnrollmentMetrics,
} from './enrollment/index.js';
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
  /** The mutual-TLS MQTT listener. */
  readonly mqttPort: number;
  /** The development plaintext listener on 127.0.0.1, when enabled. */
  readonly devPlaintextMqttPort: number | undefined;
  /** The platform's own device CA; null when the hospital's PKI supplies the TLS files. */
  readonly ca: CertificateAuthority | null;
  /** The zero-touch enrollment endpoint (HTTPS), when enabled. */
  readonly enrollmentPort: number | undefined;
  /** Users and service clients of the embedded token issuer; undefined with an external OIDC provider. */
  readonly identity: SqliteIdentityStore | undefined;
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

/** The HTTP API's key and certificate, or undefined for plain HTTP. */
function httpTlsMaterial(
  config: EmbeddedConfig,
  trust: { readonly ca: CertificateAuthority | null; readonly tls: { key: string; cert: string } },
): { key: string; cert: string } | undefined {
  const mode = config.httpTls;
  if (mode.kind === 'off') return undefined;
  if (mode.kind === 'files') {
    return { key: readFileSync(mode.keyPath, 'utf8'), cert: readFileSync(mode.certPath, 'utf8') };
  }
  if (trust.ca === null) {
    throw new Error(
      "--http-tls platform-ca needs the platform's own CA (no --mqtt-tls-* files): use --http-tls-cert/-key",
    );
  }
  // The listeners' certificate from the platform's CA, issued for the API's host as well.
  return { key: trust.tls.key, cert: trust.tls.cert };
}
/** The rule id of the notification a break-glass grant raises (not a clinical alarm). */
export const BREAK_GLASS_RULE = 'security.break-glass';

/** What a break-glass notification needs of the clinical engine. */
export interface ExternalAlarms {
  raiseExternal(condition: ExternalCondition, at: number): string;
  endExternal(subject: string, ruleId: string, at: number): void;
}

/** Raises a grant's notification and ends it when the grant ends; close() cancels every pending end. */
export interface BreakGlassNotifier {
  notify(grant: BreakGlassGrant): void;
  close(): void;
}

/**
 * The notification goes where alerts go (live feeds, webhooks, the alerts topic) as a non-clinical
 * alarm that ends with the grant. Its timers hold no process open, and after close() none fires
 * (the engine may be closed by then); a failure to end one is logged, never thrown from a timer.
 */
export function breakGlassNotifier(engine: () => ExternalAlarms, clock: Clock, logger: Logger): BreakGlassNotifier {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  return {
    notify: (grant) => {
      if (closed) return;
      const subject = `break-glass:${grant.id}`;
      engine().raiseExternal(
        {
          subject,
          ruleId: BREAK_GLASS_RULE,
          message: `Break-glass access to patient ${grant.patientId} by ${grant.subject} until ${new Date(grant.expiresAt).toISOString()}: ${grant.reason}`,
          priority: 'medium',
          details: { patientId: grant.patientId, subject: grant.subject, roles: grant.roles, grant: grant.id },
        },
        clock.now(),
      );
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (closed) return;
          try {
            engine().endExternal(subject, BREAK_GLASS_RULE, clock.now());
          } catch (err) {
            logger.error('security', 'could not end a break-glass notification', {
              grant: grant.id,
              error: (err as Error).message,
            });
          }
        },
        Math.max(0, grant.expiresAt - clock.now()),
      );
      timer.unref();
      timers.add(timer);
    },
    close: () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

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
    const approvals = await ApprovalIndex.load(registry);
    cleanups.push(() => approvals.close());
    const trust = await openDeviceTrust({
      keyDir: config.keyDir,
      mqttTls: config.mqttTls,
      deviceCa: config.deviceCa,
      mqttHost: config.mqttHost,
      otherHosts: config.httpTls.kind === 'platform-ca' ? [config.host] : [],
      logger,
      approvals,
    });
    cleanups.push(() => trust.close());
    const bindings = await BindingIndex.load(registry);
    cleanups.push(() => bindings.close());
    logger.info('log', 'opened', { dataDir: config.dataDir, partitions: log.partitionCount });

    const live = new LiveHub();
    // In memory: after a restart it fills again as devices connect and send (docs/API.md, fleet).
    const fleet = new FleetStatusTracker();
    const fleetSince = clock.now();
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
            stages: [{ name: 'live-feed', onBatch: (records) => live.publish(records) }, fleet],
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
    const breakGlass = breakGlassNotifier(() => clinical.service.engine, clock, logger);
    cleanups.push(() => breakGlass.close());
    const apiSecurity = openApiSecurity({
      tokens: config.tokens,
      dataDir: config.dataDir,
      keyDir: config.keyDir,
      clock,
      logger,
      metrics,
      clinicalStore: () => clinical.store,
      notifyBreakGlass: (grant) => breakGlass.notify(grant),
    });
    cleanups.push(() => apiSecurity.close());
    // The endpoints start after the API; until then no device is connected.
    const endpoints: MqttEndpoint[] = [];
    const dashboardDir = findDashboardDir();
    if (dashboardDir === undefined) logger.warn('api', 'dashboard not built: /app/ is not served');
    const api = createApi(
      {
        security: apiSecurity.security,
        routes: {
          ...(apiSecurity.identityRoutes === undefined ? {} : { identity: apiSecurity.identityRoutes }),
          enrollment: (app) => {
            mountEnrollmentRoutes(app, {
              registry,
              clock,
              actorOf: (c) => accessOf(c).principal.subject,
              onApproved: (device) => logger.info('enrollment', 'device approved', { device: device.id }),
              onRejected: (device) => logger.warn('enrollment', 'device rejected', { device: device.id }),
            });
          },
        },
        registry,
        store,
        catalogue: new Catalogue(),
        clock,
        live,
        health,
        metrics: () => metrics.text(),
        ...(dashboardDir === undefined ? {} : { dashboardDir }),
        fleet: {
          status: () => fleet.status(),
          since: fleetSince,
          isConnected: (id) => endpoints.some((e) => e.isConnected(id)),
          attention: fleetAttentionPolicy(clinical.technicalPolicy, config.wire.clockSkewToleranceMs),
        },
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
    const httpTls = httpTlsMaterial(config, trust);
    const http: HttpServer = await startHttpServer(api, {
      host: config.host,
      port: config.httpPort,
      ...(httpTls === undefined ? {} : { tls: httpTls }),
    });
    cleanups.push(() => http.close());
    logger.info('api', 'listening', {
      url: `${httpTls === undefined ? 'http' : 'https'}://${config.host}:${http.port}/api/v1`,
    });

    const pipeline = new IngestPipeline({
      log,
      bindings,
      metrics: metrics.gateway,
      wire: { catalogue: new Catalogue(), plausibility: DEFAULT_PLAUSIBILITY, limits: config.wire },
      onInternalError: (err) => logger.error('gateway', 'internal error', { error: String(err) }),
      onRefused: (id, refusal) => fleet.refused(id, refusal.what),
    });
    const { endpoint, plaintext } = await listenForDevices({
      pipeline,
      metrics,
      clock,
      logger,
      deviceConnected: (id, at) => registry.deviceConnected(id, at),
      onDeviceCertificate: (id, certificate) => fleet.certificate(id, certificate.validTo),
      trust,
      host: config.mqttHost,
      port: config.mqttPort,
      devPlaintextPort: config.devPlaintextMqttPort,
      maxPayloadBytes: config.wire.maxPayloadBytes,
    });
    cleanups.push(() => endpoint.close());
    endpoints.push(endpoint);
    if (plaintext !== undefined) {
      cleanups.push(() => plaintext.close());
      endpoints.push(plaintext);
    }
    logger.info('gateway', 'listening', {
      url: `mqtts://${config.mqttHost}:${endpoint.port}`,
      identity: 'client certificate (mutual TLS 1.2+)',
    });

    let enrollment: EnrollmentServer | undefined;
    if (config.enrollment !== undefined) {
      if (trust.ca === null) {
        throw new Error(
          "zero-touch enrollment needs the platform's own CA to sign certificates (no --mqtt-tls-* files)",
        );
      }
      const policy = loadEnrollmentPolicy(config.enrollment.policyPath);
      if (!policy.ok) throw new Error(`--enrollment-policy: ${policy.errors.join('; ')}`);
      enrollment = await EnrollmentServer.listen(
        {
          host: config.enrollment.host,
          port: config.enrollment.port,
          tls: { cert: trust.tls.cert, key: trust.tls.key },
          mqtt: { port: endpoint.port },
        },
        {
          registry,
          signer: pkiCsrSigner(trust.ca),
          policy: policy.policy,
          clock,
          metrics: prometheusEnrollmentMetrics(metrics.registry),
          onSecurityEvent: (event) => {
            metrics.securityEvent('enrollment', event.reason);
            logger.warn('security', 'enrollment refused', { ...event, at: new Date(event.at).toISOString() });
          },
          onInternalError: (err) => logger.error('enrollment', 'internal error', { error: String(err) }),
        },
      );
      const running = enrollment;
      cleanups.push(() => running.close());
      logger.info('enrollment', 'listening', { url: `https://${config.enrollment.host}:${enrollment.port}/enroll/v1` });
    }

    let demo: Demo | undefined;
    if (config.demoPatients > 0) {
      demo = await startDemo({
        registry,
        clock,
        logger,
        ...demoConnection(trust, config, endpoint.port, plaintext?.port),
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
      devPlaintextMqttPort: plaintext?.port,
      enrollmentPort: enrollment?.port,
      identity: apiSecurity.identity,
      ca: trust.ca,
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
          // No grant's end may reach the clinical engine once it is stopping.
          breakGlass.close();
          // Stop intake first, then let the processor take in everything acknowledged, then close.
          await demo?.stop();
          await Promise.all([endpoint.close(), plaintext?.close(), enrollment?.close()]);
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
