import type { Socket } from 'node:net';
import type { Clock, DeviceId } from '@wardstream/domain';
import type { GatewayMetrics, RefusalReason } from '../gateway-metrics.js';
import type { IngestAnswer, IngestSink } from '../ingest-answer.js';
import type { IngestPipeline } from '../ingest-pipeline.js';
import { AnswerQueue } from './answer-queue.js';
import { acknowledge } from './acknowledge.js';
import {
  createPacketParser,
  encodeDisconnect,
  type InboundPacket,
  type PacketParser,
  type ProtocolLevel,
} from './codec.js';
import type { DeviceAuthDecision, DeviceAuthRequest, SecurityEvent, TlsPeer } from './device-trust.js';
import type { CompiledMqttEndpointOptions } from './endpoint-options.js';
import { FrameReader } from './frame-reader.js';
import { Outbox } from './outbox.js';
import { MAX_REASON_STRING_CHARS, type PublishOutcome } from './publish-outcome.js';
import { ReasonCode } from './reason-codes.js';
import { errorsTopic, telemetryTopic } from './topics.js';

/** What a connection needs from its endpoint. */
export interface ConnectionContext {
  readonly options: CompiledMqttEndpointOptions;
  readonly pipeline: IngestPipeline;
  readonly metrics: GatewayMetrics;
  readonly clock: Clock;
  /** True once the endpoint is closing: CONNECTs are refused. */
  isClosing(): boolean;
  /** A device's CONNECT was accepted (the endpoint takes over an older connection of the same device). */
  deviceConnected(connection: Connection): void;
  /** The socket closed; `wasConnected` when a CONNACK 0 had been sent. */
  connectionClosed(connection: Connection, wasConnected: boolean): void;
  internalError(error: unknown): void;
  /** The platform's authorization hook (certificate mode), if any; may throw. */
  readonly authorize: ((request: DeviceAuthRequest) => DeviceAuthDecision) | undefined;
  /** Hands a refusal on security grounds to the security log; never throws. */
  securityEvent(event: SecurityEvent): void;
}

export type ConnectionState = 'awaiting-connect' | 'connected' | 'draining' | 'closing' | 'closed';

/** Above this many bytes waiting in the socket, stop reading until it drains. */
const WRITE_HIGH_WATER_BYTES = 1024 * 1024;
/** After we end a socket, how long the peer has to close its side before we destroy it. */
const LINGER_MS = 2_000;
/** A 3.1.1 CONNACK with return code 0x01, for a CONNECT of a protocol level we do not speak [MQTT-3.1.2-2]. */
const CONNACK_UNACCEPTABLE_PROTOCOL = Buffer.from([0x20, 0x02, 0x00, 0x01]);

/**
 * One client connection: framing, parsing, the in-order answer queue, batched writes, back-pressure
 * and closing. Packet semantics live in the `handle-*` modules, reached through `dispatch`.
 */
export class Connection implements IngestSink {
  state: ConnectionState = 'awaiting-connect';
  version: ProtocolLevel = 4;
  deviceId: DeviceId | null = null;
  telemetryTopic = '';
  errorsTopic = '';
  errorsSubscribed = false;
  /** Effective keep-alive; 0 = none. */
  keepAliveMs = 0;
  /** The client's Maximum Packet Size (v5): nothing larger is sent to it [MQTT-3.1.2-24 (v5)]. */
  clientMaxPacketBytes = Number.MAX_SAFE_INTEGER;
  /** v5 Request Problem Information; false forbids Reason Strings except on CONNACK/DISCONNECT [MQTT-3.1.2-29]. */
  problemInformation = true;
  /** Receive time of the bytes being processed: the clock is read once per socket read. */
  now: number;
  lastPacketAt: number;
  readonly openedAt: number;
  readonly answers = new AnswerQueue();
  readonly outbox: Outbox;
  private readonly frames: FrameReader;
  private readonly parser: PacketParser;
  private processing = false;
  private readPaused = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private drainTimer: NodeJS.Timeout | null = null;
  /** The DISCONNECT a draining connection ends with once its answers are out. */
  private drainEnd: { readonly code: number; readonly reasonString: string } = {
    code: ReasonCode.serverShuttingDown,
    reasonString: 'server shutting down',
  };
  private resolveClosed: () => void = () => undefined;
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;

  /** Subject CN of the verified client certificate (mutual TLS), else null. */
  readonly certificateCn: string | null;
  /** Kept from the start: a closed socket no longer knows its peer. */
  readonly remoteAddress: string | null;

  constructor(
    readonly socket: Socket,
    readonly ctx: ConnectionContext,
    dispatch: (connection: Connection, packet: InboundPacket) => void,
    /** What the TLS handshake established; null on plain TCP. */
    readonly tlsPeer: TlsPeer | null,
  ) {
    this.certificateCn = tlsPeer?.authorized === true ? (tlsPeer.certificate?.subjectCn ?? null) : null;
    this.remoteAddress = socket.remoteAddress ?? null;
    this.openedAt = this.now = this.lastPacketAt = ctx.clock.now();
    this.outbox = new Outbox(socket);
    this.frames = new FrameReader(ctx.options.maxPacketBytes);
    this.parser = createPacketParser(
      (packet) => {
        dispatch(this, packet);
      },
      (detail) => {
        this.parseFailed(detail);
      },
    );
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on('drain', () => {
      this.maybeResume();
    });
    socket.on('error', () => {
      // 'close' follows; a reset connection needs no answer.
    });
    socket.on('close', () => {
      this.onClose();
    });
  }

  /** The device this connection speaks for; only valid once connected. */
  device(): DeviceId {
    if (this.deviceId === null) throw new Error('connection has no device before CONNECT');
    return this.deviceId;
  }

  /** Called by the CONNECT handler once CONNACK 0 is queued. */
  accept(deviceId: DeviceId): void {
    this.deviceId = deviceId;
    this.telemetryTopic = telemetryTopic(deviceId);
    this.errorsTopic = errorsTopic(deviceId);
    this.state = 'connected';
    this.ctx.metrics.connectionOpened(this.version);
    this.ctx.deviceConnected(this);
  }

  /** Queues an encoded packet for the end of this tick. */
  send(bytes: Buffer): void {
    this.outbox.packet(bytes);
  }

  /** `IngestSink`: the pipeline's answer to the publish queued under `token`. */
  deliver(token: number, answer: IngestAnswer): void {
    try {
      this.answers.settle(token, answer);
      this.drainAnswers();
    } catch (error) {
      this.ctx.internalError(error);
      this.disconnect(ReasonCode.unspecifiedError, 'internal error');
    }
  }

  /** Answers a publish the endpoint itself refused, in order with the others. */
  settle(token: number, outcome: PublishOutcome): void {
    this.answers.settle(token, outcome);
    this.drainAnswers();
  }

  /** Refuses with a v5 DISCONNECT reason code (3.1.1: closes), counting `reason`. */
  refuse(reason: RefusalReason, v5Code: number, detail: string): void {
    this.ctx.metrics.refused(reason);
    this.disconnect(v5Code, detail);
  }

  /**
   * Reports a refusal on security grounds (already counted by the caller) to the security log;
   * `deviceId` names the device before the connection was accepted.
   */
  securityEvent(reason: RefusalReason, detail: string, deviceId: DeviceId | null = this.deviceId): void {
    this.ctx.securityEvent({
      at: this.ctx.clock.now(),
      reason,
      deviceId,
      remoteAddress: this.remoteAddress,
      certificateSerial: this.tlsPeer?.certificate?.serialNumber ?? null,
      detail,
    });
  }

  /**
   * Ends a live session that is no longer trusted (revoked, expired, unapproved): counted and
   * reported, reading stops at once, the publishes already received are still answered (their
   * appends are under way: a PUBACK only ever follows a durable append), then v5 DISCONNECT `v5Code`
   * and close. Answers still missing after `closeTimeoutMs` are dropped, never acknowledged.
   */
  cut(reason: RefusalReason, v5Code: number, detail: string): void {
    if (this.state !== 'connected') return;
    this.ctx.metrics.refused(reason);
    this.securityEvent(reason, detail);
    // Armed first: `end()` clears it, also when nothing is pending and `drain` ends at once.
    this.drainTimer = setTimeout(() => {
      this.disconnect(v5Code, detail);
    }, this.ctx.options.closeTimeoutMs);
    this.drainTimer.unref();
    this.drain(v5Code, detail);
  }

  /** A malformed packet or a protocol violation: counted, then v5 DISCONNECT `v5Code`, 3.1.1 close. */
  malformed(detail: string, v5Code: number = ReasonCode.malformedPacket): void {
    this.ctx.metrics.malformedPacket();
    this.disconnect(v5Code, detail);
  }

  /**
   * Ends the connection: with a DISCONNECT when the client speaks v5 and has had its CONNACK
   * (a server must not send DISCONNECT before [MQTT-3.14.0-1]); 3.1.1 has no server DISCONNECT.
   */
  disconnect(v5Code: number, reasonString?: string): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (this.version === 5 && (this.state === 'connected' || this.state === 'draining')) {
      let packet = encodeDisconnect(v5Code, reasonString?.slice(0, MAX_REASON_STRING_CHARS));
      if (packet.length > this.clientMaxPacketBytes) packet = encodeDisconnect(v5Code);
      this.send(packet);
    }
    this.end();
  }

  /** Writes what is queued, then closes; unanswered publishes are never acknowledged. */
  end(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    if (this.drainTimer !== null) clearTimeout(this.drainTimer);
    this.answers.clear();
    this.frames.clear();
    this.outbox.flush();
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    this.lingerTimer.unref();
  }

  /**
   * Endpoint shutdown: stop reading, let the unanswered publishes be answered, then DISCONNECT 0x8B
   * (v5) and close. Resolves when the socket is closed.
   */
  shutdown(): Promise<void> {
    if (this.state === 'awaiting-connect') this.end();
    else if (this.state === 'connected') this.drain(ReasonCode.serverShuttingDown, 'server shutting down');
    return this.closed;
  }

  /**
   * Closes an idle connection: no CONNECT in time, or no packet within 1.5 × keep-alive
   * ([MQTT-3.1.2-24] in 3.1.1, [MQTT-3.1.2-22] in 5).
   */
  checkIdle(now: number): void {
    if (this.state === 'awaiting-connect' && now - this.openedAt > this.ctx.options.connectTimeoutMs) {
      this.ctx.metrics.refused('connect-timeout');
      this.end();
    } else if (
      this.state === 'connected' &&
      this.keepAliveMs > 0 &&
      now - this.lastPacketAt > this.keepAliveMs * 1.5 &&
      // A client waiting for our answers, or that we stopped reading, is not idle by its own doing.
      this.answers.size === 0 &&
      !this.readPaused
    ) {
      this.refuse('keep-alive-timeout', ReasonCode.keepAliveTimeout, 'no packet within 1.5 x keep-alive');
    }
  }

  /** Stops reading; once every publish received is answered, DISCONNECT `code` (v5) and close. */
  private drain(code: number, reasonString: string): void {
    this.state = 'draining';
    this.drainEnd = { code, reasonString };
    this.socket.pause();
    this.frames.clear();
    if (this.answers.size === 0) this.disconnect(code, reasonString);
  }

  private onData(chunk: Buffer): void {
    if (this.state !== 'awaiting-connect' && this.state !== 'connected') return;
    this.now = this.lastPacketAt = this.ctx.clock.now();
    this.frames.push(chunk);
    this.processInput();
  }

  /** Handles the buffered packets while reading is not blocked; returns true when reading is paused. */
  private processInput(): boolean {
    if (this.processing) return this.readPaused;
    this.processing = true;
    try {
      while (this.state === 'awaiting-connect' || this.state === 'connected') {
        if (this.readBlocked()) {
          if (!this.readPaused) {
            this.readPaused = true;
            this.socket.pause();
          }
          break;
        }
        const frame = this.frames.next();
        if (frame.kind === 'incomplete') break;
        if (frame.kind === 'packet') {
          this.parser.parse(frame.bytes);
        } else if (frame.kind === 'oversize') {
          this.ctx.metrics.oversizePacket();
          const max = this.ctx.options.maxPacketBytes;
          this.disconnect(ReasonCode.packetTooLarge, `packet of ${frame.declaredBytes} bytes; the maximum is ${max}`);
        } else {
          this.malformed(frame.detail);
        }
      }
    } catch (error) {
      this.ctx.internalError(error);
      this.disconnect(ReasonCode.unspecifiedError, 'internal error');
    } finally {
      this.processing = false;
    }
    return this.readPaused;
  }

  /**
   * Back-pressure: a 3.1.1 client is not read while it has `receiveMaximum` unanswered publishes
   * (v5 clients are held to Receive Maximum by the publish handler, so only their QoS 0 publishes
   * count here); nobody is read while the socket's write buffer is above its high-water mark.
   */
  private readBlocked(): boolean {
    const { answers } = this;
    const counted = this.version === 5 ? answers.size - answers.qos1 : answers.size;
    return counted >= this.ctx.options.receiveMaximum || this.socket.writableLength > WRITE_HIGH_WATER_BYTES;
  }

  private maybeResume(): void {
    if (!this.readPaused || this.readBlocked()) return;
    if (this.state !== 'awaiting-connect' && this.state !== 'connected') return;
    this.readPaused = false;
    if (!this.processInput()) this.socket.resume();
  }

  private parseFailed(detail: string): void {
    if (this.state === 'awaiting-connect' && detail === 'Invalid protocol version') {
      this.ctx.metrics.refused('unsupported-protocol-version');
      this.send(CONNACK_UNACCEPTABLE_PROTOCOL);
      this.end();
      return;
    }
    this.malformed(detail);
  }

  /** Sends the answers that are due, oldest first, stopping at the first one still pending [MQTT-4.6.0-2]. */
  private drainAnswers(): void {
    if (this.state !== 'connected' && this.state !== 'draining') return;
    const { answers } = this;
    let outcome = answers.peekSettled();
    while (outcome !== undefined) {
      if (outcome.kind === 'unavailable') {
        // Not acknowledged: the client re-sends everything unacknowledged when it reconnects.
        this.disconnect(ReasonCode.serverBusy, outcome.detail);
        return;
      }
      const packetId = answers.headPacketId();
      answers.shift();
      acknowledge(this, packetId, outcome);
      outcome = answers.peekSettled();
    }
    if (this.state === 'draining' && answers.size === 0) {
      this.disconnect(this.drainEnd.code, this.drainEnd.reasonString);
      return;
    }
    this.maybeResume();
  }

  private onClose(): void {
    const wasConnected = this.deviceId !== null;
    this.state = 'closed';
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    if (this.drainTimer !== null) clearTimeout(this.drainTimer);
    this.answers.clear();
    this.frames.clear();
    this.ctx.connectionClosed(this, wasConnected);
    this.resolveClosed();
  }
}
