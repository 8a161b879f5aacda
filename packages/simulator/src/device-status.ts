import { ouStep } from './ornstein-uhlenbeck.js';
import type { WireStatus } from './payload.js';
import type { Random } from './random.js';
import type { ClockSkewKind } from './scenario.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The event time a device reports at true time `at`: correct, an hour fast, a day slow, or — for a
 * device whose real-time clock was never set — 1970-01-01 plus the time since it booted.
 */
export function reportedTime(skew: ClockSkewKind | undefined, at: number, bootAt: number): number {
  switch (skew) {
    case undefined:
      return at;
    case '+1h':
      return at + HOUR_MS;
    case '-1d':
      return at - DAY_MS;
    case '1970':
      return Math.max(0, at - bootAt);
  }
}

/**
 * The firmware version every simulated bedside monitor reports (one simulated model, one version):
 * the simulator's own name, so a fleet view never mistakes it for a real device's firmware.
 */
export const SIMULATED_FIRMWARE = 'wardstream-sim-monitor 1.0.0';

/** Battery drain of a bedside monitor running on battery, as a fraction per hour. */
const BATTERY_DRAIN_PER_HOUR = 0.03;

/** Battery and radio of one device: the battery drains slowly, the signal strength wanders around −60 dBm. */
export class DeviceStatusModel {
  private batteryFraction: number;
  private rssiDbm: number;
  private lastAt: number;

  constructor(
    private readonly random: Random,
    startAt: number,
  ) {
    this.batteryFraction = random.between(0.35, 1);
    this.rssiDbm = -60 + 5 * random.normal();
    this.lastAt = startAt;
  }

  /** The status at `at` (non-decreasing), carrying the given device errors. */
  at(at: number, errors: readonly string[]): WireStatus {
    const dtMs = Math.max(0, at - this.lastAt);
    this.lastAt = Math.max(at, this.lastAt);
    this.batteryFraction = Math.max(0.05, this.batteryFraction - (BATTERY_DRAIN_PER_HOUR * dtMs) / HOUR_MS);
    this.rssiDbm = ouStep(this.rssiDbm, -60, 5, 60_000, dtMs, this.random.normal());
    return {
      battery: Math.round(this.batteryFraction * 1000) / 1000,
      rssi: Math.round(this.rssiDbm),
      errors: [...errors],
      firmware: SIMULATED_FIRMWARE,
    };
  }
}
