import { connect, ReasonCodes, type IClientOptions, type MqttClient } from 'mqtt';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import { parseErrorReport } from './error-report.js';
import { errorsTopic, telemetryTopic } from './payload.js';
import type { DeviceTransport, PublishAnswer, TransportFactory, TransportOpenOptions } from './transport.js';
import { sleep, waitUntil } from './wait.js';

/** PEM material for mutual TLS; the device's identity is its certificate. */
export interface TlsMaterial {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer;
}

/**
 * A fleet's TLS material: one set for every device, or each device's own (the gateway takes a
 * device's id from its certificate's CN, so a fleet of several devices needs one certificate each).
 */
export type TlsSource = TlsMaterial | ((deviceId: string) => TlsMaterial);

/** The material device `deviceId` connects with. */
export function tlsFor(source: TlsSource, deviceId: string): TlsMaterial {
  return typeof source === 'function' ? source(deviceId) : source;
}

/**
 * With several gateways (comma-separated URLs) each device starts on one picked by its id, so the
 * fleet spreads over them, and MQTT.js moves it to the next one in the list at each reconnect.
 */
export function rotatedUrls(urls: string, deviceId: string): URL[] {
  const list = urls.split(',').map((u) => new URL(u.trim()));
  let hash = 0;
  for (let i = 0; i < deviceId.length; i++) hash = (Math.imul(hash, 31) + deviceId.charCodeAt(i)) >>> 0;
  const start = hash % list.length;
  return [...list.slice(start), ...list.slice(0, start)];
}

function firstUrl(urls: string, deviceId: string): string {
  return rotatedUrls(urls, deviceId)[0]?.toString() ?? urls;
}

function failoverServers(urls: string, deviceId: string): Pick<IClientOptions, 'servers'> {
  const list = rotatedUrls(urls, deviceId);
  if (list.length < 2) return {};
  return {
    servers: list.map((u) => ({
      host: u.hostname,
      port: Number(u.port),
      protocol: u.protocol.replace(':', '') as 'mqtt' | 'mqtts',
    })),
  };
}

/** How the fleet reaches its MQTT endpoint. */
export interface MqttConnectionOptions {
  /** `mqtt://host:port`, or `mqtts://host:port` with `tls`; several, comma-separated, for failover. */
  readonly url: string;
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. */
  readonly protocolVersion: 4 | 5;
  readonly tls?: TlsSource;
  readonly backoff: BackoffPolicy;
  readonly keepaliveS: number;
  readonly connectTimeoutMs: number;
}

function tlsClientOptions(tls: TlsMaterial): IClientOptions {
  return { cert: tls.cert, key: tls.key, ca: tls.ca, rejectUnauthorized: true };
}

/**
 * The PUBACK of one publish as an answer. MQTT 5: a reason code ≥ 0x80 is a rejection, with the
 * server's reason string when it sent one [MQTT-3.4.2.2]; below 0x80 is success. MQTT.js reports every
 * code other than 0x00 and 0x10 as an error carrying the code; any other error means no PUBACK came.
 */
export function publishAnswer(error: Error | null | undefined, packet: unknown): PublishAnswer {
  // MQTT.js passes null (not undefined, as its types say) when the PUBACK carried success.
  if (error === undefined || error === null) return { kind: 'acked' };
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'number') return { kind: 'failed', error: error.message };
  if (code < 0x80) return { kind: 'acked' };
  const properties = (packet as { properties?: { reasonString?: unknown } } | undefined)?.properties;
  const reasonString = typeof properties?.reasonString === 'string' ? properties.reasonString : undefined;
  const name = (ReasonCodes as Record<number, string | undefined>)[code] ?? 'unknown reason code';
  return { kind: 'rejected', reason: reasonString ?? `0x${code.toString(16)} ${name}`, reasonCode: code };
}

/**
 * One device's MQTT connection (MQTT.js 5): client id = device id (the gateway's development identity
 * mode) or a client certificate; QoS 1; reconnects with jittered exponential back-off. MQTT.js keeps
 * unacknowledged QoS 1 messages in an in-memory store and re-sends them after a reconnect — in memory
 * only, so they are gone if the process exits (RELIABILITY "Failure stories").
 */
class MqttDeviceTransport implements DeviceTransport {
  private readonly client: MqttClient;
  private readonly topic: string;
  private attempt = 0;
  private lastError: string | undefined;
  private closing = false;
  /** Publishes not yet answered, and waiters for that number to reach zero. */
  private outstanding = 0;
  private readonly idle: (() => void)[] = [];
  /**
   * MQTT 3.1.1: publishes wait here until the errors topic is subscribed, so no rejection of an early
   * message is published before anyone listens. (On connect MQTT.js sends its stored publishes before
   * its queued SUBSCRIBE.)
   */
  private held: { bytes: Buffer; onAnswer: (answer: PublishAnswer) => void }[] | undefined;

  constructor(
    private readonly connection: MqttConnectionOptions,
    private readonly open: TransportOpenOptions,
  ) {
    const { deviceId, listener } = open;
    this.topic = telemetryTopic(deviceId);
    const options: IClientOptions = {
      clientId: deviceId,
      protocolVersion: connection.protocolVersion,
      // 3.1.1: a persistent session keeps the errors-topic subscription (and the errors published while
      // the device was away) across reconnects; 5 has no errors topic, so a clean start suffices.
      clean: connection.protocolVersion === 5,
      keepalive: connection.keepaliveS,
      connectTimeout: connection.connectTimeoutMs,
      reconnectPeriod: connection.backoff.minMs,
      reconnectOnConnackError: true,
      manualConnect: true,
      ...(connection.tls === undefined ? {} : tlsClientOptions(tlsFor(connection.tls, deviceId))),
    };
    this.client = connect(firstUrl(connection.url, deviceId), {
      ...options,
      ...failoverServers(connection.url, deviceId),
    });
    // MQTT.js re-reads `reconnectPeriod` each time it arms its reconnect timer: 'offline' comes before the
    // first wait of an outage, 'reconnect' before each attempt, so each wait gets its own jittered value.
    this.client.on('offline', () => {
      this.armBackoff();
    });
    this.client.on('reconnect', () => {
      this.attempt++;
      this.armBackoff();
    });
    this.client.on('connect', () => {
      this.attempt = 0;
      this.lastError = undefined;
      listener.onConnect();
    });
    this.client.on('close', () => {
      if (!this.closing) listener.onDisconnect(this.lastError);
    });
    this.client.on('error', (err) => {
      this.lastError = err.message;
    });
    if (connection.protocolVersion === 4) {
      // MQTT 3.1.1 has no reason codes: the gateway answers a rejection on the device's errors topic.
      this.held = [];
      this.client.on('message', (_topic, payload) => {
        // Until our SUBACK, nothing of ours has been published: what arrives is left over in a persistent
        // session from an earlier run of this device id, and would be attributed to the wrong messages.
        if (this.held === undefined) listener.onErrorReport(parseErrorReport(payload));
      });
      this.client.subscribe(errorsTopic(deviceId), { qos: 1 }, (err) => {
        if (err !== null) this.lastError = `errors topic not subscribed: ${err.message}`;
        const held = this.held ?? [];
        this.held = undefined;
        for (const h of held) this.send(h.bytes, h.onAnswer);
      });
    }
    void this.start();
  }

  private armBackoff(): void {
    if (this.closing) return;
    this.client.options.reconnectPeriod = backoffDelayMs(this.connection.backoff, this.attempt, this.open.random);
  }

  private async start(): Promise<void> {
    await this.open.after?.catch(() => undefined);
    if (this.open.connectDelayMs > 0) await sleep(this.open.connectDelayMs);
    if (!this.closing) this.client.connect();
  }

  publish(payload: Uint8Array, onAnswer: (answer: PublishAnswer) => void): void {
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    this.outstanding++;
    if (this.held !== undefined) this.held.push({ bytes, onAnswer });
    else this.send(bytes, onAnswer);
  }

  private send(bytes: Buffer, onAnswer: (answer: PublishAnswer) => void): void {
    const answered = (answer: PublishAnswer) => {
      this.outstanding--;
      if (this.outstanding === 0) for (const resolve of this.idle.splice(0)) resolve();
      onAnswer(answer);
    };
    // Held messages are sent on the SUBACK, which may come after close() ended the client: MQTT.js
    // then throws from inside its store. Such a message was never sent; say so.
    if (this.closing && (this.client.disconnecting || this.client.disconnected)) {
      answered({ kind: 'failed', error: 'the transport closed before the message was sent' });
      return;
    }
    this.client.publish(this.topic, bytes, { qos: 1 }, (error, packet) => {
      answered(publishAnswer(error, packet));
    });
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    // MQTT.js arms its reconnect timer on every 'close' of the stream unless it is mid-`end()`; a stream
    // closed by end() while a connect was under way (no CONNACK yet) reports its 'close' after end()
    // finished, and the ended client would reconnect forever. A reconnect period of 0 rules that out.
    this.client.options.reconnectPeriod = 0;
    if (this.client.connected && this.outstanding > 0 && graceMs > 0) {
      await waitUntil((done) => this.idle.push(done), graceMs);
    }
    // A second end() is a no-op in MQTT.js, so decide once: DISCONNECT politely only when nothing is owed.
    await this.client.endAsync(!this.client.connected || this.outstanding > 0);
  }
}

/** A transport factory that connects each device to `connection` with MQTT.js. */
export function mqttTransportFactory(connection: MqttConnectionOptions): TransportFactory {
  return (open) => new MqttDeviceTransport(connection, open);
}
