import { crc32 } from 'node:zlib';
import type { AlarmEvent } from '@wardstream/clinical';
import type { TelemetryLog } from '@wardstream/log';

/** Where an alarm event goes once stored. Each route must be idempotent on the event id. */
export interface AlertRouterDeps {
  /** The alerts topic: alarm events appended to their own log, idempotent on (alarm id, seq). */
  readonly alertsLog?: TelemetryLog;
  /** Webhook delivery (the dispatcher's outbox refuses an event id twice). */
  readonly webhooks?: { enqueue(event: AlarmEvent): void };
  /** The live feed; told only of events stored for the first time. */
  readonly live?: (event: AlarmEvent) => void;
  /** Told when a route fails (the alerts-topic append); the event is still stored and re-routed at start. */
  readonly onRouteFailed: (route: string, event: AlarmEvent, err: Error) => void;
}

const encoder = new TextEncoder();

/**
 * Routes stored alarm events: the alerts topic on the log, webhooks and the live feed. `fresh` is
 * false for an event re-routed after a restart (already stored): the idempotent routes take it again
 * (closing the gap a crash between storing and routing leaves), the live feed does not.
 */
export class AlertRouter {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: AlertRouterDeps) {}

  route(event: AlarmEvent, fresh: boolean): void {
    const { alertsLog, webhooks, live } = this.deps;
    if (alertsLog !== undefined) {
      const payload = encoder.encode(JSON.stringify(event));
      const append = alertsLog
        .append([
          {
            key: event.alarm.patientId ?? event.alarm.deviceId ?? 'system',
            deviceId: event.alarmId,
            boot: '',
            seq: event.seq,
            // An event id names one change of one alarm: a re-route of the stored event (whose JSON may
            // serialise its keys in another order) is a duplicate, never a conflict.
            contentHash: crc32(event.id),
            payload,
          },
        ])
        .then((outcomes) => {
          const outcome = outcomes[0];
          if (outcome !== undefined && outcome.kind !== 'appended' && outcome.kind !== 'duplicate') {
            throw new Error(`the alerts topic answered ${outcome.kind} for event ${event.id}`);
          }
        })
        .catch((err: unknown) => {
          this.deps.onRouteFailed('alerts-topic', event, err instanceof Error ? err : new Error(String(err)));
        })
        .finally(() => this.pending.delete(append));
      this.pending.add(append);
    }
    webhooks?.enqueue(event);
    if (fresh) live?.(event);
  }

  /** Waits for appends in flight (at shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
