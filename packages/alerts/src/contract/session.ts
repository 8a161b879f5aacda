import type { ClinicalStore } from '../clinical-store.js';

/** Opens a store over fresh, empty storage; called once per test. */
export type OpenClinicalStore = () => ClinicalStore | Promise<ClinicalStore>;

/** Opens again the storage of `closed`, which the suite has closed. */
export type ReopenClinicalStore = (closed: ClinicalStore) => ClinicalStore | Promise<ClinicalStore>;

/** The store of the running test, with a way to close and reopen it. */
export interface Session {
  /** The store open now. */
  readonly store: ClinicalStore;
  /** Whether the suite was given a reopen function. */
  readonly canReopen: boolean;
  /** Closes the store and opens its storage again; throws when `canReopen` is false. */
  reopen(): Promise<ClinicalStore>;
  /** Runs `check` on the store, then (when `canReopen`) on the same storage reopened. */
  checkNowAndAfterReopen(check: (store: ClinicalStore) => void): Promise<void>;
}

/** Declares one contract case; every case runs on fresh storage. */
export type CaseRunner = (
  title: string,
  body: (session: Session) => void | Promise<void>,
  options?: { readonly needsReopen?: boolean },
) => void;

/** Runs `body` on a store over fresh storage, then closes the store. */
export async function withStore(
  open: OpenClinicalStore,
  reopenStorage: ReopenClinicalStore | undefined,
  body: (session: Session) => void | Promise<void>,
): Promise<void> {
  // `open` is false between a reopen's close and the reopened store, should reopening fail.
  const current = { store: await open(), open: true };
  const reopen = async (): Promise<ClinicalStore> => {
    if (reopenStorage === undefined) throw new Error('the suite was given no reopen function');
    current.store.close();
    current.open = false;
    current.store = await reopenStorage(current.store);
    current.open = true;
    return current.store;
  };
  const session: Session = {
    get store() {
      return current.store;
    },
    canReopen: reopenStorage !== undefined,
    reopen,
    checkNowAndAfterReopen: async (check) => {
      check(current.store);
      if (reopenStorage !== undefined) check(await reopen());
    },
  };
  try {
    await body(session);
  } finally {
    if (current.open) current.store.close();
  }
}
