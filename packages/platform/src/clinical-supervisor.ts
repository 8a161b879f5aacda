import type { ClinicalService, SqliteClinicalStore } from '@wardstream/alerts';
import type { ComponentStatus } from '@wardstream/api';
import type { Clock } from '@wardstream/domain';
import type { Logger } from './logger.js';

/** How long a recovery waits for the failed service to stop before replacing it anyway. */
const STOP_WAIT_MS = 5_000;

export interface ClinicalSupervisorDeps {
  readonly openStore: () => SqliteClinicalStore;
  readonly startService: (store: SqliteClinicalStore, onFatal: (err: Error) => void) => ClinicalService;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/**
 * Keeps the clinical service running through failures it can outlive — a full disk, an I/O error of
 * its store: the failed service is dropped, its store closed and reopened, and a new service resumes
 * from the last checkpoint (deterministic alarm ids make the replay safe), retrying with back-off.
 * Meanwhile health reports the clinical component down with the reason; nothing fails silently.
 */
export class ClinicalSupervisor {
  private store: SqliteClinicalStore;
  private service: ClinicalService;
  private failure: { readonly error: Error; readonly since: number; attempts: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private recovering: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly deps: ClinicalSupervisorDeps) {
    this.store = deps.openStore();
    try {
      this.service = deps.startService(this.store, (err) => this.failed(err));
    } catch (err) {
      this.store.close();
      throw err;
    }
  }

  /** The running service and its store (after a recovery, new instances). */
  get current(): { readonly service: ClinicalService; readonly store: SqliteClinicalStore } {
    return { service: this.service, store: this.store };
  }

  status(): ComponentStatus {
    if (this.failure === undefined) return { status: 'ok' };
    const { error, since, attempts } = this.failure;
    return {
      status: 'down',
      detail: `${error.message} (since ${new Date(since).toISOString()}; ${attempts} restart attempt(s); retrying)`,
    };
  }

  /**
   * Stops the service and closes its store; a second call does nothing. `beforeClose` runs once the
   * service has stopped writing and the store is still open (the last audit checkpoint is signed there).
   */
  async stop(drain: boolean, beforeClose?: () => void): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.recovering;
    if (drain && this.failure === undefined) await this.service.drain().catch(() => undefined);
    await this.service.stop();
    beforeClose?.();
    this.store.close();
  }

  private failed(error: Error): void {
    if (this.stopping) return;
    this.failure ??= { error, since: this.deps.clock.now(), attempts: 0 };
    this.deps.logger.error('clinical', 'the clinical service stopped on an error; restarting it from its checkpoint', {
      error: error.message,
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.stopping || this.timer !== undefined || this.failure === undefined) return;
    const min = this.deps.retryMinMs ?? 1_000;
    const delay = Math.min(this.deps.retryMaxMs ?? 5_000, min * 2 ** Math.min(this.failure.attempts, 10));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recovering = this.recover().finally(() => {
        this.recovering = undefined;
      });
    }, delay);
    this.timer.unref();
  }

  private async recover(): Promise<void> {
    const failure = this.failure;
    if (this.stopping || failure === undefined) return;
    failure.attempts++;
    // The failed service has stopped its loop; do not let a stuck stop hold the recovery up.
    await Promise.race([
      this.service.stop().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref()),
    ]);
    try {
      this.store.close();
    } catch {
      // a store that failed may not close cleanly; it is replaced either way
    }
    let store: SqliteClinicalStore | undefined;
    try {
      store = this.deps.openStore();
      this.service = this.deps.startService(store, (err) => this.failed(err));
      this.store = store;
      this.deps.logger.info('clinical', 'the clinical service recovered', { attempts: failure.attempts });
      this.failure = undefined;
    } catch (err) {
      try {
        store?.close();
      } catch {
        // as above
      }
      this.deps.logger.warn('clinical', 'the clinical service could not restart yet', {
        error: (err as Error).message,
        attempts: failure.attempts,
      });
      this.schedule();
    }
  }
}
