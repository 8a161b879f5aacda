import type { AddressInfo } from 'node:net';
import { connect, createServer, type ConnectionOptions, type Server, type TLSSocket } from 'node:tls';

/** What a device-facing TLS server saw of one client. */
export interface ServerView {
  readonly commonName: string;
  readonly serialNumber: string;
}

/**
 * A TLS server on 127.0.0.1 that asks for client certificates, as the MQTT listener does, and
 * answers "ok" to each client it accepts. `rejectUnauthorized: false` builds an observer that
 * accepts everyone and records why OpenSSL would have refused (authorizationError).
 */
export class TlsProbeServer {
  readonly accepted: ServerView[] = [];
  readonly authorizationErrors: string[] = [];
  clientErrors = 0;

  private constructor(private readonly server: Server) {}

  static async start(options: {
    certificatePem: string;
    keyPem: string;
    caPem: string;
    rejectUnauthorized?: boolean;
  }): Promise<TlsProbeServer> {
    const server = createServer({
      cert: options.certificatePem,
      key: options.keyPem,
      ca: options.caPem,
      requestCert: true,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      minVersion: 'TLSv1.2',
    });
    const probe = new TlsProbeServer(server);
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.authorized) {
        const peer = socket.getPeerCertificate();
        probe.accepted.push({ commonName: String(peer.subject.CN), serialNumber: peer.serialNumber });
      } else {
        probe.authorizationErrors.push(String(socket.authorizationError));
      }
      socket.end('ok');
    });
    server.on('tlsClientError', () => {
      probe.clientErrors++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return probe;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Connects, reads until the server closes, and reports what came back: "ok" when the server
 * accepted the client, "" when it hung up, or the client-side error code (e.g. the server
 * certificate did not verify).
 */
export async function tryClient(options: ConnectionOptions): Promise<{ received: string; error: string | null }> {
  return new Promise((resolve) => {
    let received = '';
    let error: string | null = null;
    const socket = connect({ host: '127.0.0.1', ...options });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => resolve({ received, error }));
  });
}
