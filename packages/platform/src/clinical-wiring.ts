import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AlertRouter,
  ClinicalService,
  DEFAULT_CLINICAL_SERVICE_OPTIONS,
  DEFAULT_WEBHOOK_POLICY,
  parseWebhookTargets,
  SqliteClinicalStore,
  SqliteWebhookOutbox,
  WebhookDispatcher,
  type WebhookTarget,
} from '@wardstream/alerts';
import type { ComponentStatus, LiveHub } from '@wardstream/api';
import { DEFAULT_ENGINE_POLICY, parseEnginePolicy, type AlarmEvent, type TechnicalPolicy } from '@wardstream/clinical';
import type { Clock, PatientId } from '@wardstream/domain';
import { FileTelemetryLog, type TelemetryLog } from '@wardstream/log';
import { Gauge, type Registry as PromRegistry } from 'prom-client';
import type { Registry } from '@wardstream/registry';
import { ClinicalMetrics } from './clinical-metrics.js';
import { ClinicalSupervisor } from './clinical-supervisor.js';
import type { Logger } from './logger.js';
import { AuditSigner, loadOrCreateAuditKeys } from './audit-signer.js';

/** The clinical side of a platform process: engine service, its store, alerts topic, webhooks. */
export interface ClinicalParts {
  /** The running service and its store: new instances after the supervisor recovered from a failure. */
  readonly service: ClinicalService;
  readonly store: SqliteClinicalStore;
  readonly webhooks: WebhookDispatcher;
  /** The technical alarms' limits in force (stale data, low battery), for the device fleet view. */
  readonly technicalPolicy: TechnicalPolicy;
  health(): Record<string, ComponentStatus>;
  /** Processes what the telemetry log holds, then stops and closes everything (shutdown order). */
  stop(drain: boolean): Promise<void>;
}

export interface ClinicalWiringDeps {
  readonly dataDir: string;
  /** Where the audit-checkpoint signing key lives (outside `dataDir`). */
  readonly auditKeyDir: string;
  readonly webhooksPath: string | undefined;
  readonly clinicalPolicyPath: string | undefined;
  readonly log: TelemetryLog;
  readonly registry: Registry;
  readonly live: LiveHub;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metricsRegistry: PromRegistry;
}

const WARD_REFRESH_MS = 5_000;
const WEBHOOK_RULE = 'technical.webhook-failing';

/** Reads and parses a JSON option file; any problem is one error naming the option and the file. */
function loadJson<T>(option: string, path: string, parse: (json: unknown) => T): T {
  try {
    return parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new Error(`${option} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Starts the clinical service on the telemetry log, with its SQLite store, the alerts topic (a log of
 * its own), webhook delivery with a durable outbox, the live feed and alarm metrics. A webhook target
 * that keeps failing raises a high-priority technical alarm; its recovery resolves it.
 */
export async function startClinical(deps: ClinicalWiringDeps): Promise<ClinicalParts> {
  const { clock, logger, dataDir } = deps;
  const targets: WebhookTarget[] =
    deps.webhooksPath === undefined ? [] : loadJson('--webhooks', deps.webhooksPath, parseWebhookTargets);
  const policy =
    deps.clinicalPolicyPath === undefined
      ? DEFAULT_ENGINE_POLICY
      : loadJson('--clinical-policy', deps.clinicalPolicyPath, (json) => parseEnginePolicy(json));
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const alertsLog = await FileTelemetryLog.open({ dir: join(dataDir, 'alerts'), partitionCount: 1, clock });
    closers.push(() => alertsLog.close());
    const outbox = SqliteWebhookOutbox.open({ path: join(dataDir, 'webhooks.db') });
    closers.push(() => outbox.close());

    const wards = new Map<PatientId, string | null>();
    const refreshWards = async (): Promise<boolean> => {
      let changed = false;
      for (const p of await deps.registry.listPatients()) {
        if (wards.get(p.id) !== p.wardId) changed = true;
        wards.set(p.id, p.wardId);
      }
      return changed;
    };
    await refreshWards();

    // The webhook callbacks and metrics need the service, which needs them: a late-bound reference.
    const ref: { service?: ClinicalService } = {};
    const metrics = new ClinicalMetrics(deps.metricsRegistry, () => ref.service, clock);
    const webhooks = new WebhookDispatcher({
      outbox,
      targets,
      policy: DEFAULT_WEBHOOK_POLICY,
      clock,
      onFailing: (target, _item, error) => {
        logger.error('webhooks', 'delivery keeps failing', { target: target.id, error });
        ref.service?.engine.raiseExternal(
          {
            subject: `webhook:${target.id}`,
            ruleId: WEBHOOK_RULE,
            message: `Alert delivery to webhook "${target.id}" keeps failing (${error}); alerts are kept and retried`,
            priority: 'high',
            details: { url: target.url, kind: target.kind },
          },
          clock.now(),
        );
      },
      onRecovered: (target) => {
        logger.info('webhooks', 'delivery recovered', { target: target.id });
        ref.service?.engine.endExternal(`webhook:${target.id}`, WEBHOOK_RULE, clock.now());
      },
    });
    const targetStatus = () => {
      try {
        return webhooks.status();
      } catch {
        return []; // the outbox is unreadable: reported failing through onFailing and health
      }
    };
    new Gauge({
      name: 'wardstream_webhook_pending_events',
      help: 'Alarm events waiting for delivery, per webhook target',
      labelNames: ['target'],
      registers: [deps.metricsRegistry],
      collect() {
        this.reset();
        for (const t of targetStatus()) this.set({ target: t.targetId }, t.pending);
      },
    });
    new Gauge({
      name: 'wardstream_webhook_failing',
      help: '1 while deliveries to the webhook target keep failing (a technical alarm is raised)',
      labelNames: ['target'],
      registers: [deps.metricsRegistry],
      collect() {
        this.reset();
        for (const t of targetStatus()) this.set({ target: t.targetId }, t.failing ? 1 : 0);
      },
    });
    new Gauge({
      name: 'wardstream_webhook_last_delivered_timestamp_seconds',
      help: 'When this process last delivered to the webhook target (absent before the first delivery)',
      labelNames: ['target'],
      registers: [deps.metricsRegistry],
      collect() {
        this.reset();
        for (const t of targetStatus()) {
          if (t.lastDeliveredAt !== null) this.set({ target: t.targetId }, t.lastDeliveredAt / 1000);
        }
      },
    });
    const router = new AlertRouter({
      alertsLog,
      webhooks,
      live: (event: AlarmEvent) => deps.live.publishAlarm(event),
      onRouteFailed: (route, event, err) => {
        logger.warn('alerts', 'routing an alarm event failed; it is stored and re-routed at the next start', {
          route,
          event: event.id,
          error: err.message,
        });
      },
    });
    const supervisor = new ClinicalSupervisor({
      openStore: () => SqliteClinicalStore.open({ path: join(dataDir, 'clinical.db') }),
      startService: (store, onFatal) => {
        const service = ClinicalService.start(DEFAULT_CLINICAL_SERVICE_OPTIONS, {
          log: deps.log,
          store,
          clock,
          policy,
          wardOf: (patientId) => wards.get(patientId) ?? null,
          onAlarmEvent: (event, fresh) => {
            router.route(event, fresh);
            if (fresh) metrics.event(event);
          },
          onScore: (score) => deps.live.publishScore(score),
          onEcgMetrics: (ecg) => {
            metrics.ecg(ecg);
            deps.live.publishEcg(ecg);
          },
          onFatal,
          onWarning: (message, err) => logger.warn('clinical', message, { error: err.message }),
        });
        ref.service = service;
        return service;
      },
      logger,
      clock,
    });
    closers.push(() => supervisor.stop(false));
    const signer = new AuditSigner(
      () => supervisor.current.store,
      loadOrCreateAuditKeys(deps.auditKeyDir),
      clock,
      logger,
    );
    signer.start();
    // The last checkpoint is signed after the service's last write and before its store closes.
    let signerStopped = false;
    const stopSigner = () => {
      if (signerStopped) return;
      signerStopped = true;
      signer.stop();
    };
    closers.push(stopSigner);
    webhooks.start();
    const wardTimer = setInterval(() => {
      refreshWards()
        .then((changed) => {
          if (changed) supervisor.current.service.wardsChanged();
        })
        .catch((err: unknown) => logger.warn('clinical', 'could not refresh wards', { error: String(err) }));
    }, WARD_REFRESH_MS);
    wardTimer.unref();
    logger.info('clinical', 'started', {
      webhooks: targets.length,
      openAlarms: supervisor.current.service.openAlarms().length,
    });

    return {
      get service() {
        return supervisor.current.service;
      },
      get store() {
        return supervisor.current.store;
      },
      webhooks,
      technicalPolicy: policy.technical,
      health: () => {
        const failing = targetStatus().filter((t) => t.failing);
        return {
          clinical: supervisor.status(),
          webhooks:
            failing.length === 0
              ? { status: 'ok' }
              : {
                  status: 'degraded',
                  detail: `failing: ${failing.map((t) => `${t.targetId} (${t.pending} pending; ${t.lastError ?? ''})`).join(', ')}`,
                },
        };
      },
      stop: async (drain) => {
        clearInterval(wardTimer);
        await supervisor.stop(drain, stopSigner);
        await webhooks.stop();
        await router.settle();
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    throw err;
  }
}
