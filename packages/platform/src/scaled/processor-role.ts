import { ClinicalService, DEFAULT_CLINICAL_SERVICE_OPTIONS } from '@wardstream/alerts';
import { PostgresClinicalStore } from '@wardstream/alerts/postgres';
import { encodeIngestRecord, type Clock, type PatientId } from '@wardstream/domain';
import type { Subscription } from '@nats-io/transport-node';
import { PostgresRegistry } from '@wardstream/registry/postgres';
import { PartitionLeases } from '@wardstream/nats';
import { DEFAULT_PROCESSOR_OPTIONS, Processor } from '@wardstream/processor';
import { PostgresReadingStore } from '@wardstream/store/postgres';
import type { Logger } from '../logger.js';
import { Closers, SYSTEM_CLOCK } from './closers.js';
import { PlatformMetrics } from '../metrics.js';
import { connectCluster, liveSubject, openTelemetryLog, type ClusterConnection } from './cluster.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import { clinicalCheckpointScope, rulesChangedSubject, serveClinicalCommands } from './clinical-rpc.js';
import { PartitionWorkers } from './partition-workers.js';
import type { ProcessorConfig } from './role-config.js';

export interface RunningRole {
  /** The /health and /metrics port (the api role: its HTTP port). */
  readonly healthPort: number;
  /** Stops in order: intake or leases first, then the work in hand, then connections. */
  stop(): Promise<void>;
}

export interface RunningProcessor extends RunningRole {
  /** The partitions this processor holds now. */
  owned(): number[];
}

const WARD_REFRESH_MS = 5_000;
const encoder = new TextEncoder();
const encodeJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

/**
 * `wardstream processor`: takes leases on telemetry-log partitions (shared with every other
 * processor through NATS KV) and, for each, reads the JetStream stream from the partition's
 * checkpoint, writes the readings to PostgreSQL with the checkpoint in the same transaction
 * (a checkpoint scope per partition), and publishes each stored record on the live subject for the
 * api role's live feeds. A partition whose processor dies is taken by another after the lease TTL
 * and resumes from its checkpoint.
 */
export async function startProcessorRole(
  config: ProcessorConfig,
  deps: { readonly logger: Logger; readonly clock?: Clock },
): Promise<RunningProcessor> {
  const { logger } = deps;
  const clock = deps.clock ?? SYSTEM_CLOCK;
  const metrics = new PlatformMetrics();
  const closers = new Closers();
  const undo = () => closers.closeAll();
  try {
    const cluster: ClusterConnection = await connectCluster(config, `processor-${config.memberId}`, logger);
    closers.push(() => cluster.close());
    const store = await PostgresReadingStore.open({
      connectionString: config.postgresUrl,
      schema: config.pgSchema,
      poolSize: 8,
    });
    closers.push(() => store.close());
    const subject = liveSubject(config.streamPrefix);
    // The leases start the workers, whose engines ask the leases whether they still own: late-bound
    // (during the first round, before it is set, a partition was just granted).
    const leasesRef: { current?: PartitionLeases } = {};
    const clinicalLog = await openTelemetryLog(cluster.connection, config);
    closers.push(() => clinicalLog.close());
    const registry = await PostgresRegistry.open({ connectionString: config.postgresUrl, schema: config.pgSchema });
    closers.push(() => registry.close());
    const clinicalStores = PostgresClinicalStore.open({
      connectionString: config.postgresUrl,
      schema: config.pgSchema,
    });
    closers.push(() => {
      clinicalStores.close();
    });
    // The clinical services of the partitions held now, told of ward and rule changes.
    const services = new Map<number, ClinicalService>();
    const wards = new Map<PatientId, string | null>();
    const refreshWards = async (): Promise<boolean> => {
      let changed = false;
      for (const p of await registry.listPatients()) {
        if (wards.get(p.id) !== p.wardId) changed = true;
        wards.set(p.id, p.wardId);
      }
      return changed;
    };
    await refreshWards();
    const wardTimer = setInterval(() => {
      refreshWards()
        .then((changed) => {
          if (changed) for (const s of services.values()) s.wardsChanged();
        })
        .catch((err: unknown) => logger.warn('clinical', 'could not refresh wards', { error: String(err) }));
    }, WARD_REFRESH_MS);
    wardTimer.unref();
    closers.push(() => {
      clearInterval(wardTimer);
    });
    const rereadRules = () => {
      for (const [partition, s] of services) {
        try {
          s.rulesChanged();
        } catch (err) {
          logger.error('clinical', 'could not apply changed rules', { partition, error: String(err) });
        }
      }
    };
    const rules = cluster.connection.subscribe(rulesChangedSubject(config.streamPrefix), { callback: rereadRules });
    // Announcements are core NATS: one made while this processor was cut off is lost, so every
    // reconnect re-reads the rules.
    cluster.onReconnect(rereadRules);
    closers.push(() => {
      rules.unsubscribe();
    });
    const workers = new PartitionWorkers({
      logger,
      clock,
      makeWorker: (partition, epoch, onFatal) => {
        const view = store.withCheckpointScope(`partition-${partition}`, epoch);
        const processor = new Processor(
          {
            ...DEFAULT_PROCESSOR_OPTIONS,
            partitions: [partition],
            eventTime: config.eventTime,
            requireContiguous: true,
          },
          {
            log: cluster.log,
            store: view,
            clock,
            metrics: metrics.processor,
            stages: [
              {
                name: 'live-publish',
                onBatch: (records) => {
                  // Best effort (core NATS): a live view missing a reading re-reads the store.
                  for (const record of records)
                    cluster.connection.publish(`${subject}.readings`, encodeIngestRecord(record));
                },
              },
            ],
            onFatal,
            onWarning: (message, err) => logger.warn('processor', message, { partition, error: err.message }),
            onSkipped: (entry) => {
              metrics.processorSkipped(entry.reason);
              logger.error('processor', 'skipped an unreadable log record: its readings are not stored', {
                partition: entry.partition,
                offset: entry.offset,
                reason: entry.reason,
                error: entry.error.message,
              });
            },
          },
        );
        let clinical: ClinicalService | undefined;
        let commands: Subscription | undefined;
        const clinicalStore = clinicalStores.withCheckpointScope(clinicalCheckpointScope(partition), epoch);
        return {
          start: async () => {
            await processor.start();
            try {
              // The partition's engine: resumes from the partition's checkpoint (state and position),
              // takes over the open alarms of the partition's patients, and answers their commands.
              clinical = ClinicalService.start(
                { ...DEFAULT_CLINICAL_SERVICE_OPTIONS, partitions: [partition] },
                {
                  log: clinicalLog,
                  store: clinicalStore,
                  clock,
                  policy: config.clinicalPolicy,
                  wardOf: (patientId) => wards.get(patientId) ?? null,
                  isOwner: () => leasesRef.current?.holds(partition) ?? true,
                  onAlarmEvent: (event, fresh) => {
                    if (fresh) cluster.connection.publish(`${subject}.alarms`, encodeJson(event));
                  },
                  onScore: (score) => cluster.connection.publish(`${subject}.scores`, encodeJson(score)),
                  onEcgMetrics: (ecg) => cluster.connection.publish(`${subject}.ecg`, encodeJson(ecg)),
                  onFatal,
                  onWarning: (message, err) => logger.warn('clinical', message, { partition, error: err.message }),
                },
              );
            } catch (err) {
              await processor.stop().catch(() => undefined);
              throw err;
            }
            services.set(partition, clinical);
            const running = clinical;
            commands = serveClinicalCommands({
              nats: cluster.connection,
              prefix: config.streamPrefix,
              partition,
              partitionCount: config.partitions,
              store: clinicalStores,
              service: () => running,
              isOwner: () => leasesRef.current?.holds(partition) ?? true,
              logger,
            });
          },
          // Each half is stopped whatever the other did; the first error is reported.
          stop: async () => {
            commands?.unsubscribe();
            services.delete(partition);
            const errors: unknown[] = [];
            await Promise.resolve(clinical?.stop()).catch((err: unknown) => errors.push(err));
            await processor.stop().catch((err: unknown) => errors.push(err));
            await view.close().catch((err: unknown) => errors.push(err));
            // Their consumers and buffers of this partition go with it.
            cluster.log.release(partition);
            clinicalLog.release(partition);
            if (errors.length > 0) throw errors[0];
          },
          get error() {
            return processor.error ?? clinical?.error;
          },
        };
      },
    });
    const leases: PartitionLeases = await PartitionLeases.start(
      cluster.connection,
      {
        prefix: config.streamPrefix,
        partitionCount: config.partitions,
        memberId: config.memberId,
        ttlMs: config.leaseTtlMs,
        replicas: config.replicas,
      },
      workers,
      { onWarning: (message, err) => logger.warn('leases', message, { error: err.message }) },
    );
    leasesRef.current = leases;
    closers.push(() => leases.stop());
    metrics.gauge(
      'wardstream_processor_partitions_owned',
      'Telemetry log partitions this processor holds',
      () => leases.owned().length,
    );
    const health: HealthServer = await startHealthServer(
      config.healthHost,
      config.healthPort,
      () => {
        const { held, failing } = workers.status();
        return {
          components: {
            nats: cluster.status(),
            partitions:
              failing.length === 0
                ? { status: 'ok' }
                : {
                    status: 'degraded',
                    detail: failing.map((f) => `partition ${f.partition}: ${f.error}`).join('; '),
                  },
            leases:
              held.length > 0 || leases.memberIds().length > 1
                ? { status: 'ok' }
                : { status: 'degraded', detail: 'no partition held yet' },
          },
        };
      },
      () => metrics.text(),
    );
    closers.push(() => health.close());
    logger.info('processor', 'started', {
      member: config.memberId,
      partitions: config.partitions,
      health: `http://${config.healthHost}:${health.port}/health`,
    });
    let stopping: Promise<void> | undefined;
    return {
      healthPort: health.port,
      owned: () => leases.owned(),
      stop: () => {
        // Leases first: each partition finishes its batch, commits, and is handed over at once.
        stopping ??= undo();
        return stopping;
      },
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
