import { CATALOGUE } from '@wardstream/domain';
import type { Context, Hono } from 'hono';
import type { ApiDeps } from '../deps.js';
import { problem } from '../problem.js';

/** /healthz (alive), /readyz (every component ok), /metrics (Prometheus), and their /api/v1 twins. */
export function mountHealthRoutes(app: Hono, deps: ApiDeps): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  const ready = (c: Context) => {
    const { components } = deps.health();
    const down = Object.entries(components).flatMap(([name, s]) =>
      s.status === 'down' ? [`${name}: ${s.detail}`] : [],
    );
    if (down.length === 0) return c.json({ status: 'ok', components });
    const detail = down.join('; ');
    return c.json({ ...problem('unavailable', 503, detail), components }, 503, {
      'content-type': 'application/problem+json',
    });
  };
  app.get('/readyz', ready);

  app.get('/api/v1/health', (c) => {
    const { components } = deps.health();
    const ok = Object.values(components).every((s) => s.status === 'ok');
    return c.json({ status: ok ? 'ok' : 'degraded', components });
  });

  const metrics = async (c: Context) => {
    const { contentType, body } = await deps.metrics();
    return c.body(body, 200, { 'content-type': contentType });
  };
  app.get('/metrics', metrics);
  app.get('/api/v1/metrics', metrics);

  app.get('/api/v1/codes', (c) =>
    c.json({
      codes: CATALOGUE.map((e) => ({
        code: e.code,
        mdc: e.mdc,
        loinc: e.loinc,
        display: e.display,
        unit: e.unit,
        kind: e.kind,
        aliases: e.aliases,
        acceptedUnits: deps.catalogue.acceptedUnits(e),
      })),
    }),
  );
}
