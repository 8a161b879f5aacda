import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from '@wardstream/api';

/** The /health and /metrics endpoints of a role without the HTTP API (gateway, processor). */
export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /health` (200 when no component is down, else 503; JSON of every component) and
 * `GET /metrics` (Prometheus text). Anything else is 404. Bind it to a management network only:
 * it names components and counters, never patient data.
 */
export async function startHealthServer(
  host: string,
  port: number,
  health: () => HealthReport,
  metrics: () => Promise<{ readonly contentType: string; readonly body: string }>,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/health' && path !== '/metrics')) {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'GET /health or /metrics' }),
      );
      return;
    }
    if (path === '/health') {
      let report: HealthReport;
      try {
        report = health();
      } catch (err) {
        report = { components: { health: { status: 'down', detail: `the health check failed: ${String(err)}` } } };
      }
      const down = Object.values(report.components).some((c) => c.status === 'down');
      res.writeHead(down ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: down ? 'down' : 'ok', ...report }));
      return;
    }
    metrics().then(
      (m) => {
        res.writeHead(200, { 'content-type': m.contentType });
        res.end(m.body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
