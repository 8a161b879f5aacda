import { WardstreamError } from '@wardstream/domain';
import type { AlarmEvent } from '@wardstream/clinical';
import type { OutboxItem, WebhookOutbox, WebhookOutboxStats } from './webhook-outbox.js';

/** The webhook outbox in memory, for tests and throwaway runs: nothing survives the process. */
export class MemoryWebhookOutbox implements WebhookOutbox {
  /** Pending rows in the order added (a Map keeps insertion order). */
  private readonly pendingRows = new Map<string, OutboxItem>();
  private readonly deliveredAt = new Map<string, number>();
  private closed = false;

  add(targetId: string, event: AlarmEvent, at: number): boolean {
    this.checkOpen();
    const key = keyOf(targetId, event.id);
    if (this.pendingRows.has(key) || this.deliveredAt.has(key)) return false;
    this.pendingRows.set(key, {
      targetId,
      event: structuredClone(event),
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      enqueuedAt: at,
    });
    return true;
  }

  due(now: number, limit: number): OutboxItem[] {
    this.checkOpen();
    const heads = new Map<string, OutboxItem>();
    for (const item of this.pendingRows.values()) {
      if (!heads.has(item.targetId)) heads.set(item.targetId, item);
    }
    return [...heads.values()]
      .filter((item) => item.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
      .slice(0, limit)
      .map((item) => structuredClone(item));
  }

  recordFailure(targetId: string, eventId: string, attempts: number, nextAttemptAt: number, error: string): void {
    this.checkOpen();
    const key = keyOf(targetId, eventId);
    const item = this.pendingRows.get(key);
    if (item !== undefined) this.pendingRows.set(key, { ...item, attempts, nextAttemptAt, lastError: error });
  }

  recordDelivered(targetId: string, eventId: string, at: number, _status: number): void {
    this.checkOpen();
    const key = keyOf(targetId, eventId);
    if (this.pendingRows.delete(key)) this.deliveredAt.set(key, at);
  }

  pending(targetId?: string): number {
    this.checkOpen();
    if (targetId === undefined) return this.pendingRows.size;
    let count = 0;
    for (const item of this.pendingRows.values()) if (item.targetId === targetId) count++;
    return count;
  }

  stats(): WebhookOutboxStats {
    this.checkOpen();
    let failing = 0;
    for (const item of this.pendingRows.values()) if (item.attempts > 0) failing++;
    return { pending: this.pendingRows.size, delivered: this.deliveredAt.size, failing };
  }

  close(): void {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new WardstreamError('CLOSED', 'webhook outbox is closed');
  }
}

function keyOf(targetId: string, eventId: string): string {
  return `${targetId}\u0000${eventId}`;
}
