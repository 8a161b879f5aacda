import { WardstreamError, type Clock } from '@wardstream/domain';
import type { Processor } from '@wardstream/processor';
import type { ReadingStore } from '@wardstream/store';
import { ForwardingReadingStore } from './forwarding-store.js';
import type { Logger } from './logger.js';

export interface ProcessingSupervisorDeps {
  readonly openStore: () => Promise<ReadingStore>;
  /** A new processor over `store` whose `onFatal` calls `onFatal`. */
  readonly makeProcessor: (store: ReadingStore, onFatal: (err: Error) => void) => Processor;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Told of a failure that reopening cannot mend (a corrupt log entry, a bug). */
  readonly onUnrecoverable: (err: Error) => void;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

export type ProcessingStatus = { readonly status: 'ok' } | { readonly status: 'down'; readonly detail: string };

/** A store failure (disk full, I/O error) that a reopen and a replay of the log can mend. */
function isRecoverable(err: Error): boolean {
  return err instanceof WardstreamError && (err.code === 'UNAVAILABLE' || err.code === 'CLOSED');
}

/**
 * Keeps the processor and the store running. When a store write or flush fails (disk full, I/O
 * error) the store is closed, reopened with back-off until it opens, and a new processor replays
 * the log from the store's durable checkpoint — nothing acknowledged is lost, because the log holds
 * it; nothing is stored twice, because the store is idempotent. Meanwhile the API answers 503 for
 * store queries and /readyz names the cause. Other failures are passed to `onUnrecoverable`.
 */
export class ProcessingSupervisor {
  readonly store = new ForwardingReadingStore();
  private processor: Processor | undefined;
  private current: ReadingStore | undefined;
  private state: ProcessingStatus = { status: 'down', detail: 'starting' };
  private stopped = false;
  private recovering: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private openedAt = 0;
  private delayMs: number;
  restarts = 0;

  constructor(private readonly deps: ProcessingSupervisorDeps) {
    this.delayMs = deps.retryMinMs ?? 1_000;
  }

  status(): ProcessingStatus {
    return this.state;
  }

  /** Opens the store and starts the processor; the first open must succeed. */
  async start(): Promise<void> {
    await this.open();
  }

  /** Waits until the processor has taken in everything in the log (for a clean stop). */
  async drain(): Promise<void> {
    await this.recovering;
    await this.processor?.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.recovering?.catch(() => undefined);
    await this.processor?.stop();
    this.store.set(undefined, 'the platform is stopping');
    await this.current?.close();
  }

  /** A method, so that a check after an await is not narrowed away. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private async open(): Promise<void> {
    const store = await this.deps.openStore();
    const processor = this.deps.makeProcessor(store, (err) => {
      this.failed(err);
    });
    try {
      await processor.start();
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
    this.openedAt = this.deps.clock.now();
    this.current = store;
    this.processor = processor;
    this.store.set(store);
    this.state = { status: 'ok' };
  }

  private failed(err: Error): void {
    if (this.stopped || this.recovering !== undefined) return;
    if (!isRecoverable(err)) {
      this.state = { status: 'down', detail: err.message };
      this.deps.onUnrecoverable(err);
      return;
    }
    this.state = {
      status: 'down',
      detail: `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}`,
    };
    this.deps.logger.error('processor', 'store failed; reopening it and replaying the log', {
      error: this.state.detail,
    });
    this.recovering = this.recover().finally(() => {
      this.recovering = undefined;
    });
  }

  private async recover(): Promise<void> {
    this.store.set(
      undefined,
      `the reading store is recovering: ${this.state.status === 'down' ? this.state.detail : ''}`,
    );
    await this.processor?.stop().catch(() => undefined);
    await this.current?.close().catch(() => undefined);
    this.processor = undefined;
    this.current = undefined;
    // A store that fails again soon after a reopen (the disk is still full) is retried ever more slowly.
    const minMs = this.deps.retryMinMs ?? 1_000;
    const maxMs = this.deps.retryMaxMs ?? 30_000;
    this.delayMs = this.deps.clock.now() - this.openedAt > 60_000 ? minMs : Math.min(this.delayMs * 2, maxMs);
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.delayMs);
      });
      this.wake = undefined;
      if (this.isStopped()) return;
      try {
        await this.open();
        this.restarts++;
        this.deps.logger.info('processor', 'store reopened; replaying the log from its checkpoint');
        return;
      } catch (err) {
        this.deps.logger.warn('processor', 'store still unavailable', { error: (err as Error).message });
        this.delayMs = Math.min(this.delayMs * 2, maxMs);
      }
    }
  }
}
