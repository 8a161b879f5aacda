import { WardstreamError } from '@wardstream/domain';
import type { Context, Hono } from 'hono';
import type { Subject } from '@wardstream/store';
import type { ApiDeps } from '../deps.js';
import { readingJson } from '../json.js';
import { problem, RequestProblem } from '../problem.js';
import { bucketParam, codeParam, instantParam, intParam, ParamErrors, rangeCheck } from '../params.js';

const HOUR_MS = 3_600_000;
const MAX_PAGE = 10_000;

/**
 * Mounts the reading queries of a subject (patient or device) under `base`:
 * `…/readings` (range, paged), `…/readings/latest`, `…/readings/aggregates`, `…/waveforms`.
 * Ranges default to the last hour; `from` is inclusive and `to` exclusive.
 */
export function mountReadingRoutes(
  app: Hono,
  base: string,
  deps: ApiDeps,
  subjectOf: (c: Context) => Promise<Subject>,
): void {
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
        fromAt,
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
    const latest = await deps.store.latest(subject);
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
    const buckets = await deps.store.aggregate({ subject, code: code?.code ?? '', fromAt, toAt, bucketMs });
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
    errors.throwIfAny();
    const subject = await subjectOf(c);
    const segments = await deps.store.waveforms({
      subject,
      fromAt,
      toAt,
      ...(code === undefined ? {} : { code: code.code }),
    });
    return c.json({ waveforms: segments.map((w) => ({ ...w, start: new Date(w.startAt).toISOString() })) });
  });
}
