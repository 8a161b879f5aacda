/**
 * Options of the MQTT endpoint: what a caller may set, the defaults, and the one parser that turns
 * them into the compiled form the endpoint uses, listing every problem at once.
 */

/**
 * Where a device's identity comes from. `certificate`: the subject CN of its client certificate
 * (mutual TLS; the MQTT client id must be empty or equal to it). `client-id`: the MQTT client id,
 * unauthenticated — for development on a trusted network only: anyone can claim any device.
 */
export type IdentityMode = 'certificate' | 'client-id';

/** PEM material for mutual TLS: the server's key and certificate, and the CA(s) devices' certificates chain to. */
export interface MqttTlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  readonly ca: string | Buffer | readonly (string | Buffer)[];
}

export interface MqttEndpointOptions {
  /** Interface to listen on; default 127.0.0.1 (the composition root opens it wider on purpose). */
  readonly host?: string;
  /** TCP port; 0 picks a free one (read it from the endpoint's `port`). */
  readonly port: number;
  /**
   * Mutual TLS (1.2 or later): clients must present a valid certificate issued by `ca`. The handshake
   * completes without one so that the device is told why at CONNECT (CONNACK 0x87 / 0x05).
   */
  readonly tls?: MqttTlsOptions;
  readonly identity: IdentityMode;
  /** Largest MQTT packet accepted (fixed header included), advertised as Maximum Packet Size in v5. */
  readonly maxPacketBytes?: number;
  /** Unanswered QoS 1 publishes a client may have; advertised as Receive Maximum in v5. */
  readonly receiveMaximum?: number;
  /**
   * Upper bound on a client's keep-alive, in seconds. A v5 client asking for 0 or more gets this
   * as Server Keep Alive. A 3.1.1 client cannot be told: one asking for more keeps its value, one
   * asking for 0 (none) is still closed after 1.5 × this without a packet (a server may close an
   * idle connection at any time), so that dead connections do not pile up.
   */
  readonly maxKeepAliveSec?: number;
  /** A connection that has not sent CONNECT within this time is closed. */
  readonly connectTimeoutMs?: number;
  /** `close()` destroys connections whose answers have not gone out within this time. */
  readonly closeTimeoutMs?: number;
  /** How often idle connections are looked for. */
  readonly sweepIntervalMs?: number;
  /**
   * Certificate mode: how often every live connection is checked again (certificate expiry and the
   * `authorize` hook), so that a revocation cuts live sessions within this interval.
   */
  readonly reauthorizeIntervalMs?: number;
}

export const DEFAULT_MQTT_HOST = '127.0.0.1';
/** 128 KiB: twice the domain's 64 KiB payload limit, so an over-limit payload still gets an answer. */
export const DEFAULT_MAX_PACKET_BYTES = 128 * 1024;
export const DEFAULT_RECEIVE_MAXIMUM = 100;
export const DEFAULT_MAX_KEEP_ALIVE_SEC = 300;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 1_000;
/** Well inside issue 5's bound: a revocation takes effect on live sessions within 60 s. */
export const DEFAULT_REAUTHORIZE_INTERVAL_MS = 10_000;
/** The largest Remaining Length MQTT can encode, plus a 5-byte fixed header [MQTT-2.2.3]. */
const MQTT_MAX_PACKET_BYTES = 268_435_455 + 5;

export interface CompiledMqttEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: MqttTlsOptions | null;
  readonly identity: IdentityMode;
  readonly maxPacketBytes: number;
  readonly receiveMaximum: number;
  readonly maxKeepAliveSec: number;
  readonly connectTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly sweepIntervalMs: number;
  readonly reauthorizeIntervalMs: number;
}

/** The endpoint's options are invalid; `problems` lists every one. */
export class MqttEndpointOptionsError extends Error {
  readonly code = 'GATEWAY_OPTIONS';
  constructor(readonly problems: readonly string[]) {
    super(`invalid MQTT endpoint options: ${problems.join('; ')}`);
    this.name = 'MqttEndpointOptionsError';
  }
}

function integer(
  problems: string[],
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) problems.push(`${name} must be an integer in ${min}..${max}`);
  return v;
}

/** Applies defaults and validates; throws `MqttEndpointOptionsError` naming every problem. */
export function compileMqttEndpointOptions(options: MqttEndpointOptions): CompiledMqttEndpointOptions {
  const problems: string[] = [];
  const host = options.host ?? DEFAULT_MQTT_HOST;
  if (host.length === 0) problems.push('host must not be empty');
  const identity: unknown = options.identity;
  if (identity !== 'certificate' && identity !== 'client-id') {
    problems.push('identity must be "certificate" or "client-id"');
  }
  const tls = options.tls ?? null;
  if (identity === 'certificate' && tls === null) {
    problems.push('identity "certificate" needs tls (key, cert, ca): the identity is the client certificate');
  }
  if (tls !== null && (!tls.key || !tls.cert || !tls.ca)) problems.push('tls needs key, cert and ca');
  const compiled: CompiledMqttEndpointOptions = {
    host,
    port: integer(problems, 'port', options.port, 0, 0, 65_535),
    tls,
    identity: options.identity,
    maxPacketBytes: integer(
      problems,
      'maxPacketBytes',
      options.maxPacketBytes,
      DEFAULT_MAX_PACKET_BYTES,
      512,
      MQTT_MAX_PACKET_BYTES,
    ),
    receiveMaximum: integer(problems, 'receiveMaximum', options.receiveMaximum, DEFAULT_RECEIVE_MAXIMUM, 1, 65_535),
    maxKeepAliveSec: integer(
      problems,
      'maxKeepAliveSec',
      options.maxKeepAliveSec,
      DEFAULT_MAX_KEEP_ALIVE_SEC,
      1,
      65_535,
    ),
    connectTimeoutMs: integer(
      problems,
      'connectTimeoutMs',
      options.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
      1,
      3_600_000,
    ),
    closeTimeoutMs: integer(problems, 'closeTimeoutMs', options.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS, 0, 3_600_000),
    sweepIntervalMs: integer(
      problems,
      'sweepIntervalMs',
      options.sweepIntervalMs,
      DEFAULT_SWEEP_INTERVAL_MS,
      1,
      60_000,
    ),
    reauthorizeIntervalMs: integer(
      problems,
      'reauthorizeIntervalMs',
      options.reauthorizeIntervalMs,
      DEFAULT_REAUTHORIZE_INTERVAL_MS,
      10,
      60_000,
    ),
  };
  if (problems.length > 0) throw new MqttEndpointOptionsError(problems);
  return compiled;
}
