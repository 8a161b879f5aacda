/**
 * Waits for whichever comes first: `register`'s callback being called, `timeoutMs` passing, or `signal`
 * aborting. Cleans up its timer and listener either way, and says which it was.
 */
export function waitUntil(
  register: (done: () => void) => void,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<'done' | 'timeout' | 'aborted'> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve('aborted');
      return;
    }
    let settled = false;
    const finish = (outcome: 'done' | 'timeout' | 'aborted'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => {
      finish('aborted');
    };
    const timer = setTimeout(() => {
      finish('timeout');
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    register(() => {
      finish('done');
    });
  });
}

/** Sleeps `ms`, or less if `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await waitUntil(() => undefined, ms, signal);
}
