import type { RejectReason } from '@wardstream/domain';
import type { IngestRejectReason } from './ingest-answer.js';

/** MQTT protocol levels the endpoint speaks: 3 = 3.1 (treated as 3.1.1), 4 = 3.1.1, 5 = 5.0. */
export type MqttProtocolLevel = 3 | 4 | 5;

/**
 * Why the MQTT endpoint refused something other than a message's content. Stable strings: they
 * are metric labels. Malformed and oversize packets have their own counters.
 */
export type RefusalReason =
  | 'bad-identity'
  | 'bad-authentication-method'
  | 'unsupported-protocol-version'
  | 'server-unavailable'
  | 'not-authorized'
  | 'topic-invalid'
  | 'subscribe-refused'
  | 'receive-maximum-exceeded'
  | 'qos-not-supported'
  | 'retain-not-supported'
  | 'topic-alias-invalid'
  | 'keep-alive-timeout'
  | 'connect-timeout'
  | 'session-taken-over'
  | 'tls-handshake'
  | 'no-certificate'
  | 'certificate-expired'
  | 'certificate-not-yet-valid'
  | 'certificate-untrusted'
  | 'certificate-revoked'
  | 'device-not-approved';

/**
 * What the gateway counts. Every call is one event; implementations turn them into counters (the
 * platform's uses prom-client). Called on the hot path: implementations must be cheap and must not
 * throw.
 */
export interface GatewayMetrics {
  /** A message was appended to the log; it carried `readings` numeric readings. */
  messageAccepted(readings: number): void;
  /** A message already in the log was received again (a re-send) and acknowledged. */
  messageDuplicate(): void;
  /** A whole message was refused; `conflict` and `key-retired` are counted here too. */
  messageRejected(reason: IngestRejectReason): void;
  /** One item (reading, waveform, status) of an accepted message was refused. */
  itemRejected(reason: RejectReason): void;
  /** A message could not be appended because the log was unavailable; it was not acknowledged. */
  messageUnavailable(): void;
  /** An MQTT connection was accepted (CONNACK 0) at this protocol level. */
  connectionOpened(protocol: MqttProtocolLevel): void;
  /** An accepted connection ended. */
  connectionClosed(): void;
  /** The endpoint refused a connection, a publish, a subscription or a protocol violation. */
  refused(reason: RefusalReason): void;
  /**
   * A packet could not be parsed, or broke the protocol (not CONNECT first, a second CONNECT, a
   * packet only a server sends); the connection was closed.
   */
  malformedPacket(): void;
  /** A packet declared a size above the endpoint's maximum; refused before it was buffered. */
  oversizePacket(): void;
}
