import {
  alarmBurden,
  putRulesAudited,
  type AlarmBurden,
  type ChartRequest,
  type ClinicalService,
  type ClinicalStore,
  type EngineCheckpoint,
} from '@wardstream/alerts';
import type { ClinicalCommandsPort } from '@wardstream/api';
import {
  DEFAULT_RULES,
  effectiveRules,
  monitoredInState,
  type Alarm,
  type AlarmRule,
  type ChartedObservation,
  type RuleScope,
  type StoredRuleSet,
} from '@wardstream/clinical';
import { WardstreamError, type Clock, type PatientId } from '@wardstream/domain';
import { partitionFor } from '@wardstream/log';
import type { Registry } from '@wardstream/registry';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';

/** The commands that change an engine's state, sent to the processor owning the partition. */
type RemoteOp = 'acknowledge' | 'silence' | 'escalate' | 'resolve' | 'chart';
const REMOTE_OPS: readonly RemoteOp[] = ['acknowledge', 'silence', 'escalate', 'resolve', 'chart'];

interface Request {
  readonly op: RemoteOp;
  readonly args: unknown[];
}

type Reply = { readonly ok: unknown } | { readonly error: { readonly code: string; readonly message: string } };

/** The subject on which the owner of `partition` takes clinical commands. */
export function commandSubject(prefix: string, partition: number): string {
  return `${prefix}.clinical.p${partition}`;
}

/** The checkpoint scope of the clinical engine of `partition` (`engine_checkpoint.scope`). */
export function clinicalCheckpointScope(partition: number): string {
  return `clinical-partition-${partition}`;
}

/** Where a change of rule sets is announced to every processor. */
export function rulesChangedSubject(prefix: string): string {
  return `${prefix}.clinical.rules`;
}

/** The log's partition key of an alarm: its patient's, else its device's (as the gateway keys records). */
export function alarmPartition(alarm: Alarm, partitionCount: number): number {
  return partitionFor(alarm.patientId ?? alarm.deviceId ?? 'system', partitionCount);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ERROR_CODES = new Set(['NOT_FOUND', 'CONFLICT', 'INVALID_INPUT', 'UNAVAILABLE', 'CORRUPT', 'CLOSED']);

/**
 * The api role's clinical commands (scaled-out shape). An alarm command or a charted observation
 * goes, as a NATS request, to the processor that holds the patient's partition, whose engine owns
 * the alarm's state; rule sets are stored here and announced to every processor; the effective
 * rules are computed from the store. No owner answering within the timeout (a take-over under way)
 * is UNAVAILABLE: the caller retries.
 */
export class RemoteClinicalCommands implements ClinicalCommandsPort {
  constructor(
    private readonly deps: {
      readonly nats: NatsConnection;
      readonly prefix: string;
      readonly partitionCount: number;
      readonly store: ClinicalStore;
      readonly registry: Registry;
      readonly clock: Clock;
      readonly timeoutMs?: number;
      /** The checkpoint the engine of `partition` saved last (its state holds its monitored time). */
      readonly loadEngineCheckpoint: (partition: number) => EngineCheckpoint | undefined;
    },
  ) {}

  acknowledge(alarmId: string, by: string, note: string | null): Promise<Alarm> {
    return this.alarmCommand('acknowledge', alarmId, [alarmId, by, note]);
  }

  silence(alarmId: string, by: string, durationMs: number, note: string | null): Promise<Alarm> {
    return this.alarmCommand('silence', alarmId, [alarmId, by, durationMs, note]);
  }

  escalate(alarmId: string, by: string, note: string | null): Promise<Alarm> {
    return this.alarmCommand('escalate', alarmId, [alarmId, by, note]);
  }

  resolve(alarmId: string, by: string, note: string | null): Promise<Alarm> {
    return this.alarmCommand('resolve', alarmId, [alarmId, by, note]);
  }

  chart(request: ChartRequest): Promise<{ observation: ChartedObservation; created: boolean }> {
    const partition = partitionFor(request.patientId, this.deps.partitionCount);
    return this.call(partition, { op: 'chart', args: [request] });
  }

  putRules(scope: RuleScope, json: unknown, by: string, expectedVersion?: number): StoredRuleSet {
    const stored = putRulesAudited(this.deps.store, this.deps.clock.now(), { scope, json, by, expectedVersion });
    // Every processor re-reads its rules; one missing the announcement still reads them at its next start.
    this.deps.nats.publish(rulesChangedSubject(this.deps.prefix), encoder.encode(JSON.stringify(scope)));
    return stored;
  }

  async effectiveRules(patientId: PatientId): Promise<readonly AlarmRule[]> {
    const { store } = this.deps;
    const ward = (await this.deps.registry.getPatient(patientId))?.wardId ?? null;
    return effectiveRules(
      store.getRuleSet({ kind: 'default' })?.rules ?? DEFAULT_RULES,
      ward === null ? [] : (store.getRuleSet({ kind: 'ward', wardId: ward })?.rules ?? []),
      store.getRuleSet({ kind: 'patient', patientId })?.rules ?? [],
    );
  }

  /**
   * The alarm burden over [from, to): the alarms from the store, the monitored patient-hours from
   * each partition's engine as of its last checkpoint (saved every 2 s, so up to that much behind
   * the live engines). A partition whose engine never saved adds none.
   */
  burden(from: number, to: number): AlarmBurden {
    let monitoredMs = 0;
    for (let partition = 0; partition < this.deps.partitionCount; partition++) {
      monitoredMs += monitoredInState(this.deps.loadEngineCheckpoint(partition)?.state, from, to);
    }
    return alarmBurden(this.deps.store, from, to, monitoredMs);
  }

  private alarmCommand(op: RemoteOp, alarmId: string, args: unknown[]): Promise<Alarm> {
    const alarm = this.deps.store.getAlarm(alarmId);
    if (alarm === undefined) return Promise.reject(new WardstreamError('NOT_FOUND', `no alarm ${alarmId}`));
    return this.call(alarmPartition(alarm, this.deps.partitionCount), { op, args });
  }

  private async call<T>(partition: number, request: Request): Promise<T> {
    let reply: Reply;
    try {
      const msg = await this.deps.nats.request(
        commandSubject(this.deps.prefix, partition),
        encoder.encode(JSON.stringify(request)),
        { timeout: this.deps.timeoutMs ?? 5_000 },
      );
      reply = JSON.parse(decoder.decode(msg.data)) as Reply;
    } catch (err) {
      throw new WardstreamError(
        'UNAVAILABLE',
        `no processor answered for partition ${partition} (a hand-over may be under way; retry): ${(err as Error).message}`,
        { cause: err },
      );
    }
    if ('error' in reply) {
      const code = ERROR_CODES.has(reply.error.code) ? reply.error.code : 'UNAVAILABLE';
      throw new WardstreamError(code as WardstreamError['code'], reply.error.message);
    }
    return reply.ok as T;
  }
}

/**
 * The processor side: while it holds `partition`, answers the commands sent to it by running them
 * on the partition's clinical service. A command for an alarm or a patient of another partition is
 * refused (CONFLICT): only the engine owning an alarm may change it. Subscribed in a queue group,
 * so a command is answered once even while two processors overlap on a hand-over. Returns the
 * subscription (unsubscribed when the partition is given up).
 */
export function serveClinicalCommands(deps: {
  readonly nats: NatsConnection;
  readonly prefix: string;
  readonly partition: number;
  readonly partitionCount: number;
  readonly store: ClinicalStore;
  readonly service: () => ClinicalService;
  /** Whether the partition's lease is still held (a paused processor's lapsed lease: refuse). */
  readonly isOwner: () => boolean;
  readonly logger: Logger;
}): Subscription {
  const { partition, logger } = deps;
  const checkOwned = (request: Request): void => {
    let owner: number;
    if (request.op === 'chart') {
      const patientId = (request.args[0] as { patientId?: unknown } | undefined)?.patientId;
      if (typeof patientId !== 'string')
        throw new WardstreamError('INVALID_INPUT', 'a charting command names no patient');
      owner = partitionFor(patientId, deps.partitionCount);
    } else {
      const alarmId = request.args[0];
      if (typeof alarmId !== 'string') throw new WardstreamError('INVALID_INPUT', 'an alarm command names no alarm');
      const alarm = deps.store.getAlarm(alarmId);
      if (alarm === undefined) throw new WardstreamError('NOT_FOUND', `no alarm ${alarmId}`);
      owner = alarmPartition(alarm, deps.partitionCount);
    }
    if (owner !== partition) {
      throw new WardstreamError(
        'CONFLICT',
        `the command belongs to partition ${owner}, not ${partition}: are the api and the processors configured with the same --partitions?`,
      );
    }
  };
  return deps.nats.subscribe(commandSubject(deps.prefix, partition), {
    queue: 'clinical-commands',
    callback: (err, msg) => {
      if (err !== null) {
        logger.warn('clinical', 'command subscription failed', { partition, error: err.message });
        return;
      }
      let reply: Reply;
      try {
        const request = JSON.parse(decoder.decode(msg.data)) as Request;
        if (!REMOTE_OPS.includes(request.op) || !Array.isArray(request.args)) {
          throw new WardstreamError('INVALID_INPUT', 'not a clinical command');
        }
        if (!deps.isOwner()) {
          throw new WardstreamError('UNAVAILABLE', `this processor no longer holds partition ${partition}; retry`);
        }
        checkOwned(request);
        const commands = deps.service().commands as unknown as Record<RemoteOp, (...args: unknown[]) => unknown>;
        reply = { ok: commands[request.op](...request.args) };
      } catch (e) {
        const code = e instanceof WardstreamError ? e.code : 'UNAVAILABLE';
        if (!(e instanceof WardstreamError))
          logger.error('clinical', 'a command failed', { partition, error: String(e) });
        reply = { error: { code, message: e instanceof Error ? e.message : String(e) } };
      }
      msg.respond(encoder.encode(JSON.stringify(reply)));
    },
  });
}
