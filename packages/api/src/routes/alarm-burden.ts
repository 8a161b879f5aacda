import type { Hono } from 'hono';
import { burdenJson } from '../clinical-json.js';
import type { ApiDeps, ClinicalApiDeps } from '../deps.js';
import { ParamErrors } from '../params.js';
import { windowParams } from './scores.js';

const DAY_MS = 86_400_000;

/** /api/v1/alarm-burden: alarms raised per type, per patient-hour and bed-day, and time to acknowledge. */
export function mountAlarmBurdenRoutes(app: Hono, deps: ApiDeps, clinical: ClinicalApiDeps): void {
  app.get('/api/v1/alarm-burden', async (c) => {
    const errors = new ParamErrors();
    const { fromAt, toAt } = windowParams(c, errors, deps.clock.now(), DAY_MS);
    errors.throwIfAny();
    return c.json(burdenJson(await clinical.commands.burden(fromAt, toAt)));
  });
}
