import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Clock, DeviceId } from '@wardstream/domain';
import type { GatewayMetrics } from '../gateway-metrics.js';
import type { IngestPipeline } from '../ingest-pipeline.js';
import { Connection, type ConnectionContext } from './connection.js';
import {
  readTlsPeer,
  type PeerCertificateInfo,
  type DeviceAuthDecision,
  type DeviceAuthRequest,
  type SecurityEvent,
  type TlsPeer,
} from './device-trust.js';
import { dispatch } from './dispatch.js';
import {
  compileMqttEndpointOptions,
  type CompiledMqttEndpointOptions,
  type MqttEndpointOptions,
  type MqttTlsOptions,
} from './endpoint-options.js';
import { ReasonCode } from './reason-codes.js';
import { checkTrust } from './trust-check.js';

/** What the endpoint needs from the composition root. */
export interface MqttEndpointDeps {
  readonly pipeline: IngestPipeline;
  readonly metrics: GatewayMetrics;
  readonly clock: Clock;
  /** A device's CONNECT was accepted (e.g. for device health: last seen, connection count). */
  readonly onDeviceConnected?: (deviceId: DeviceId) => void;
  /**
   * A device's CONNECT was accepted with this client certificate (certificate mode: after TLS and
   * every trust check passed), e.g. to show when it expires. Works with any PKI. Must not throw (a
   * throw is reported as an internal error; the connection stands).
   */
  readonly onDeviceCertificate?: (deviceId: DeviceId, certificate: PeerCertificateInfo) => void;
  /** The last connection of a device closed. */
  readonly onDeviceDisconnected?: (deviceId: DeviceId) => void;
  /** A bug surfaced (a hook or handler threw); the connection concerned was closed. Default: a process warning. */
  readonly onInternalError?: (error: unknown) => void;
  /**
   * Called at CONNECT after the certificate verified (certificate mode only) and again for every
   * live connection every `reauthorizeIntervalMs`. Synchronous, on the connection path: answer from
   * memory. A throw refuses the device (fail closed: CONNACK 0x88 / 0x03, or a live session cut).
   */
  readonly authorize?: (request: DeviceAuthRequest) => DeviceAuthDecision;
  /**
   * Every refusal on security grounds (TLS handshake, certificate, identity, authorization, foreign
   * topic, subscription refused), for the security log. Must not throw (a throw is reported as an
   * internal error and otherwise ignored).
   */
  readonly onSecurityEvent?: (event: SecurityEvent) => void;
}

/** A snapshot for health checks and shutdown progress. */
export interface MqttEndpointStats {
  /** Open TCP/TLS connections, whether or not CONNECT has been accepted. */
  readonly connections: number;
  /** Devices with an accepted connection. */
  readonly devices: number;
  /** Publishes received and not yet answered, over all connections. */
  readonly inFlight: number;
}

function caList(ca: MqttTlsOptions['ca']): string | Buffer | (string | Buffer)[] {
  return typeof ca === 'string' || Buffer.isBuffer(ca) ? ca : [...ca];
}

/** OpenSSL's reason ("unsupported protocol") and Node's code, without OpenSSL's file and line. */
function describeTlsError(error: Error): string {
  const { code, reason } = error as { code?: unknown; reason?: unknown };
  const text = typeof reason === 'string' ? reason : error.message;
  return typeof code === 'string' ? `${text} (${code})` : text;
}

/**
 * The MQTT 3.1.1/5 device endpoint (DESIGN 3.1): not a broker — devices publish telemetry (QoS 1)
 * and may subscribe to their own errors topic. A PUBACK is sent only once the message is durable
 * in the telemetry log. See packages/gateway/README.md for the reason codes it answers with.
 */
export class MqttEndpoint {
  private readonly connections = new Set<Connection>();
  private readonly byDevice = new Map<DeviceId, Connection>();
  private readonly server: Server;
  private readonly context: ConnectionContext;
  private sweepTimer: NodeJS.Timeout | null = null;
  private reauthorizeTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly options: CompiledMqttEndpointOptions,
    private readonly deps: MqttEndpointDeps,
  ) {
    const { tls } = options;
    this.server =
      tls === null
        ? createNetServer()
        : createTlsServer({
            key: tls.key,
            cert: tls.cert,
            ca: caList(tls.ca),
            requestCert: true,
            // Verification is decided at CONNECT from `authorized`/`authorizationError`, so that a
            // device with no, an expired or a foreign certificate is told why (CONNACK 0x87 / 0x05)
            // instead of seeing a failed handshake; nothing but CONNECT is processed for it.
            rejectUnauthorized: false,
            minVersion: 'TLSv1.2',
          });
    const onInternalError =
      deps.onInternalError ??
      ((error: unknown) => {
        process.emitWarning(`MQTT endpoint internal error: ${String(error)}`);
      });
    this.context = {
      options,
      pipeline: deps.pipeline,
      metrics: deps.metrics,
      clock: deps.clock,
      isClosing: () => this.closing !== null,
      deviceConnected: (connection) => {
        this.deviceConnected(connection);
      },
      connectionClosed: (connection, wasConnected) => {
        this.connectionClosed(connection, wasConnected);
      },
      internalError: onInternalError,
      authorize: deps.authorize,
      securityEvent: (event) => {
        if (deps.onSecurityEvent === undefined) return;
        try {
          deps.onSecurityEvent(event);
        } catch (error) {
          onInternalError(error);
        }
      },
    };
    if (tls === null) {
      this.server.on('connection', (socket: Socket) => {
        this.accept(socket, null);
      });
    } else {
      this.server.on('secureConnection', (socket: TLSSocket) => {
        this.accept(socket, readTlsPeer(socket));
      });
      // A handshake that fails (TLS below 1.2, no common cipher, not TLS at all): no MQTT packet is read.
      this.server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
        deps.metrics.refused('tls-handshake');
        this.context.securityEvent({
          at: deps.clock.now(),
          reason: 'tls-handshake',
          deviceId: null,
          remoteAddress: socket.remoteAddress ?? null,
          certificateSerial: null,
          detail: `TLS handshake failed: ${describeTlsError(error)}`,
        });
      });
    }
  }

  /**
   * Validates `options` (throws `MqttEndpointOptionsError` listing every problem), then listens.
   * Rejects when the port cannot be bound.
   */
  static async listen(options: MqttEndpointOptions, deps: MqttEndpointDeps): Promise<MqttEndpoint> {
    const endpoint = new MqttEndpoint(compileMqttEndpointOptions(options), deps);
    await endpoint.start();
    return endpoint;
  }

  /** The bound port (the ephemeral one when listening on port 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : this.options.port;
  }

  stats(): MqttEndpointStats {
    let inFlight = 0;
    for (const c of this.connections) inFlight += c.answers.size;
    return { connections: this.connections.size, devices: this.byDevice.size, inFlight };
  }

  /**
   * Stops accepting connections, lets every publish already received be answered (its append
   * settles and its PUBACK goes out), then sends v5 clients DISCONNECT 0x8B and closes every socket.
   * Connections still unanswered after `closeTimeoutMs` are destroyed (never acknowledged).
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Whether `deviceId` has an accepted connection to this endpoint now. */
  isConnected(deviceId: DeviceId): boolean {
    return this.byDevice.has(deviceId);
  }

  /**
   * Checks every live connection again now (certificate expiry, then `authorize`), and cuts those no
   * longer trusted: v5 DISCONNECT 0x98 Administrative action with the reason, 3.1.1 closed, after
   * their publishes already received are answered. Returns how many were cut. Certificate mode only
   * (0 otherwise); the platform calls it right after it learns of a revocation.
   */
  reauthorizeNow(): number {
    if (this.options.identity !== 'certificate' || this.closing !== null) return 0;
    let cut = 0;
    for (const c of [...this.connections]) {
      if (c.state !== 'connected' || c.deviceId === null) continue;
      const trust = checkTrust(this.context, c.deviceId, c.tlsPeer?.certificate ?? null);
      if (trust.ok) continue;
      // DISCONNECT has no 0x88; 0x89 Server busy tells the device to come back later.
      const code = trust.reason === 'server-unavailable' ? ReasonCode.serverBusy : ReasonCode.administrativeAction;
      c.cut(trust.reason, code, trust.detail);
      cut++;
    }
    return cut;
  }

  private async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (error) => {
      this.context.internalError(error);
    });
    this.sweepTimer = setInterval(() => {
      const now = this.deps.clock.now();
      for (const c of this.connections) c.checkIdle(now);
    }, this.options.sweepIntervalMs);
    this.sweepTimer.unref();
    if (this.options.identity === 'certificate') {
      this.reauthorizeTimer = setInterval(() => {
        this.reauthorizeNow();
      }, this.options.reauthorizeIntervalMs);
      this.reauthorizeTimer.unref();
    }
  }

  private async shutdown(): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
    this.deps.pipeline.flush();
    const drained = Promise.all([...this.connections].map((c) => c.shutdown()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeTimeoutMs);
    });
    await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    for (const c of this.connections) c.socket.destroy();
    await serverClosed;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    if (this.reauthorizeTimer !== null) clearInterval(this.reauthorizeTimer);
  }

  private accept(socket: Socket, tlsPeer: TlsPeer | null): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    this.connections.add(new Connection(socket, this.context, dispatch, tlsPeer));
  }

  private deviceConnected(connection: Connection): void {
    const id = connection.device();
    const previous = this.byDevice.get(id);
    if (previous !== undefined && previous !== connection) {
      // [MQTT-3.1.4-3]: a second connection with the same client identity takes over the first.
      previous.refuse('session-taken-over', ReasonCode.sessionTakenOver, 'another connection of this device');
    }
    this.byDevice.set(id, connection);
    this.callHook(this.deps.onDeviceConnected, id);
    const certificate = connection.tlsPeer?.certificate ?? null;
    const onCertificate = this.deps.onDeviceCertificate;
    if (certificate !== null && onCertificate !== undefined && this.options.identity === 'certificate') {
      this.callHook((device) => onCertificate(device, certificate), id);
    }
  }

  private connectionClosed(connection: Connection, wasConnected: boolean): void {
    this.connections.delete(connection);
    if (!wasConnected) return;
    this.deps.metrics.connectionClosed();
    const id = connection.device();
    if (this.byDevice.get(id) === connection) {
      this.byDevice.delete(id);
      this.callHook(this.deps.onDeviceDisconnected, id);
    }
  }

  private callHook(hook: ((deviceId: DeviceId) => void) | undefined, id: DeviceId): void {
    if (hook === undefined) return;
    try {
      hook(id);
    } catch (error) {
      this.context.internalError(error);
    }
  }
}
