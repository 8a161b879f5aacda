import { crc32 } from 'node:zlib';
import {
  parseRules,
  type Alarm,
  type AlarmRule,
  type ChartedObservation,
  type ChartedValue,
  type ClinicalEngine,
  type EnginePolicy,
  type RuleScope,
  type StoredRuleSet,
} from '@wardstream/clinical';
import { WardstreamError, type Clock, type PatientId } from '@wardstream/domain';
import { alarmBurden, type AlarmBurden } from './alarm-burden.js';
import type { ClinicalStore } from './clinical-store.js';

export interface ClinicalCommandsDeps {
  readonly engine: ClinicalEngine;
  readonly store: ClinicalStore;
  readonly clock: Clock;
  readonly policy: EnginePolicy;
  readonly rulesFor: (patientId: PatientId) => readonly AlarmRule[];
  readonly rulesChanged: () => void;
  readonly charted: () => void;
}

/** A charted observation as a clinician submits it. */
export interface ChartRequest {
  readonly patientId: PatientId;
  readonly observation: ChartedValue;
  readonly observedAt: number;
  readonly recordedBy: string;
  /** Client-chosen id for safe retries; derived from the content when absent. */
  readonly id?: string;
}

/**
 * Validates and stores a scope's rules, and audits the change; the engines must then be told
 * (`rulesChanged`). CONFLICT when `expectedVersion` is stale, INVALID_INPUT naming a bad field.
 */
export function putRulesAudited(
  store: ClinicalStore,
  now: number,
  request: {
    readonly scope: RuleScope;
    readonly json: unknown;
    readonly by: string;
    readonly expectedVersion?: number | undefined;
  },
): StoredRuleSet {
  let rules: AlarmRule[];
  try {
    rules = parseRules(request.json);
  } catch (err) {
    throw new WardstreamError('INVALID_INPUT', (err as Error).message);
  }
  const stored = store.putRuleSet(request.scope, rules, request.by, now, request.expectedVersion);
  store.appendAudit({
    at: now,
    actor: request.by,
    action: 'rules.put',
    subject: scopeSubject(request.scope),
    details: { version: stored.version, rules: rules.map((r) => r.id) },
  });
  return stored;
}

/**
 * What clinicians do through the API: acknowledge, silence, escalate and resolve alarms, chart observations,
 * set rules. Every change is audited (who, what, when) in the clinical store.
 */
export class ClinicalCommands {
  constructor(private readonly deps: ClinicalCommandsDeps) {}

  acknowledge(alarmId: string, by: string, note: string | null): Alarm {
    return this.alarmCommand('alarm.acknowledge', alarmId, by, { note }, (at) =>
      this.deps.engine.acknowledge(alarmId, by, at, note),
    );
  }

  silence(alarmId: string, by: string, durationMs: number, note: string | null): Alarm {
    return this.alarmCommand('alarm.silence', alarmId, by, { durationMs, note }, (at) =>
      this.deps.engine.silence(alarmId, by, at, durationMs, note),
    );
  }

  escalate(alarmId: string, by: string, note: string | null): Alarm {
    return this.alarmCommand('alarm.escalate', alarmId, by, { note }, (at) =>
      this.deps.engine.escalate(alarmId, by, at, note),
    );
  }

  resolve(alarmId: string, by: string, note: string | null): Alarm {
    return this.alarmCommand('alarm.resolve', alarmId, by, { note }, (at) =>
      this.deps.engine.resolve(alarmId, by, at, note),
    );
  }

  /** Records a charted observation (once per id) and feeds it to the engine. */
  chart(request: ChartRequest): { observation: ChartedObservation; created: boolean } {
    const now = this.deps.clock.now();
    if (request.observedAt > now + 60_000) {
      throw new WardstreamError('INVALID_INPUT', 'observedAt is in the future');
    }
    const observation: ChartedObservation = {
      id: request.id ?? chartedId(request),
      patientId: request.patientId,
      observation: request.observation,
      observedAt: request.observedAt,
      recordedAt: now,
      recordedBy: request.recordedBy,
    };
    const created = this.deps.store.addChartedObservation(observation);
    if (created) {
      this.deps.engine.chart(observation);
      this.deps.store.appendAudit({
        at: now,
        actor: request.recordedBy,
        action: 'charted.record',
        subject: `patient:${request.patientId}`,
        details: { id: observation.id, observation: request.observation, observedAt: request.observedAt },
      });
      this.deps.charted();
    }
    return { observation, created };
  }

  /** Replaces the rules of a scope after validating them; CONFLICT when `expectedVersion` is stale. */
  putRules(scope: RuleScope, json: unknown, by: string, expectedVersion?: number): StoredRuleSet {
    const stored = putRulesAudited(this.deps.store, this.deps.clock.now(), { scope, json, by, expectedVersion });
    this.deps.rulesChanged();
    return stored;
  }

  effectiveRules(patientId: PatientId): readonly AlarmRule[] {
    return this.deps.rulesFor(patientId);
  }

  burden(from: number, to: number): AlarmBurden {
    return alarmBurden(this.deps.store, from, to, this.deps.engine.monitoredBetween(from, to));
  }

  private alarmCommand(
    action: string,
    alarmId: string,
    by: string,
    details: Record<string, unknown>,
    run: (at: number) => readonly { alarm: Alarm }[],
  ): Alarm {
    const at = this.deps.clock.now();
    const events = run(at);
    this.deps.store.appendAudit({ at, actor: by, action, subject: `alarm:${alarmId}`, details });
    const last = events.at(-1);
    if (last === undefined) throw new WardstreamError('CONFLICT', `alarm ${alarmId} did not change`);
    return last.alarm;
  }
}

export function scopeSubject(scope: RuleScope): string {
  switch (scope.kind) {
    case 'default':
      return 'rules:default';
    case 'ward':
      return `ward:${scope.wardId}`;
    case 'patient':
      return `patient:${scope.patientId}`;
  }
}

function chartedId(r: ChartRequest): string {
  const text = JSON.stringify([r.patientId, r.observation, r.observedAt, r.recordedBy]);
  return `ch-${r.observedAt.toString(36)}-${crc32(text).toString(16).padStart(8, '0')}`;
}
