// A real HTTP webhook receiver on 127.0.0.1 for the dispatcher tests: answers from a script.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from './webhook-signature.js';

/** How to answer one request: a status (with Retry-After), a reset connection, or no answer at all. */
export type Reply = { readonly status: number; readonly retryAfter?: string } | 'reset' | 'hang';

export interface ReceivedRequest {
  readonly path: string;
  readonly eventId: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly signatureValid: boolean;
  readonly body: unknown;
  readonly reply: Reply;
}

const OK: Reply = { status: 200 };

export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, Reply[]>();
  /** The answer once a path's script is used up. */
  fallback: Reply = OK;

  private readonly server: Server = createServer((req, res) => {
    this.handle(req, res);
  });

  private constructor(private readonly secret: string) {}

  /** Listens on 127.0.0.1, on a port the system picks. */
  static async start(secret: string): Promise<TestReceiver> {
    const receiver = new TestReceiver(secret);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** The next requests on `path` are answered with `replies`, in order. */
  script(path: string, replies: readonly Reply[]): void {
    this.scripts.set(path, [...replies]);
  }

  /** Event ids answered with a 2xx on `path`, in the order answered. */
  delivered(path: string): string[] {
    return this.requests
      .filter((r) => r.path === path && typeof r.reply === 'object' && r.reply.status < 300)
      .map((r) => r.eventId ?? '?');
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
      const path = req.url ?? '/';
      const text = Buffer.concat(chunks).toString('utf8');
      const reply = this.scripts.get(path)?.shift() ?? this.fallback;
      const header = (name: string): string | undefined => {
        const value = req.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      this.requests.push({
        path,
        eventId: header('x-wardstream-event-id'),
        idempotencyKey: header('idempotency-key'),
        signatureValid: verifyWebhookSignature(
          this.secret,
          header('x-wardstream-signature') ?? '',
          text,
          Date.now() / 1000,
        ),
        body: JSON.parse(text) as unknown,
        reply,
      });
      if (reply === 'reset') req.socket.destroy();
      else if (reply !== 'hang') {
        res.writeHead(reply.status, reply.retryAfter === undefined ? {} : { 'retry-after': reply.retryAfter });
        res.end(reply.status < 300 ? '{"ok":true}' : '{"error":"scripted"}');
      }
    });
  }
}
