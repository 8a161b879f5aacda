import type { AlarmEvent } from '@wardstream/clinical';

/** One pending delivery of an event to a target. Instants are epoch ms. */
export interface OutboxItem {
  readonly targetId: string;
  readonly event: AlarmEvent;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** Not to be sent before this instant. */
  readonly nextAttemptAt: number;
  /** The last attempt's error, or null if none failed yet. */
  readonly lastError: string | null;
  readonly enqueuedAt: number;
}

export interface WebhookOutboxStats {
  /** Rows not yet delivered. */
  readonly pending: number;
  /** Delivered rows still kept as ids (see the retention in each adapter). */
  readonly delivered: number;
  /** Pending rows whose last attempt failed. */
  readonly failing: number;
}

/**
 * The webhook outbox port: what is still to be delivered to which target, and which (target,
 * event id) pairs are already known, so a replay or a restart never sends an event twice. Rows
 * are kept per target in the order they were added. Synchronous: the embedded adapter is SQLite
 * in process. Every adapter passes `describeWebhookOutboxContract` (outbox-contract.ts).
 *
 * A pending row is never dropped: it leaves the pending set only by `recordDelivered`. A delivered
 * row is kept as ids (its event body is dropped) so that `add` keeps refusing it; adapters that
 * persist prune delivered ids after a retention period (SQLite: 7 days).
 *
 * One process owns an outbox: two dispatchers on the same storage would send each row twice.
 * Every method throws WardstreamError('CLOSED') after `close`; storage failures throw.
 */
export interface WebhookOutbox {
  /**
   * Adds a pending row for (targetId, event.id), due at `at`. False, changing nothing, when that
   * pair is already known (pending or delivered): adding is idempotent.
   */
  add(targetId: string, event: AlarmEvent, at: number): boolean;
  /**
   * The oldest pending row of each target (per-target FIFO: a row is never offered before an
   * earlier one of its target is delivered), of those whose `nextAttemptAt` ≤ `now`; at most
   * `limit`, earliest `nextAttemptAt` first.
   */
  due(now: number, limit: number): OutboxItem[];
  /** Records a failed attempt of a pending row; ignored for a pair not pending. */
  recordFailure(targetId: string, eventId: string, attempts: number, nextAttemptAt: number, error: string): void;
  /** Marks a pending row delivered at `at` with HTTP `status`; ignored for a pair not pending. */
  recordDelivered(targetId: string, eventId: string, at: number, status: number): void;
  /** Pending rows, of one target or of all. */
  pending(targetId?: string): number;
  stats(): WebhookOutboxStats;
  close(): void;
}
