import Database from 'better-sqlite3';
import { WardstreamError } from '@wardstream/domain';
import type { AlarmEvent } from '@wardstream/clinical';
import type { OutboxItem, WebhookOutbox, WebhookOutboxStats } from './webhook-outbox.js';

export interface SqliteWebhookOutboxOptions {
  /** Database file; ':memory:' for tests. */
  readonly path: string;
  /** Delivered ids older than this are pruned (on open, and every 1000 deliveries). Default 7 days. */
  readonly retainDeliveredMs?: number;
  /** "Now" for the prune on open (epoch ms); default the wall clock. */
  readonly now?: number;
}

const DEFAULT_RETAIN_DELIVERED_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_DELIVERIES = 1000;

// One table. `seq` orders rows within a target (insertion order; rowid is not stable across VACUUM).
// `event` is the AlarmEvent as JSON while pending, NULL once delivered (only the ids are kept).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_outbox (
  target_id TEXT NOT NULL, event_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT,
  enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
  last_error TEXT, delivered_at INTEGER, status INTEGER,
  PRIMARY KEY (target_id, event_id));
CREATE INDEX IF NOT EXISTS webhook_outbox_pending ON webhook_outbox(target_id, seq) WHERE delivered_at IS NULL;
CREATE INDEX IF NOT EXISTS webhook_outbox_delivered ON webhook_outbox(delivered_at) WHERE delivered_at IS NOT NULL;
`;

interface Row {
  target_id: string;
  event_id: string;
  event: string | null;
  enqueued_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

/**
 * The webhook outbox in an SQLite file (WAL, synchronous=FULL: a row added is on disk before
 * `add` returns, so an alarm event accepted for delivery survives a crash).
 */
export class SqliteWebhookOutbox implements WebhookOutbox {
  private db: Database.Database | null;
  private nextSeq: number;
  private deliveriesSincePrune = 0;

  private constructor(
    db: Database.Database,
    private readonly retainDeliveredMs: number,
  ) {
    this.db = db;
    const max = db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM webhook_outbox').get();
    this.nextSeq = (max?.seq ?? 0) + 1;
  }

  /** Opens (creating if needed) the outbox and prunes delivered ids past retention. Throws RangeError on bad options. */
  static open(options: SqliteWebhookOutboxOptions): SqliteWebhookOutbox {
    const retain = options.retainDeliveredMs ?? DEFAULT_RETAIN_DELIVERED_MS;
    if (typeof options.path !== 'string' || options.path === '')
      throw new RangeError('webhook outbox: path is required');
    if (!Number.isFinite(retain) || retain <= 0) throw new RangeError('webhook outbox: retainDeliveredMs must be > 0');
    const db = new Database(options.path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
    } catch (err) {
      db.close();
      throw err;
    }
    const outbox = new SqliteWebhookOutbox(db, retain);
    outbox.prune((options.now ?? Date.now()) - retain);
    return outbox;
  }

  add(targetId: string, event: AlarmEvent, at: number): boolean {
    const result = this.open()
      .prepare(
        `INSERT INTO webhook_outbox (target_id, event_id, seq, event, enqueued_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (target_id, event_id) DO NOTHING`,
      )
      .run(targetId, event.id, this.nextSeq, JSON.stringify(event), at, at);
    if (result.changes === 0) return false;
    this.nextSeq++;
    return true;
  }

  due(now: number, limit: number): OutboxItem[] {
    const rows = this.open()
      .prepare<[number, number], Row>(
        `SELECT o.* FROM webhook_outbox o
         JOIN (SELECT target_id, MIN(seq) AS seq FROM webhook_outbox WHERE delivered_at IS NULL GROUP BY target_id) h
           ON o.target_id = h.target_id AND o.seq = h.seq
         WHERE o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.seq LIMIT ?`,
      )
      .all(now, limit);
    return rows.map(toItem);
  }

  recordFailure(targetId: string, eventId: string, attempts: number, nextAttemptAt: number, error: string): void {
    this.open()
      .prepare(
        `UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?
         WHERE target_id = ? AND event_id = ? AND delivered_at IS NULL`,
      )
      .run(attempts, nextAttemptAt, error, targetId, eventId);
  }

  recordDelivered(targetId: string, eventId: string, at: number, status: number): void {
    this.open()
      .prepare(
        `UPDATE webhook_outbox SET delivered_at = ?, status = ?, event = NULL, last_error = NULL
         WHERE target_id = ? AND event_id = ? AND delivered_at IS NULL`,
      )
      .run(at, status, targetId, eventId);
    if (++this.deliveriesSincePrune >= PRUNE_EVERY_DELIVERIES) this.prune(at - this.retainDeliveredMs);
  }

  pending(targetId?: string): number {
    const db = this.open();
    const row =
      targetId === undefined
        ? db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM webhook_outbox WHERE delivered_at IS NULL').get()
        : db
            .prepare<[string], { n: number }>(
              'SELECT COUNT(*) AS n FROM webhook_outbox WHERE delivered_at IS NULL AND target_id = ?',
            )
            .get(targetId);
    return row?.n ?? 0;
  }

  stats(): WebhookOutboxStats {
    const row = this.open()
      .prepare<[], { pending: number; delivered: number; failing: number }>(
        `SELECT COALESCE(SUM(delivered_at IS NULL), 0) AS pending, COALESCE(SUM(delivered_at IS NOT NULL), 0) AS delivered,
                COALESCE(SUM(delivered_at IS NULL AND attempts > 0), 0) AS failing FROM webhook_outbox`,
      )
      .get();
    return { pending: row?.pending ?? 0, delivered: row?.delivered ?? 0, failing: row?.failing ?? 0 };
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  private prune(deliveredBefore: number): void {
    this.open()
      .prepare('DELETE FROM webhook_outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?')
      .run(deliveredBefore);
    this.deliveriesSincePrune = 0;
  }

  private open(): Database.Database {
    if (this.db === null) throw new WardstreamError('CLOSED', 'webhook outbox is closed');
    return this.db;
  }
}

function toItem(row: Row): OutboxItem {
  if (row.event === null) {
    throw new WardstreamError('CORRUPT', `webhook outbox: pending row ${row.target_id}/${row.event_id} has no event`);
  }
  let event: AlarmEvent;
  try {
    event = JSON.parse(row.event) as AlarmEvent;
  } catch (err) {
    throw new WardstreamError('CORRUPT', `webhook outbox: row ${row.target_id}/${row.event_id} is not JSON`, {
      cause: err,
    });
  }
  return {
    targetId: row.target_id,
    event,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    enqueuedAt: row.enqueued_at,
  };
}
