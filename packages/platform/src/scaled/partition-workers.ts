import type { Clock } from '@wardstream/domain';
import type { LeaseHandler } from '@wardstream/nats';
import type { Logger } from '../logger.js';

/** Processing of one partition: started from its committed position, stopped after the batch in hand. */
export interface PartitionWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The error that stopped it, if one did. */
  readonly error: Error | undefined;
}

export interface PartitionWorkersDeps {
  /** A new worker for the partition (a new one after each failure); `onFatal` is told once if it stops on an error. */
  readonly makeWorker: (partition: number, epoch: number, onFatal: (err: Error) => void) => PartitionWorker;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Back-off after a failure before the partition is started again: doubling from `minMs` to `maxMs`. */
  readonly restart?: { readonly minMs: number; readonly maxMs: number };
}

interface Slot {
  readonly epoch: number;
  /** The worker started last; undefined while waiting for a restart. */
  worker: PartitionWorker | undefined;
  failures: number;
  startedAt: number;
  lastError: string | undefined;
  timer: NodeJS.Timeout | undefined;
  stopping: boolean;
  /** The start, or the stop of a failed worker, under way: a release waits for it. */
  busy: Promise<void>;
}

/**
 * The partitions a processor holds leases on, each worked by its own worker. A worker that stops
 * on an error (PostgreSQL unreachable, say) is started again after a back-off while the lease is
 * held: the partition resumes from its checkpoint, and the store's idempotency makes the replay
 * change nothing. The lease handler of `PartitionLeases`.
 */
export class PartitionWorkers implements LeaseHandler {
  private readonly slots = new Map<number, Slot>();
  private readonly restart: { readonly minMs: number; readonly maxMs: number };

  constructor(private readonly deps: PartitionWorkersDeps) {
    this.restart = deps.restart ?? { minMs: 500, maxMs: 30_000 };
  }

  async acquired(partition: number, epoch: number): Promise<void> {
    const slot: Slot = {
      epoch,
      worker: undefined,
      failures: 0,
      startedAt: 0,
      lastError: undefined,
      timer: undefined,
      stopping: false,
      busy: Promise.resolve(),
    };
    this.slots.set(partition, slot);
    slot.busy = this.launch(partition, slot);
    await slot.busy;
    this.deps.logger.info('processor', 'took a partition', { partition, epoch });
  }

  async released(partition: number, reason: string): Promise<void> {
    const slot = this.slots.get(partition);
    if (slot === undefined) return;
    slot.stopping = true;
    clearTimeout(slot.timer);
    this.slots.delete(partition);
    await slot.busy;
    const worker = slot.worker;
    slot.worker = undefined;
    await worker?.stop().catch((err: unknown) => {
      this.deps.logger.warn('processor', 'a partition stopped with an error', { partition, error: String(err) });
    });
    this.deps.logger.info('processor', 'gave a partition up', { partition, reason });
  }

  /** The partitions held, with those whose worker is down (waiting for a restart) and why. */
  status(): { readonly held: number[]; readonly failing: { partition: number; error: string }[] } {
    const held = [...this.slots.keys()].sort((a, b) => a - b);
    const failing = [...this.slots]
      .filter(([, s]) => s.worker === undefined || s.worker.error !== undefined)
      .map(([partition, s]) => ({ partition, error: s.lastError ?? 'starting' }));
    return { held, failing };
  }

  private async launch(partition: number, slot: Slot): Promise<void> {
    const state = { failed: false };
    const worker: PartitionWorker = this.deps.makeWorker(partition, slot.epoch, (err) => {
      // Only the worker in place, and only its first failure (either half may report one).
      if (state.failed || slot.worker !== worker) return;
      state.failed = true;
      this.failed(partition, slot, worker, err);
    });
    slot.worker = worker;
    slot.startedAt = this.deps.clock.now();
    try {
      await worker.start();
    } catch (err) {
      if (!state.failed && slot.worker === worker) {
        state.failed = true;
        this.failed(partition, slot, worker, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /** Stops the failed worker (whatever of it still runs), then starts a new one after a back-off. */
  private failed(partition: number, slot: Slot, worker: PartitionWorker, err: Error): void {
    slot.worker = undefined;
    if (slot.stopping) {
      void worker.stop().catch(() => undefined);
      return;
    }
    // A worker that ran well for a while starts its back-off afresh.
    if (this.deps.clock.now() - slot.startedAt > this.restart.maxMs) slot.failures = 0;
    slot.failures++;
    slot.lastError = err.message;
    const delay = Math.min(this.restart.maxMs, this.restart.minMs * 2 ** Math.min(slot.failures - 1, 16));
    this.deps.logger.error('processor', 'a partition stopped on an error; restarting it', {
      partition,
      error: err.message,
      retryInMs: delay,
    });
    const previous = slot.busy;
    slot.busy = (async () => {
      await previous.catch(() => undefined);
      await worker.stop().catch((e: unknown) => {
        this.deps.logger.warn('processor', 'stopping a failed partition worker failed', {
          partition,
          error: String(e),
        });
      });
    })();
    slot.timer = setTimeout(() => {
      if (slot.stopping) return;
      const stopped = slot.busy;
      slot.busy = stopped.then(() => (slot.stopping ? undefined : this.launch(partition, slot)));
    }, delay);
    slot.timer.unref();
  }
}
