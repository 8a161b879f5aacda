/** Polls `predicate` until it holds; fails (naming `what`) after `maxWaitMs`. Never asserts a duration. */
export async function waitFor(what: string, predicate: () => boolean, maxWaitMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
