import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiScoreRecord } from './patient.js';
import { NEWS2_READ, readNews2History, type News2Page } from './patient-news2.js';

const NOW = Date.UTC(2026, 10, 25, 14, 0, 0);
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

const score = (atMs: number, value: number): ApiScoreRecord => ({
  patientId: 'p1',
  score: 'news2',
  at: new Date(atMs).toISOString(),
  value,
  complete: true,
  band: value >= 7 ? 'high' : value >= 5 ? 'medium' : 'low',
  missing: [],
  stale: [],
  subscores: {},
  inputs: {},
});

/** A score every `everyMs` over the last `spanMs` before NOW, its band flapping (1, 5, 1, 5, …); the newest is 9. */
function flapping(spanMs: number, everyMs: number): ApiScoreRecord[] {
  const out: ApiScoreRecord[] = [];
  for (let t = NOW - spanMs + everyMs; t < NOW; t += everyMs) out.push(score(t, out.length % 2 === 0 ? 1 : 5));
  out.push(score(NOW, 9));
  return out;
}

/** `…/scores/news2` over `stored` as the store answers it: `[from, to)`, oldest first, at most `limit`. */
function api(stored: readonly ApiScoreRecord[]): { page: News2Page; asked: [number, number][] } {
  const asked: [number, number][] = [];
  const page: News2Page = (fromMs, toMs, limit) => {
    asked.push([fromMs, toMs]);
    const inWindow = stored.filter((s) => Date.parse(s.at) >= fromMs && Date.parse(s.at) < toMs);
    return Promise.resolve(inWindow.slice(0, limit));
  };
  return { page, asked };
}

const times = (scores: readonly ApiScoreRecord[]) => scores.map((s) => Date.parse(s.at)).sort((a, b) => a - b);

describe('NEWS2 history read', () => {
  it('reads the newest scores of a flapping band even when the whole 6 h is too much to read', async () => {
    // One score every 2 s for 6 h: 10,800, more than the requests allowed can carry.
    const stored = flapping(6 * HOUR_MS, 2_000);
    const { page } = api(stored);
    const read = await readNews2History(page, NOW);
    const newest = read.scores.reduce((a, b) => (Date.parse(b.at) > Date.parse(a.at) ? b : a));
    assert.equal(newest.at, new Date(NOW).toISOString());
    assert.equal(newest.value, 9, 'the header shows the newest NEWS2');
    assert.equal(read.truncated, true);
    assert.ok(read.readFromMs > NOW - 6 * HOUR_MS && read.readFromMs <= NOW - 15 * MINUTE_MS);
    // What was read is every score from `readFromMs` on: no hole between now and there.
    assert.deepEqual(times(read.scores), times(stored.filter((s) => Date.parse(s.at) >= read.readFromMs)));
  });

  it('reads a quiet 6 h whole, newest quarter hour first, and says so', async () => {
    const stored = flapping(6 * HOUR_MS, MINUTE_MS);
    const { page, asked } = api(stored);
    const read = await readNews2History(page, NOW);
    assert.equal(read.truncated, false);
    assert.equal(read.readFromMs, NOW - 6 * HOUR_MS);
    assert.deepEqual(times(read.scores), times(stored));
    assert.deepEqual(asked, [
      [NOW - 15 * MINUTE_MS, NOW + NEWS2_READ.aheadMs],
      [NOW - HOUR_MS, NOW - 15 * MINUTE_MS],
      [NOW - 3 * HOUR_MS, NOW - HOUR_MS],
      [NOW - 6 * HOUR_MS, NOW - 3 * HOUR_MS],
    ]);
  });

  it('splits a window holding more than a page, newer half first, so the newest come first whatever the cap', async () => {
    // The newest quarter hour alone holds 3,000 scores (one each 0.3 s); two requests are allowed.
    const stored = flapping(15 * MINUTE_MS, 300);
    const { page, asked } = api(stored);
    const read = await readNews2History(page, NOW, { ...NEWS2_READ, maxRequests: 3 });
    assert.equal(asked.length, 3);
    assert.ok(
      read.scores.some((s) => s.value === 9),
      'the newest score was read',
    );
    assert.ok(read.scores.length > 0 && read.scores.length < NEWS2_READ.pageSize);
    assert.equal(read.truncated, true);
    assert.deepEqual(times(read.scores), times(stored.filter((s) => Date.parse(s.at) >= read.readFromMs)));
  });

  it('answers an empty history as read whole', async () => {
    const read = await readNews2History(api([]).page, NOW);
    assert.deepEqual(read, { scores: [], readFromMs: NOW - 6 * HOUR_MS, truncated: false });
  });
});
