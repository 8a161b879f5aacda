/**
 * Runs tasks one at a time, in call order. The store sends flushes and compaction slices to the
 * writer thread through it, so that flushes never overlap (each snapshot follows the last commit)
 * and a compaction slice only ever sees flushes the query side already shows.
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
