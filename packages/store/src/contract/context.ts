import type { ReadingStore } from '../reading-store.js';

/**
 * Opens stores on one storage for a contract test. `open()` may be called again after a close or a
 * crash to reopen the same storage.
 */
export interface StoreFactory {
  open(): Promise<ReadingStore>;
  /**
   * Abandons `store` without flushing, as `kill -9` would: what was not flushed is lost. Adapters
   * that cannot simulate this leave it out, and the crash cases are skipped.
   */
  crash?(store: ReadingStore): Promise<void>;
  /**
   * True for a store that makes each write durable before `write()` resolves (a server store that
   * commits records and checkpoint in one transaction per write): nothing is ever pending, and the
   * durable checkpoint is always the last written. The cases expect exactly that of it instead of
   * a flush-driven store's pending state.
   */
  readonly durableOnWrite?: boolean;
  /** Releases the storage (and any store still open on it). */
  cleanup(): Promise<void>;
}

/** What each group of contract cases gets: the current test's factory. */
export interface ContractContext {
  /** The factory of the running test (fresh storage per test). */
  factory(): StoreFactory;
  /** Shorthand for `factory().open()`. */
  open(): Promise<ReadingStore>;
}
