import { request } from 'node:https';

/**
 * POSTs `body` as JSON to `https://127.0.0.1:port/path`, presenting `cert`/`key` as the client
 * certificate and trusting `ca`, as a device does against the enrollment endpoint.
 */
export function postJsonMutualTls(
  port: number,
  path: string,
  body: unknown,
  tls: { readonly ca: string; readonly cert: string; readonly key: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json' },
        ...tls,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
