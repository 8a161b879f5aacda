import type { Clock } from '@wardstream/domain';

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/**
 * What a role opened, to close in the reverse order: listeners before the stores and connections
 * they use. A closer that throws (or rejects) does not keep the others from running.
 */
export class Closers {
  private readonly steps: (() => Promise<void> | void)[] = [];

  push(close: () => Promise<void> | void): void {
    this.steps.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.steps.splice(0).reverse()) {
      await Promise.resolve()
        .then(close)
        .catch(() => undefined);
    }
  }
}
