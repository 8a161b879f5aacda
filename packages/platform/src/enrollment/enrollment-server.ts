import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { TLSSocket } from 'node:tls';
import type { DeviceId } from '@wardstream/domain';
import { errorsTopic, telemetryTopic } from '@wardstream/gateway';
import { identifyBootstrap, readBootstrapPeer, type VerifiedBootstrap } from './bootstrap-identity.js';
import { refusalStatus, type EnrollmentRefusal } from './enrollment-refusal.js';
import {
  checkEnrollmentServer,
  DEFAULT_ENROLLMENT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type EnrollmentServerDeps,
  type EnrollmentServerOptions,
} from './enrollment-server-options.js';
import { EnrollmentService } from './enrollment-service.js';
import { readBody, requestHostName, sendJson } from './http-io.js';

export const ENROLL_PATH = '/enroll/v1';
export const STATUS_PATH = '/enroll/v1/status';

/**
 * The zero-touch enrollment endpoint (HTTPS). A device presents its bootstrap (manufacturer)
 * certificate and `POST /enroll/v1` `{"csr": "<PEM PKCS#10>"}`: it receives its operational
 * certificate and configuration bundle, and is recorded pending (or approved by policy); `GET
 * /enroll/v1/status` tells it where it stands. The TLS layer asks for a client certificate but lets
 * the handshake complete without a good one, so the device is told why in an RFC 9457 problem
 * document. Every refusal is counted and reported as a security event. See docs/ENROLLMENT.md.
 */
export class EnrollmentServer {
  private readonly server: Server;
  private readonly service: EnrollmentService;
  private readonly maxBodyBytes: number;

  private constructor(
    private readonly options: EnrollmentServerOptions,
    private readonly deps: EnrollmentServerDeps,
  ) {
    this.service = new EnrollmentService(deps);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.server = createServer(
      {
        key: options.tls.key,
        cert: options.tls.cert,
        ca: deps.policy.manufacturers.flatMap((m) => m.caCertificates.map((c) => c.toString())),
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      (req, res) => {
        void this.handle(req, res);
      },
    );
    this.server.requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.server.headersTimeout = Math.min(this.server.requestTimeout, 60_000);
    this.server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      this.refused('tls-handshake', socket.remoteAddress ?? null, err.message, null, null);
    });
  }

  /** Checks the options and policy (throws `EnrollmentServerOptionsError` listing every problem), then listens. */
  static async listen(options: EnrollmentServerOptions, deps: EnrollmentServerDeps): Promise<EnrollmentServer> {
    checkEnrollmentServer(options, deps);
    const server = new EnrollmentServer(options, deps);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port, options.host ?? DEFAULT_ENROLLMENT_HOST, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  /** The bound port (the ephemeral one when listening on port 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const remote = req.socket.remoteAddress ?? null;
    try {
      const method = path === ENROLL_PATH ? 'POST' : path === STATUS_PATH ? 'GET' : null;
      if (method === null) {
        this.answerRefusal(res, path, 'not-found', remote, `no route for ${req.method ?? '?'} ${path.slice(0, 100)}`);
        return;
      }
      if (req.method !== method) {
        this.answerRefusal(res, path, 'method-not-allowed', remote, `${path} accepts ${method} only`, null, null, {
          allow: method,
        });
        return;
      }
      if (!(req.socket instanceof TLSSocket)) throw new Error('enrollment request on a socket without TLS');
      const identity = identifyBootstrap(readBootstrapPeer(req.socket), this.deps.policy.manufacturers);
      if (!identity.ok) {
        this.answerRefusal(res, path, identity.reason, remote, identity.detail, identity.serial);
        return;
      }
      if (method === 'GET') await this.status(res, identity, remote);
      else await this.enroll(req, res, identity, remote);
    } catch (err) {
      this.internalError(err);
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          {
            type: 'urn:wardstream:problem:internal-error',
            title: 'Internal error',
            status: 500,
            detail: 'an internal error occurred; it has been logged',
            instance: path,
          },
          { problem: true, close: true },
        );
      } else res.destroy();
    }
  }

  private async enroll(
    req: IncomingMessage,
    res: ServerResponse,
    identity: VerifiedBootstrap,
    remote: string | null,
  ): Promise<void> {
    const refuse = (reason: Exclude<EnrollmentRefusal, 'tls-handshake'>, detail: string) => {
      this.answerRefusal(res, ENROLL_PATH, reason, remote, detail, identity.serial, identity.deviceId);
    };
    const body = await readBody(req, this.maxBodyBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') {
      refuse('body-too-large', `the body may be at most ${this.maxBodyBytes} bytes`);
      return;
    }
    const csr = csrField(body.text);
    if (typeof csr !== 'string') {
      refuse(csr.reason, csr.problem);
      return;
    }
    const result = await this.service.enroll(identity, csr);
    if (!result.ok) {
      refuse(result.reason, result.detail);
      return;
    }
    const { device, certificate } = result;
    const state = device.enrollment ?? 'approved';
    this.hook(() => this.deps.metrics?.enrolled(state));
    const { bundle } = this.deps.policy;
    const host = bundle.mqttHost ?? requestHostName(req) ?? this.options.host ?? DEFAULT_ENROLLMENT_HOST;
    sendJson(res, 201, {
      deviceId: device.id,
      status: state,
      certificate: certificate.certificatePem,
      certificateSerial: certificate.serial,
      notAfter: new Date(certificate.notAfter).toISOString(),
      caCertificate: this.deps.signer.caCertificatePem,
      mqtt: {
        host,
        port: this.options.mqtt.port,
        telemetryTopic: telemetryTopic(device.id),
        errorsTopic: errorsTopic(device.id),
        qos: 1,
        protocolVersions: this.options.mqtt.protocolVersions ?? [4, 5],
        keepAliveSec: bundle.keepAliveSec,
      },
      reporting: bundle.reportingIntervals,
      statusPath: STATUS_PATH,
    });
  }

  private async status(res: ServerResponse, identity: VerifiedBootstrap, remote: string | null): Promise<void> {
    const result = await this.service.status(identity);
    if (!result.ok) {
      this.answerRefusal(res, STATUS_PATH, result.reason, remote, result.detail, identity.serial, identity.deviceId);
      return;
    }
    const { device } = result;
    sendJson(res, 200, {
      deviceId: device.id,
      status: device.enrollment,
      manufacturer: device.manufacturer,
      enrolledAt: device.enrolledAt === null ? null : new Date(device.enrolledAt).toISOString(),
      decidedAt: device.enrollmentDecision === null ? null : new Date(device.enrollmentDecision.at).toISOString(),
    });
  }

  private answerRefusal(
    res: ServerResponse,
    path: string,
    reason: Exclude<EnrollmentRefusal, 'tls-handshake'>,
    remote: string | null,
    detail: string,
    serial: string | null = null,
    deviceId: DeviceId | null = null,
    headers: Record<string, string> = {},
  ): void {
    this.refused(reason, remote, detail, serial, deviceId);
    const { status, title } = refusalStatus(reason);
    sendJson(
      res,
      status,
      { type: `urn:wardstream:problem:${reason}`, title, status, detail, instance: path },
      { problem: true, close: true, headers },
    );
  }

  private refused(
    reason: EnrollmentRefusal,
    remoteAddress: string | null,
    detail: string,
    bootstrapSerial: string | null,
    deviceId: DeviceId | null,
  ): void {
    this.hook(() => this.deps.metrics?.refused(reason));
    this.hook(() =>
      this.deps.onSecurityEvent?.({
        at: this.deps.clock.now(),
        reason,
        remoteAddress,
        detail,
        bootstrapSerial,
        deviceId,
      }),
    );
  }

  /** Runs an observer; one that throws is reported, never allowed to change the answer. */
  private hook(call: () => void): void {
    try {
      call();
    } catch (err) {
      this.internalError(err);
    }
  }

  private internalError(err: unknown): void {
    try {
      (this.deps.onInternalError ?? ((e: unknown) => process.emitWarning(`enrollment server: ${String(e)}`)))(err);
    } catch {
      // The last resort has failed too; the client still gets its answer.
    }
  }
}

/** The `csr` field of a JSON body, or what is wrong with the body. */
function csrField(body: string): string | { readonly reason: 'invalid-body' | 'bad-csr'; readonly problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { reason: 'invalid-body', problem: 'the body must be JSON: {"csr": "<PEM PKCS#10 request>"}' };
  }
  const csr = (json as { csr?: unknown } | null)?.csr;
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof csr !== 'string') {
    return { reason: 'bad-csr', problem: 'csr: required, a PEM PKCS#10 certificate signing request' };
  }
  return csr;
}
