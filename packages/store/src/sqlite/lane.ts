/**
 * Runs tasks one at a time, in call order: the flush transaction (which spans several event-loop
 * turns) and compaction slices share the one writer connection and must never interleave.
 */
export class Lane {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it; settles as `task` does. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
