import { WardstreamError } from '@wardstream/domain';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AuditUnavailableError } from './access/access-audit.js';
import { BreakGlassGrants } from './access/break-glass.js';
import { AccessGuard } from './access/guard.js';
import { assertEveryRouteHasPolicy, guardRoutes } from './access/guard-routes.js';
import type { ApiDeps } from './deps.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { withAccess } from './openapi-security.js';
import { ENROLLMENT_PATHS } from './routes/enrollment-openapi.js';
import { IDENTITY_PATHS } from './routes/identity-openapi.js';
import { problem, problemForCode, RequestProblem, type Problem } from './problem.js';
import { mountAlarmBurdenRoutes } from './routes/alarm-burden.js';
import { mountAlarmRoutes } from './routes/alarms.js';
import { mountAuditRoutes } from './routes/audit.js';
import { mountBindingRoutes } from './routes/bindings.js';
import { mountBreakGlassRoutes } from './routes/break-glass.js';
import { mountChartedRoutes } from './routes/charted.js';
import { mountDeviceRoutes } from './routes/devices.js';
import { mountFleetRoutes } from './routes/fleet.js';
import { mountHealthRoutes } from './routes/health.js';
import { mountLiveRoutes } from './routes/live.js';
import { mountPatientRoutes } from './routes/patients.js';
import { mountRuleRoutes } from './routes/rules.js';
import { mountScoreRoutes } from './routes/scores.js';
import { mountEcgRoutes } from './routes/ecg.js';
import { mountDashboardRoutes } from './routes/dashboard.js';

/** Errors that carry a stable `code` from other packages (log, store) and their problem. */
function problemOf(err: unknown): Problem {
  if (err instanceof RequestProblem) return err.problem;
  if (err instanceof AuditUnavailableError) return problem('audit-unavailable', 503, err.message);
  if (err instanceof WardstreamError) return problemForCode(err.code, err.message);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'LOG_CORRUPT') return problemForCode('CORRUPT', (err as Error).message);
  if (code === 'LOG_UNAVAILABLE' || code === 'LOG_CLOSED') return problemForCode('UNAVAILABLE', (err as Error).message);
  if (err instanceof RangeError) return problem('invalid-parameter', 400, err.message);
  return problem('internal-error', 500, 'an internal error occurred; it has been logged');
}

/**
 * The HTTP API: every route mounted in one place, each feature's routes in its own file, each
 * behind the access guard (access/route-policies.ts declares who may call it; a route without a
 * policy makes this throw). The clinical routes (alarms, scores, charted observations, rules, alarm
 * burden, audit) are mounted only when `deps.clinical` is given; the fleet status (`/api/v1/fleet`)
 * when `deps.fleet` is; identity and enrollment routes when `deps.routes` brings them; the web dashboard at `/app/` when `deps.dashboardDir` is given. `onInternalError` hears of every 500 and 503 (the process logs
 * it; the client gets a problem document).
 */
export function createApi(deps: ApiDeps, onInternalError: (err: unknown) => void = () => undefined): Hono {
  const app = new Hono();
  const guard = new AccessGuard(deps, new BreakGlassGrants(deps.security.breakGlassLimits));
  guardRoutes(app, (route, policy) => guard.middleware(route, policy));

  mountHealthRoutes(app, deps);
  // The identity and enrollment routes are described when this platform serves them.
  const openapi = {
    ...OPENAPI_DOCUMENT,
    paths: {
      ...OPENAPI_DOCUMENT.paths,
      ...(deps.routes?.identity === undefined ? {} : withAccess(IDENTITY_PATHS)),
      ...(deps.routes?.enrollment === undefined ? {} : withAccess(ENROLLMENT_PATHS)),
    },
  };
  app.get('/api/v1/openapi.json', (c) => c.json(openapi));
  mountPatientRoutes(app, deps);
  mountDeviceRoutes(app, deps);
  if (deps.fleet !== undefined) mountFleetRoutes(app, deps, deps.fleet);
  mountBindingRoutes(app, deps);
  mountLiveRoutes(app, deps);
  mountBreakGlassRoutes(app, deps, guard);
  const { clinical } = deps;
  if (clinical !== undefined) {
    mountAlarmRoutes(app, deps, clinical);
    mountScoreRoutes(app, deps, clinical);
    mountEcgRoutes(app, deps, clinical);
    mountChartedRoutes(app, deps, clinical);
    mountRuleRoutes(app, deps, clinical);
    mountAlarmBurdenRoutes(app, deps, clinical);
    mountAuditRoutes(app, clinical);
  }
  deps.routes?.identity?.(app);
  deps.routes?.enrollment?.(app);
  if (deps.dashboardDir !== undefined) mountDashboardRoutes(app, deps.dashboardDir);
  assertEveryRouteHasPolicy(app);

  app.notFound((c) =>
    c.json(problem('not-found', 404, `no route for ${c.req.method} ${c.req.path}`), 404, {
      'content-type': 'application/problem+json',
    }),
  );
  app.onError((err, c) => {
    const doc = problemOf(err);
    if (err instanceof AuditUnavailableError) deps.security.onAuditFailure(err.cause);
    if (doc.status >= 500) onInternalError(err);
    return c.json({ ...doc, instance: c.req.path }, doc.status as ContentfulStatusCode, {
      'content-type': 'application/problem+json',
    });
  });
  return app;
}
