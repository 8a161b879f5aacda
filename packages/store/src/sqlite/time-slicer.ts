import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Cuts long synchronous work into steps of about `budgetMs`, yielding to the event loop between
 * them, and records the longest step (what the rest of the process had to wait for at most).
 */
export class TimeSlicer {
  private stepStartedAt = performance.now();
  private longest = 0;
  private count = 1;

  constructor(private readonly budgetMs: number) {}

  /** Longest step so far, ms (including the one in progress). */
  get longestStepMs(): number {
    return Math.max(this.longest, performance.now() - this.stepStartedAt);
  }

  get steps(): number {
    return this.count;
  }

  /** True when the current step has used its budget. */
  get due(): boolean {
    return performance.now() - this.stepStartedAt >= this.budgetMs;
  }

  /** Ends the current step and yields to the event loop when its budget is used. */
  async maybeYield(): Promise<void> {
    if (this.due) await this.yield();
  }

  /** Ends the current step and yields to the event loop. */
  async yield(): Promise<void> {
    this.endStep();
    await nextTurn();
    this.stepStartedAt = performance.now();
    this.count++;
  }

  /** Ends the current step (call once the work is done). */
  endStep(): void {
    this.longest = Math.max(this.longest, performance.now() - this.stepStartedAt);
  }
}
