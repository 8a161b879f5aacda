import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it: the raw body (as signed) and the headers that matter. */
export interface ReceivedHook {
  readonly path: string;
  readonly status: number;
  readonly eventId: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: string;
}

/**
 * A webhook receiver on 127.0.0.1 for integration tests: answers 503 (with `Retry-After`) while
 * `failing` is true, 200 otherwise, and records every request in arrival order.
 */
export class WebhookReceiver {
  readonly requests: ReceivedHook[] = [];
  failing = false;
  private readonly server: Server = createServer((req, res) => {
    this.handle(req, res);
  });

  private constructor(private readonly retryAfterSeconds: number) {}

  static async start(retryAfterSeconds: number): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(retryAfterSeconds);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Event ids answered 2xx, in the order answered (a repeat appears twice). */
  delivered(): string[] {
    return this.requests.filter((r) => r.status < 300).map((r) => r.eventId ?? '?');
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const header = (name: string): string | undefined => {
        const value = req.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const status = this.failing ? 503 : 200;
      this.requests.push({
        path: req.url ?? '/',
        status,
        eventId: header('x-wardstream-event-id'),
        idempotencyKey: header('idempotency-key'),
        signature: header('x-wardstream-signature'),
        rawBody: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status, status === 503 ? { 'retry-after': String(this.retryAfterSeconds) } : {});
      res.end();
    });
  }
}
