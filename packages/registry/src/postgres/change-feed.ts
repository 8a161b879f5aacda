import pg from 'pg';
import { clientConfig } from './connection.js';

/** A row whose change listeners hear of: a binding by its id, or a device's enrollment by its id. */
export interface Change {
  readonly kind: 'binding' | 'enrollment';
  readonly id: string;
}

/** How the feed turns changes into listener calls; both read the database afresh. */
export interface ChangeDelivery {
  /** Reads the changed row as it is now and hands it to the listeners. */
  deliver(change: Change): Promise<void>;
  /** Reads every row listeners follow and hands each to them: after a gap in what was heard. */
  resync(): Promise<void>;
}

export interface ChangeFeedOptions {
  readonly connectionString: string;
  readonly applicationName: string;
  readonly channel: string;
  /** This registry instance, written in its notifications so it skips its own. */
  readonly origin: string;
}

const FIRST_RETRY_MS = 50;
const LAST_RETRY_MS = 5_000;

/**
 * Registry changes from every process on a schema, by PostgreSQL LISTEN/NOTIFY. Writers call
 * `notify` inside their transaction (the notification goes out only if it commits) and `local`
 * after it; other instances hear the notification on a dedicated connection.
 *
 * Every delivery re-reads the row, and deliveries run one at a time in the order they were asked
 * for, so a listener never sees a row go back to an older state, whichever process changed it.
 *
 * NOTIFY is not durable: what is sent while the listening connection is down is lost. So after it
 * reconnects — and after a delivery failed to read — the feed resyncs: listeners hear every binding
 * and every enrolled device again. Listeners must therefore take a repeat of a state they already
 * have in their stride (BindingIndex and ApprovalIndex replace by id).
 */
export class ChangeFeed {
  private client: pg.Client | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = FIRST_RETRY_MS;
  private resyncDelayMs = FIRST_RETRY_MS;

  constructor(
    private readonly options: ChangeFeedOptions,
    private readonly delivery: ChangeDelivery,
  ) {}

  /** Connects and listens; rejects (with the driver's error) when the server cannot be reached. */
  start(): Promise<void> {
    return this.connect();
  }

  /** The statement and parameters that announce `change` from inside the writer's transaction. */
  notify(change: Change): { readonly text: string; readonly values: string[] } {
    const payload = JSON.stringify({ origin: this.options.origin, kind: change.kind, id: change.id });
    return { text: 'SELECT pg_notify($1, $2)', values: [this.options.channel, payload] };
  }

  /**
   * Hands a change this instance committed to the listeners; resolves once they had it. A failed
   * read does not reject (the change is committed): it schedules a resync instead.
   */
  async local(change: Change): Promise<void> {
    await this.run(() => this.delivery.deliver(change));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.resyncTimer);
    await this.tail;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(clientConfig(this.options.connectionString, this.options.applicationName));
    // The 'end' that follows an error is what reconnects.
    client.on('error', () => undefined);
    client.on('end', () => {
      this.lost(client);
    });
    client.on('notification', (message) => {
      this.heard(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private heard(payload: string | undefined): void {
    const change = this.parse(payload);
    if (change === undefined) {
      // Not a notification this release understands (another release writing?): read it all again.
      this.scheduleResync();
      return;
    }
    if (change === 'own') return;
    void this.run(() => this.delivery.deliver(change));
  }

  private lost(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined) return;
    const delayMs = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delayMs * 2, LAST_RETRY_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().then(
        () => {
          this.reconnectDelayMs = FIRST_RETRY_MS;
          // Whatever was sent while the connection was down is lost: read it all again.
          void this.run(() => this.delivery.resync());
        },
        () => {
          this.scheduleReconnect();
        },
      );
    }, delayMs);
  }

  private scheduleResync(): void {
    if (this.closed || this.resyncTimer !== undefined) return;
    const delayMs = this.resyncDelayMs;
    this.resyncDelayMs = Math.min(delayMs * 2, LAST_RETRY_MS);
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      void this.run(() => this.delivery.resync()).then((ok) => {
        if (ok) this.resyncDelayMs = FIRST_RETRY_MS;
      });
    }, delayMs);
  }

  /** Runs one delivery after those before it; a failure schedules a resync. Resolves to success. */
  private run(job: () => Promise<void>): Promise<boolean> {
    const next = this.tail.then(async () => {
      if (this.closed) return false;
      try {
        await job();
        return true;
      } catch {
        this.scheduleResync();
        return false;
      }
    });
    this.tail = next;
    return next;
  }

  /** The change a notification announces; 'own' for this instance's; undefined when unreadable. */
  private parse(payload: string | undefined): Change | 'own' | undefined {
    let value: unknown;
    try {
      value = JSON.parse(payload ?? '');
    } catch {
      return undefined;
    }
    if (typeof value !== 'object' || value === null) return undefined;
    const { origin, kind, id } = value as Record<string, unknown>;
    if (typeof origin !== 'string' || typeof id !== 'string') return undefined;
    if (kind !== 'binding' && kind !== 'enrollment') return undefined;
    return origin === this.options.origin ? 'own' : { kind, id };
  }
}
