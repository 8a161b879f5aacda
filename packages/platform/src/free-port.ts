import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on 127.0.0.1, for tests and tools that must name a port
 * before a server binds it (the embedded issuer's URL carries it). Another process may take it in
 * between: callers use it at once.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no TCP port was assigned'));
        else resolve(address.port);
      });
    });
  });
}
