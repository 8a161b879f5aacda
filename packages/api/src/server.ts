import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

export interface HttpServer {
  readonly port: number;
  /** Stops accepting, ends open connections (live streams included), resolves when closed. */
  close(): Promise<void>;
}

/** Serves `app` on host:port (0 = ephemeral); resolves once listening, rejects on EADDRINUSE etc. */
export function startHttpServer(app: Hono, options: { host: string; port: number }): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    const onError = (err: Error) => {
      reject(err);
    };
    server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info: AddressInfo) => {
      server?.off('error', onError);
      const s = server;
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            if (s === undefined) {
              done();
              return;
            }
            s.close(() => done());
            if ('closeAllConnections' in s) s.closeAllConnections();
          }),
      });
    });
    server.on('error', onError);
  });
}
