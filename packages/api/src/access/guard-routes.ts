import type { Hono, MiddlewareHandler } from 'hono';
import { policyOf, type RoutePolicy } from './route-policies.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Registration paths that would bypass the policy lookup (a handler on every method, a sub-app, …). */
const BYPASSES = ['all', 'on', 'use', 'route', 'mount', 'basePath'] as const;

type Register = (path: unknown, ...handlers: unknown[]) => Hono;

/**
 * From here on, every route registered on `app` (by this package or by a RouteMounter) runs
 * `guard(route, policy)` before its handlers, and registering a route without a declared policy
 * throws, so `createApi` fails and with it every test: deny by default, enforced where routes are
 * made. The registration methods that could bypass the lookup throw too.
 */
export function guardRoutes(app: Hono, guard: (route: string, policy: RoutePolicy) => MiddlewareHandler): void {
  const methods = app as unknown as Record<string, Register>;
  for (const method of METHODS) {
    const register = methods[method];
    if (register === undefined) throw new Error(`Hono has no app.${method}`);
    methods[method] = (path, ...handlers) => {
      if (typeof path !== 'string') throw new Error(`app.${method}: give the path (it selects the access policy)`);
      const route = `${method.toUpperCase()} ${path}`;
      const policy = policyOf(method, path);
      if (policy === undefined) {
        throw new Error(`${route} has no access policy: declare one in access/route-policies.ts (deny by default)`);
      }
      return register(path, guard(route, policy), ...handlers);
    };
  }
  for (const name of BYPASSES) {
    methods[name] = () => {
      throw new Error(
        `app.${name} is refused: mount each route with app.get/post/put/patch/delete so it gets its policy`,
      );
    };
  }
}

/** Every route of `app` as mounted (`GET /api/v1/patients/:patientId`), each once. */
export function mountedRoutes(app: Hono): string[] {
  return [...new Set(app.routes.map((r) => `${r.method} ${r.path}`))];
}

/** Throws unless every mounted route has a declared policy (a second check, after all mounting). */
export function assertEveryRouteHasPolicy(app: Hono): void {
  const missing = app.routes
    .filter((r) => policyOf(r.method, r.path) === undefined)
    .map((r) => `${r.method} ${r.path}`);
  if (missing.length > 0) throw new Error(`routes without an access policy: ${[...new Set(missing)].join(', ')}`);
}
