import { WardstreamError } from '@wardstream/domain';
import type { Context, Hono } from 'hono';
import type { StoredWaveform, Subject } from '@wardstream/store';
import type { ApiDeps } from '../deps.js';
import { readingJson, waveformJson } from '../json.js';
import { problem, RequestProblem } from '../problem.js';
import { bucketParam, codeParam, instantParam, intParam, ParamErrors, rangeCheck } from '../params.js';
import { envelopeBucketMs, waveformEnvelopes } from '../waveform-envelope.js';

const HOUR_MS = 3_600_000;
const MAX_PAGE = 10_000;
const MIN_POINTS = 10;
const MAX_POINTS = 20_000;

/**
 * Mounts the reading queries of a subject (patient or device) under `base`:
 * `…/readings` (range, paged), `…/readings/latest`, `…/readings/aggregates`, `…/waveforms` (raw
 * segments, or with `points` a min/max overview). Ranges default to the last hour (waveforms: the
 * last minute); `from` is inclusive and `to` exclusive. `sinceOf`: the earliest instant the caller
 * may see of the subject (see deviceDataSince); ranges are cut to start there.
 */
export function mountReadingRoutes(
  app: Hono,
  base: string,
  deps: ApiDeps,
  subjectOf: (c: Context) => Promise<Subject>,
  sinceOf: (c: Context) => Promise<number> = () => Promise.resolve(-Infinity),
): void {
  /** `fromAt` moved up to what the caller may see (never past `toAt`: an empty range). */
  const visibleFrom = async (c: Context, fromAt: number, toAt: number) =>
    Math.min(Math.max(fromAt, await sinceOf(c)), toAt);

  const window = (c: Context, errors: ParamErrors) => {
    const now = deps.clock.now();
    const toAt = instantParam(errors, 'to', c.req.query('to'), now + 60_000);
    const fromAt = instantParam(errors, 'from', c.req.query('from'), toAt - HOUR_MS);
    rangeCheck(errors, fromAt, toAt);
    return { fromAt, toAt };
  };

  app.get(`${base}/readings`, async (c) => {
    const errors = new ParamErrors();
    const { fromAt, toAt } = window(c, errors);
    const code = codeParam(errors, deps.catalogue, c.req.query('code'), false);
    const limit = intParam(errors, 'limit', c.req.query('limit'), 1_000, 1, MAX_PAGE);
    errors.throwIfAny();
    const subject = await subjectOf(c);
    const cursor = c.req.query('cursor');
    const page = await deps.store
      .range({
        subject,
        fromAt: await visibleFrom(c, fromAt, toAt),
        toAt,
        limit,
        ...(code === undefined ? {} : { code: code.code }),
        ...(cursor === undefined || cursor === '' ? {} : { cursor }),
      })
      .catch((err: unknown) => {
        // The only input the store itself can refuse here is a cursor it did not issue.
        if (err instanceof WardstreamError && err.code === 'INVALID_INPUT') {
          throw new RequestProblem(
            problem('invalid-parameter', 400, `cursor: ${err.message}`, [{ name: 'cursor', reason: err.message }]),
          );
        }
        throw err;
      });
    return c.json({
      from: new Date(fromAt).toISOString(),
      to: new Date(toAt).toISOString(),
      readings: page.readings.map(readingJson),
      ...(page.next === undefined ? {} : { next: page.next }),
    });
  });

  app.get(`${base}/readings/latest`, async (c) => {
    const subject = await subjectOf(c);
    const since = await sinceOf(c);
    const latest = (await deps.store.latest(subject)).filter((r) => r.observedAt >= since);
    return c.json({ readings: latest.map(readingJson) });
  });

  app.get(`${base}/readings/aggregates`, async (c) => {
    const errors = new ParamErrors();
    const { fromAt, toAt } = window(c, errors);
    const code = codeParam(errors, deps.catalogue, c.req.query('code'), true);
    const bucketMs = bucketParam(errors, c.req.query('bucket'));
    if ((toAt - fromAt) / bucketMs > 100_000) errors.add('bucket', 'more than 100,000 buckets; use a larger bucket');
    errors.throwIfAny();
    const subject = await subjectOf(c);
    const buckets = await deps.store.aggregate({
      subject,
      code: code?.code ?? '',
      fromAt: await visibleFrom(c, fromAt, toAt),
      toAt,
      bucketMs,
    });
    return c.json({
      code: code?.code,
      unit: code?.unit,
      bucketMs,
      buckets: buckets.map((b) => ({ ...b, start: new Date(b.startAt).toISOString() })),
    });
  });

  app.get(`${base}/waveforms`, async (c) => {
    const errors = new ParamErrors();
    const now = deps.clock.now();
    const toAt = instantParam(errors, 'to', c.req.query('to'), now + 60_000);
    const fromAt = instantParam(errors, 'from', c.req.query('from'), toAt - 60_000);
    rangeCheck(errors, fromAt, toAt);
    if (toAt - fromAt > HOUR_MS) errors.add('from', 'waveform windows are limited to one hour');
    const code = codeParam(errors, deps.catalogue, c.req.query('code'), false);
    const points = pointsParam(errors, c.req.query('points'));
    errors.throwIfAny();
    const subject = await subjectOf(c);
    const segments = await deps.store.waveforms({
      subject,
      fromAt: await visibleFrom(c, fromAt, toAt),
      toAt,
      ...(code === undefined ? {} : { code: code.code }),
    });
    if (points !== undefined) return c.json(overviewJson(segments, fromAt, toAt, points));
    return c.json({ waveforms: segments.map(waveformJson) });
  });
}

/**
 * `points`: absent for full resolution, else the number of min/max buckets of the overview. At least
 * 10 (fewer draws nothing useful), at most 20,000 (more than any screen is wide, twice over).
 */
function pointsParam(errors: ParamErrors, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (raw === '') {
    errors.add('points', `must be an integer from ${MIN_POINTS} to ${MAX_POINTS}; leave it out for every sample`);
    return undefined;
  }
  return intParam(errors, 'points', raw, MIN_POINTS, MIN_POINTS, MAX_POINTS);
}

/** The overview of `GET …/waveforms?points=N`: one min/max envelope per code (see waveform-envelope.ts). */
function overviewJson(segments: readonly StoredWaveform[], fromAt: number, toAt: number, points: number) {
  return {
    from: new Date(fromAt).toISOString(),
    to: new Date(toAt).toISOString(),
    points,
    bucketMs: envelopeBucketMs(fromAt, toAt, points),
    envelopes: waveformEnvelopes(segments, fromAt, toAt, points).map((e) => ({
      code: e.code,
      unit: e.unit,
      buckets: e.buckets.map((b) => ({
        startAt: b.startAt,
        start: new Date(b.startAt).toISOString(),
        min: b.min,
        max: b.max,
        count: b.count,
      })),
    })),
  };
}
