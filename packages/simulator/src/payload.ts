import { roundTo, type CodeStyle, type VitalCode } from './vital-codes.js';
import type { WireWaveform } from './waveform.js';

/** One numeric reading on the wire (DESIGN 3.1 `readings[]`); `artifact` marks a value the device distrusts. */
export interface WireReading {
  readonly code: string;
  readonly value: number;
  readonly unit: string;
  readonly artifact?: true;
}

/** Device status on the wire: battery as a fraction 0..1, signal strength in dBm, active device errors. */
export interface WireStatus {
  readonly battery: number;
  readonly rssi: number;
  readonly errors: readonly string[];
  readonly firmware: string;
}

/** A telemetry payload exactly as the device wire contract (DESIGN 3.1) defines it. */
export interface TelemetryPayload {
  readonly seq: number;
  readonly boot: string;
  /** The device's event time, epoch ms, by the device's (possibly wrong) clock. */
  readonly ts: number;
  readonly readings: readonly WireReading[];
  readonly waveforms?: readonly WireWaveform[];
  readonly status: WireStatus;
}

/** The MQTT topic a device publishes its telemetry on. */
export function telemetryTopic(deviceId: string): string {
  return `wardstream/v1/devices/${deviceId}/telemetry`;
}

/** The MQTT topic on which an MQTT 3.1.1 device hears why a message was rejected. */
export function errorsTopic(deviceId: string): string {
  return `wardstream/v1/devices/${deviceId}/errors`;
}

/**
 * A reading of `value` (canonical unit) as the device sends it: under its MDC code or alias, rounded to
 * the monitor's precision, and in the variant unit (°F, kPa, fraction) when `useVariant` is set.
 */
export function wireReading(
  code: VitalCode,
  value: number,
  style: CodeStyle,
  useVariant: boolean,
  artifact = false,
): WireReading {
  const name = style === 'mdc' ? code.code : code.alias;
  const variant = useVariant ? code.variant : undefined;
  const reading =
    variant === undefined
      ? { code: name, value: roundTo(value, code.decimals), unit: code.unit }
      : { code: name, value: roundTo(variant.fromCanonical(value), variant.decimals), unit: variant.unit };
  return artifact ? { ...reading, artifact: true } : reading;
}

const encoder = new TextEncoder();

/** The payload's bytes: compact JSON in UTF-8. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
