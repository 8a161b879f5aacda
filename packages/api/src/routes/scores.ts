import type { ScoreName } from '@wardstream/clinical';
import type { Context, Hono } from 'hono';
import { scoreJson } from '../clinical-json.js';
import type { ApiDeps, ClinicalApiDeps } from '../deps.js';
import { instantParam, intParam, ParamErrors, rangeCheck } from '../params.js';
import { knownPatient } from './subjects.js';

const DAY_MS = 86_400_000;
/** Every score the engine computes; a compile error here when ScoreName grows. */
const SCORE_NAMES = Object.keys({ news2: true, qsofa: true, mews: true } satisfies Record<ScoreName, true>);

/**
 * A `[from, to)` window of a request: epoch ms or ISO-8601; by default the `defaultMs` up to a
 * minute from now (event times may run a little ahead of the server's clock).
 */
export function windowParams(c: Context, errors: ParamErrors, now: number, defaultMs: number) {
  const toAt = instantParam(errors, 'to', c.req.query('to'), now + 60_000);
  const fromAt = instantParam(errors, 'from', c.req.query('from'), toAt - defaultMs);
  rangeCheck(errors, fromAt, toAt);
  return { fromAt, toAt };
}

/** A patient's stream scores (NEWS2, qSOFA, MEWS): the latest of each, and one score's history. */
export function mountScoreRoutes(app: Hono, deps: ApiDeps, clinical: ClinicalApiDeps): void {
  app.get('/api/v1/patients/:patientId/scores', async (c) => {
    const id = await knownPatient(c, deps);
    return c.json({ scores: clinical.store.latestScores(id).map(scoreJson) });
  });

  app.get('/api/v1/patients/:patientId/scores/:score', async (c) => {
    const errors = new ParamErrors();
    const score = c.req.param('score');
    if (!SCORE_NAMES.includes(score)) errors.add('score', `"${score.slice(0, 40)}": use ${SCORE_NAMES.join(', ')}`);
    const { fromAt, toAt } = windowParams(c, errors, deps.clock.now(), DAY_MS);
    const limit = intParam(errors, 'limit', c.req.query('limit'), 1_000, 1, 10_000);
    errors.throwIfAny();
    const id = await knownPatient(c, deps);
    const history = clinical.store.scoreHistory(id, score as ScoreName, fromAt, toAt, limit);
    return c.json({
      score,
      from: new Date(fromAt).toISOString(),
      to: new Date(toAt).toISOString(),
      scores: history.map(scoreJson),
    });
  });
}
