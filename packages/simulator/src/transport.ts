import type { DeviceId } from '@wardstream/domain';
import type { Random } from './random.js';

/**
 * The device-transport port: how a simulated device reaches the platform. The MQTT adapter is
 * `mqttTransportFactory`; tests use in-memory fakes.
 */

/** The platform's answer to one publish. `failed`: no answer will ever come (the connection was closed). */
export type PublishAnswer =
  | { readonly kind: 'acked' }
  | { readonly kind: 'rejected'; readonly reason: string; readonly reasonCode?: number }
  | { readonly kind: 'failed'; readonly error: string };

/** A rejection reported out of band (the MQTT 3.1.1 errors topic), naming the message when it can. */
export interface ErrorReport {
  readonly boot?: string;
  readonly seq?: number;
  readonly reason: string;
  readonly detail?: string;
}

/** What a transport tells its device's owner. */
export interface TransportListener {
  onConnect(): void;
  /** The connection closed or a connect attempt failed; `error` says why when known. */
  onDisconnect(error: string | undefined): void;
  onErrorReport(report: ErrorReport): void;
}

/** One device's connection to the platform. */
export interface DeviceTransport {
  /**
   * Publishes the device's telemetry at QoS 1. `onAnswer` is called at most once; it is never called
   * for a message still unanswered when the transport is closed. Messages published while disconnected
   * are queued (in memory) and sent, and unanswered ones re-sent, once connected.
   */
  publish(payload: Uint8Array, onAnswer: (answer: PublishAnswer) => void): void;
  /** Closes the connection, waiting up to `graceMs` for outstanding answers first. */
  close(graceMs: number): Promise<void>;
}

/** What opening a device's transport needs. */
export interface TransportOpenOptions {
  readonly deviceId: DeviceId;
  readonly listener: TransportListener;
  /** Wait before the first connect attempt (spreads a fleet's connects out). */
  readonly connectDelayMs: number;
  /** Connect only once this settles (a restarting device's previous connection closing). */
  readonly after?: Promise<void>;
  /** Source of back-off jitter. */
  readonly random: Random;
}

/** Opens the transport of one device. */
export type TransportFactory = (options: TransportOpenOptions) => DeviceTransport;
