import { emitWarning } from 'node:process';
import type { AlarmEvent } from '@wardstream/clinical';
import type { Clock } from '@wardstream/domain';
import { routesEvent } from './payloads.js';
import { describeSendError, retryDelayMs } from './retry-schedule.js';
import type { OutboxItem, WebhookOutbox } from './webhook-outbox.js';
import { fetchSend, sendAttempt, type WebhookSend } from './webhook-send.js';
import type { WebhookPolicy, WebhookTarget } from './webhook-target.js';

export interface WebhookDispatcherDeps {
  readonly outbox: WebhookOutbox;
  readonly targets: readonly WebhookTarget[];
  readonly policy: WebhookPolicy;
  /** The wall clock: back-off instants are compared with it and waited for with real timers. */
  readonly clock: Clock;
  /** Default: global fetch (the response body is discarded). */
  readonly send?: WebhookSend;
  /** Jitter source in [0, 1); default Math.random. */
  readonly random?: () => number;
  /**
   * A target has failed `failingAfterAttempts` times in a row, or answered a permanent error, or
   * the outbox itself failed (`item` null). Called once until `onRecovered`. Must not throw.
   */
  readonly onFailing: (target: WebhookTarget, item: OutboxItem | null, error: string) => void;
  /** A target reported failing has had a delivery succeed (or the outbox works again). Must not throw. */
  readonly onRecovered: (target: WebhookTarget) => void;
  readonly onDelivered?: (target: WebhookTarget, item: OutboxItem, status: number) => void;
}

export interface WebhookTargetStatus {
  readonly targetId: string;
  readonly kind: WebhookTarget['kind'];
  readonly pending: number;
  readonly failing: boolean;
  /** The last failure since the last delivery; null after a delivery. */
  readonly lastError: string | null;
  /** Epoch ms of the last delivery by this dispatcher; null before the first. */
  readonly lastDeliveredAt: number | null;
}

interface TargetState {
  readonly target: WebhookTarget;
  /** Why it was reported failing: its deliveries, or the outbox unreadable (cleared when readable again). */
  failing: 'delivery' | 'outbox' | null;
  inFlight: boolean;
  /** Held back (in memory) after the outbox failed to record an outcome, so it is not re-sent in a spin. */
  notBefore: number;
  lastError: string | null;
  lastDeliveredAt: number | null;
}

/** Heads are one row per target; this only bounds rows of targets no longer configured. */
const HEADS_LIMIT = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delivers alarm events to webhook targets through a durable outbox: at least once, with the
 * same event id (and `idempotency-key`) on every attempt, per target in the order enqueued (only
 * a target's oldest pending row is ever in flight), retrying with back-off, never dropping a row
 * and never throwing out of its loop. Targets are independent: one slow target delays no other.
 */
export class WebhookDispatcher {
  private readonly states = new Map<string, TargetState>();
  private readonly send: WebhookSend;
  private readonly random: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private outboxFailures = 0;

  constructor(private readonly deps: WebhookDispatcherDeps) {
    for (const target of deps.targets) {
      this.states.set(target.id, {
        target,
        failing: null,
        inFlight: false,
        notBefore: 0,
        lastError: null,
        lastDeliveredAt: null,
      });
    }
    this.send = deps.send ?? fetchSend;
    this.random = deps.random ?? Math.random;
  }

  /**
   * Adds a row for each target that takes the event (`routesEvent`) and wakes the loop. A (target,
   * event id) already in the outbox, pending or delivered, is not added again, so calling it again
   * (a replay, or a retry after a throw) is safe. Throws if the outbox cannot store a row: the
   * caller must not consider the event routed. Works before `start` too (rows wait in the outbox).
   */
  enqueue(event: AlarmEvent): void {
    const at = this.deps.clock.now();
    for (const { target } of this.states.values()) {
      if (routesEvent(target, event)) this.deps.outbox.add(target.id, event, at);
    }
    this.wake();
  }

  /**
   * Starts the delivery loop. A target whose oldest pending row has already failed
   * `failingAfterAttempts` times (before a restart) is reported failing at once.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    try {
      for (const item of this.deps.outbox.due(Number.MAX_SAFE_INTEGER, HEADS_LIMIT)) {
        const state = this.states.get(item.targetId);
        if (state === undefined) continue;
        state.lastError = item.lastError;
        if (item.attempts >= this.deps.policy.failingAfterAttempts && state.failing === null) {
          this.reportFailing(state, item, item.lastError ?? `${item.attempts} failed attempts`, 'delivery');
        }
      }
    } catch {
      // The loop's first pass meets the same failure and reports it.
    }
    this.loop = this.run();
  }

  /** Stops picking rows, waits for attempts in flight (each bounded by `timeoutMs`) and records them. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = null;
    await Promise.all([...this.inFlight]);
  }

  /** Per configured target, for /metrics and health. Throws if the outbox cannot be read. */
  status(): WebhookTargetStatus[] {
    return [...this.states.values()].map((s) => ({
      targetId: s.target.id,
      kind: s.target.kind,
      pending: this.deps.outbox.pending(s.target.id),
      failing: s.failing !== null,
      lastError: s.lastError,
      lastDeliveredAt: s.lastDeliveredAt,
    }));
  }

  private async run(): Promise<void> {
    while (this.running) {
      const delayMs = this.dispatchDue();
      if (this.woken) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = delayMs === null ? undefined : setTimeout(done, Math.min(delayMs, MAX_TIMER_MS));
        timer?.unref();
        this.wakeUp = done;
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
      });
      this.wakeUp = null;
      this.woken = false;
    }
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Starts an attempt for every target whose head row is due; returns ms until the next is due (null: none). */
  private dispatchDue(): number | null {
    let heads: OutboxItem[];
    try {
      heads = this.deps.outbox.due(Number.MAX_SAFE_INTEGER, HEADS_LIMIT);
    } catch (err) {
      this.outboxFailed(err);
      return retryDelayMs(this.deps.policy, ++this.outboxFailures, () => 1);
    }
    this.outboxFailures = 0;
    for (const state of this.states.values()) if (state.failing === 'outbox') this.reportRecovered(state);
    const now = this.deps.clock.now();
    let next = Infinity;
    for (const item of heads) {
      const state = this.states.get(item.targetId);
      if (state === undefined || state.inFlight) continue; // a target no longer configured keeps its rows
      const dueAt = Math.max(item.nextAttemptAt, state.notBefore);
      if (dueAt > now) {
        next = Math.min(next, dueAt);
        continue;
      }
      state.inFlight = true;
      const attempt = this.attempt(state, item).finally(() => {
        state.inFlight = false;
        this.inFlight.delete(attempt);
        this.wake();
      });
      this.inFlight.add(attempt);
    }
    return next === Infinity ? null : Math.max(0, next - now);
  }

  /** One attempt of a head row, its outcome recorded. Never rejects. */
  private async attempt(state: TargetState, item: OutboxItem): Promise<void> {
    const { target } = state;
    const { policy } = this.deps;
    const outcome = await sendAttempt(
      { send: this.send, policy, now: () => this.deps.clock.now(), random: this.random },
      target,
      item,
    );
    const now = this.deps.clock.now();
    try {
      if (outcome.kind === 'delivered') {
        const { status } = outcome;
        this.deps.outbox.recordDelivered(target.id, item.event.id, now, status);
        state.lastDeliveredAt = now;
        state.lastError = null;
        if (state.failing !== null) this.reportRecovered(state);
        this.callback(() => this.deps.onDelivered?.(target, item, status));
        return;
      }
      const attempts = item.attempts + 1;
      const nextAttemptAt = now + outcome.retryInMs;
      this.deps.outbox.recordFailure(target.id, item.event.id, attempts, nextAttemptAt, outcome.error);
      state.lastError = outcome.error;
      if (state.failing === null && (outcome.permanent || attempts >= policy.failingAfterAttempts)) {
        this.reportFailing(
          state,
          { ...item, attempts, nextAttemptAt, lastError: outcome.error },
          outcome.error,
          'delivery',
        );
      }
    } catch (err) {
      const error = `webhook outbox: ${describeSendError(err, policy.timeoutMs)}`;
      state.lastError = error;
      state.notBefore = now + retryDelayMs(policy, item.attempts + 1, () => 1);
      // Cleared by a recorded delivery, not by the outbox being readable: a full disk may still read.
      if (state.failing === null) this.reportFailing(state, item, error, 'delivery');
    }
  }

  private outboxFailed(err: unknown): void {
    const error = `webhook outbox: ${describeSendError(err, this.deps.policy.timeoutMs)}`;
    for (const state of this.states.values()) {
      state.lastError = error;
      if (state.failing === null) this.reportFailing(state, null, error, 'outbox');
    }
  }

  private reportFailing(
    state: TargetState,
    item: OutboxItem | null,
    error: string,
    reason: 'delivery' | 'outbox',
  ): void {
    state.failing = reason;
    this.callback(() => this.deps.onFailing(state.target, item, error));
  }

  private reportRecovered(state: TargetState): void {
    state.failing = null;
    this.callback(() => this.deps.onRecovered(state.target));
  }

  /** Runs a callback; a throw is surfaced as a process warning, never out of the loop. */
  private callback(call: () => void): void {
    try {
      call();
    } catch (err) {
      emitWarning(`webhook dispatcher callback threw: ${describeSendError(err, 0)}`, 'WardstreamWebhookWarning');
    }
  }
}
