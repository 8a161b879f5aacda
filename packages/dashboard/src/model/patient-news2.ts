/**
 * How the patient view reads its NEWS2 history, apart from the page so Node tests can run it.
 * `GET …/scores/news2?from=&to=&limit=` answers a window's oldest scores first, at most `limit` of
 * them, so a window holding more than a page cannot be read newest first in one request. A score
 * whose band flaps is stored every few seconds: paging forward from the start of the history ran out
 * of pages before it reached the newest scores, and the header showed an old NEWS2 (issue 6, review
 * defect 6). Here the newest window is read first and older windows after it, each split in two
 * (newer half first) while it holds more than a page, so what is read always runs unbroken from now
 * back to some instant, and the newest scores are read first whatever the cap.
 */
import type { ApiScoreRecord } from './patient.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface News2ReadOptions {
  /** How far back the history goes. */
  readonly spanMs: number;
  /** Window starts before now, newest first, the last one `spanMs`: the newest window is read first. */
  readonly windowStartsMs: readonly number[];
  /** The API's `limit` per request. */
  readonly pageSize: number;
  /** Requests at most; what is older than the windows read by then is left unread (and said so). */
  readonly maxRequests: number;
  /**
   * The newest window ends this far after now: the API's own default `to` (event times may run a
   * little ahead of the browser's clock).
   */
  readonly aheadMs: number;
}

/** The last 6 h (some 360 scores while unchanged: one a minute), newest quarter hour first. */
export const NEWS2_READ: News2ReadOptions = {
  spanMs: 6 * HOUR_MS,
  windowStartsMs: [15 * MINUTE_MS, HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS],
  pageSize: 1_000,
  maxRequests: 12,
  aheadMs: MINUTE_MS,
};

/** One request: the scores with `at` in `[fromMs, toMs)`, oldest first, at most `limit`. */
export type News2Page = (fromMs: number, toMs: number, limit: number) => Promise<readonly ApiScoreRecord[]>;

export interface News2Read {
  /** Every score with `at` in `[readFromMs, now + aheadMs)`, newest window first. */
  readonly scores: ApiScoreRecord[];
  /** From when every score was read: `now − spanMs` when the whole history was. */
  readonly readFromMs: number;
  /** Whether older scores of the span were left unread (the cap was reached first). */
  readonly truncated: boolean;
}

/**
 * Reads the NEWS2 history of the last `spanMs` before `nowMs` through `page`, newest first (see the
 * module comment). A failed request rejects the whole read.
 */
export async function readNews2History(
  page: News2Page,
  nowMs: number,
  options: News2ReadOptions = NEWS2_READ,
): Promise<News2Read> {
  const pending: [number, number][] = [];
  let toMs = nowMs + options.aheadMs;
  for (const startMs of options.windowStartsMs) {
    const fromMs = nowMs - Math.min(startMs, options.spanMs);
    if (fromMs < toMs) pending.push([fromMs, toMs]);
    toMs = Math.min(toMs, fromMs);
  }
  const scores: ApiScoreRecord[] = [];
  let readFromMs = nowMs + options.aheadMs;
  let requests = 0;
  for (let window = pending.shift(); window !== undefined; window = pending.shift()) {
    if (requests >= options.maxRequests) break;
    const [fromMs, toMs] = window;
    const got = await page(fromMs, toMs, options.pageSize);
    requests++;
    // A full page may have left newer scores of the window unread: read its newer half, then its older.
    if (got.length >= options.pageSize && toMs - fromMs > 1) {
      const midMs = fromMs + Math.floor((toMs - fromMs) / 2);
      pending.unshift([midMs, toMs], [fromMs, midMs]);
      continue;
    }
    scores.push(...got);
    readFromMs = fromMs;
  }
  return { scores, readFromMs, truncated: readFromMs > nowMs - options.spanMs };
}
