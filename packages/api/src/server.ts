import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

export interface HttpServer {
  readonly port: number;
  /** Stops accepting, ends open connections (live streams included), resolves when closed. */
  close(): Promise<void>;
}

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  /** HTTPS (TLS 1.2 or later) with this key and certificate chain (PEM); plain HTTP without. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** Serves `app` on host:port (0 = ephemeral); resolves once listening, rejects on EADDRINUSE etc. */
export function startHttpServer(app: Hono, options: HttpServerOptions): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    const onError = (err: Error) => {
      reject(err);
    };
    const { tls } = options;
    const transport =
      tls === undefined
        ? {}
        : {
            createServer: createHttpsServer,
            serverOptions: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' as const },
          };
    server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port, ...transport },
      (info: AddressInfo) => {
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
      },
    );
    server.on('error', onError);
  });
}
