import type { DeviceId } from './ids.js';

/**
 * What the platform has observed of one device's operation (not of its patient) since the process
 * that observes it started: the fleet view's row before the registry's facts are added. Instants are
 * epoch ms; null when nothing was observed yet.
 */
export interface DeviceFleetStatus {
  readonly deviceId: DeviceId;
  /** Ingest time (`receivedAt`) of the newest stored message. */
  readonly lastSeenAt: number | null;
  /** Event time (`observedAt`) of the newest stored message, by the device's clock. */
  readonly lastObservedAt: number | null;
  /** Battery fraction 0..1 of the newest status that reported one. */
  readonly batteryFraction: number | null;
  /** Signal strength of the newest status that reported one. */
  readonly rssiDbm: number | null;
  readonly firmware: string | null;
  /** The errors of the newest status the device sent (empty when it reports none). */
  readonly deviceErrors: readonly string[];
  /**
   * How far the device clock is ahead of the gateway's (negative: behind): the median of
   * `observedAt − receivedAt` over its recent messages. It includes the transit latency (and any
   * time a message waited on the device), so a correct clock reads slightly negative.
   */
  readonly clockSkewMs: number | null;
  /** notAfter of the client certificate of its newest accepted connection. */
  readonly certificateNotAfter: number | null;
  readonly counters: FleetCounters;
}

/** Counts since the observing process started. */
export interface FleetCounters {
  /** Messages stored. */
  readonly messages: number;
  /** Readings stored with each quality flag (a reading may count under several). */
  readonly implausible: number;
  readonly artifact: number;
  readonly late: number;
  readonly clockSkew: number;
  /** Whole messages the gateway refused (wire contract, conflict, retired key). */
  readonly refusedMessages: number;
  /** Items (readings, waveforms, status) refused inside messages that were stored. */
  readonly refusedItems: number;
}

/** Nothing counted yet. */
export const NO_FLEET_COUNTERS: FleetCounters = {
  messages: 0,
  implausible: 0,
  artifact: 0,
  late: 0,
  clockSkew: 0,
  refusedMessages: 0,
  refusedItems: 0,
};
