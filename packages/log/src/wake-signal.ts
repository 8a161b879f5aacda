/** setTimeout fires at once beyond a signed 32-bit delay; longer waits end early (and callers loop). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why a wait ended. */
export type WaitOutcome = 'woken' | 'timeout' | 'aborted' | 'closed';

/**
 * Wakes fetches waiting for entries (every telemetry-log adapter). `version` counts notifications: a fetch notes it before
 * looking at the buffers, then waits only if nothing was notified since, so no wake-up is lost.
 */
export class WakeSignal {
  private count = 0;
  private closed = false;
  private readonly waiters = new Set<(outcome: WaitOutcome) => void>();

  get version(): number {
    return this.count;
  }

  notify(): void {
    this.count++;
    this.wakeAll('woken');
  }

  close(): void {
    this.closed = true;
    this.wakeAll('closed');
  }

  /** Waits until a notification after `since`, `waitMs` pass, `signal` aborts, or close. */
  wait(since: number, waitMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    if (this.closed) return Promise.resolve('closed');
    if (this.count !== since) return Promise.resolve('woken');
    if (signal?.aborted === true) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const finish = (outcome: WaitOutcome): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(finish);
        resolve(outcome);
      };
      const onAbort = (): void => {
        finish('aborted');
      };
      const timer = setTimeout(finish, Math.min(Math.max(waitMs, 0), MAX_TIMER_MS), 'timeout');
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(finish);
    });
  }

  private wakeAll(outcome: WaitOutcome): void {
    for (const wake of [...this.waiters]) wake(outcome);
  }
}
