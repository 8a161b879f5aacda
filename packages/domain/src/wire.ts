import type { Catalogue } from './catalogue.js';
import type { DeviceId } from './ids.js';
import type { PlausibilityLimits } from './plausibility.js';
import { QualityFlag } from './quality.js';
import type { DeviceMessage } from './reading.js';
import { isRecord, validateReadings, validateStatus, validateWaveforms } from './wire-items.js';
import { parseEventTime } from './wire-time.js';

/**
 * The device wire contract (DESIGN 3.1, docs/WIRE.md): validation of one telemetry payload.
 * Bad data is a value: the verdict says what was accepted and, for every part that was not, why.
 * Nothing valid in a message is lost because a sibling reading is bad.
 */

/** Why a message, or one reading of it, was not accepted. Stable strings: they are metric labels. */
export type RejectReason =
  | 'payload-too-large'
  | 'malformed-json'
  | 'schema'
  | 'missing-seq'
  | 'bad-timestamp'
  | 'unknown-code'
  | 'unknown-unit'
  | 'duplicate-code'
  | 'too-many-items'
  | 'no-valid-content';

export const REJECT_REASONS: readonly RejectReason[] = [
  'payload-too-large',
  'malformed-json',
  'schema',
  'missing-seq',
  'bad-timestamp',
  'unknown-code',
  'unknown-unit',
  'duplicate-code',
  'too-many-items',
  'no-valid-content',
];

/** A problem with one item of an otherwise accepted message. */
export interface ItemProblem {
  /** JSON path of the item, e.g. `readings[2]`. */
  readonly path: string;
  readonly reason: RejectReason;
  readonly detail: string;
}

export type WireVerdict =
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly detail: string }
  | { readonly kind: 'accepted'; readonly message: DeviceMessage; readonly problems: readonly ItemProblem[] };

export interface WireLimits {
  readonly maxPayloadBytes: number;
  readonly maxReadings: number;
  readonly maxWaveforms: number;
  readonly maxSamplesPerWaveform: number;
  readonly maxSampleRateHz: number;
  /** A device clock further than this from ingest time flags the message's readings clock-skew. */
  readonly clockSkewToleranceMs: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxPayloadBytes: 64 * 1024,
  maxReadings: 256,
  maxWaveforms: 16,
  maxSamplesPerWaveform: 8192,
  maxSampleRateHz: 10_000,
  clockSkewToleranceMs: 60_000,
};

export interface WireContext {
  readonly catalogue: Catalogue;
  readonly plausibility: PlausibilityLimits;
  readonly limits: WireLimits;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

function reject(reason: RejectReason, detail: string): WireVerdict {
  return { kind: 'rejected', reason, detail };
}

/**
 * Validates one telemetry payload of `deviceId`, received at `receivedAt` (epoch ms).
 * `payload` is the raw MQTT payload; its size is checked before it is parsed.
 */
export function validateTelemetry(
  ctx: WireContext,
  deviceId: DeviceId,
  payload: Uint8Array,
  receivedAt: number,
): WireVerdict {
  const { limits } = ctx;
  if (payload.byteLength > limits.maxPayloadBytes) {
    return reject(
      'payload-too-large',
      `payload is ${payload.byteLength} bytes; the limit is ${limits.maxPayloadBytes}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(UTF8.decode(payload));
  } catch (err) {
    return reject('malformed-json', `payload is not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(body)) return reject('schema', 'payload must be a JSON object');

  const { seq } = body;
  if (seq === undefined || seq === null)
    return reject('missing-seq', 'seq is required (an integer that increases per message within a boot)');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    return reject('schema', 'seq must be a non-negative integer');
  }
  let boot = '';
  if (body['boot'] !== undefined) {
    const b = body['boot'];
    if (typeof b !== 'string' || b.length === 0 || b.length > 64 || hasControlCharacter(b)) {
      return reject('schema', 'boot must be a string of 1-64 printable characters');
    }
    boot = b;
  }
  if (body['ts'] === undefined) return reject('schema', 'ts is required (epoch ms or ISO-8601)');
  const observedAt = parseEventTime(body['ts']);
  if (observedAt === undefined)
    return reject('bad-timestamp', 'ts must be epoch milliseconds or an ISO-8601 date-time with offset');

  const rawReadings = body['readings'] ?? [];
  const rawWaveforms = body['waveforms'] ?? [];
  if (!Array.isArray(rawReadings)) return reject('schema', 'readings must be an array');
  if (!Array.isArray(rawWaveforms)) return reject('schema', 'waveforms must be an array');
  if (rawReadings.length > limits.maxReadings) {
    return reject('too-many-items', `${rawReadings.length} readings; the limit is ${limits.maxReadings}`);
  }
  if (rawWaveforms.length > limits.maxWaveforms) {
    return reject('too-many-items', `${rawWaveforms.length} waveforms; the limit is ${limits.maxWaveforms}`);
  }

  const skewed = Math.abs(observedAt - receivedAt) > limits.clockSkewToleranceMs ? QualityFlag.clockSkew : 0;
  const problems: ItemProblem[] = [];
  const readings = validateReadings(ctx, rawReadings, skewed, problems);
  const waveforms = validateWaveforms(ctx, rawWaveforms, skewed, problems);
  const status = validateStatus(body['status'], problems);

  const offered = rawReadings.length + rawWaveforms.length + (body['status'] === undefined ? 0 : 1);
  if (offered > 0 && readings.length === 0 && waveforms.length === 0 && status === undefined) {
    const first = problems[0];
    return reject(
      first?.reason ?? 'no-valid-content',
      `nothing in the message was valid: ${describeProblems(problems)}`,
    );
  }
  const message: DeviceMessage = {
    deviceId,
    boot,
    seq,
    observedAt,
    readings,
    waveforms,
    ...(status === undefined ? {} : { status }),
  };
  return { kind: 'accepted', message, problems };
}

/** One line naming each problem, for a reason string or an errors-topic message. */
export function describeProblems(problems: readonly ItemProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.reason} (${p.detail})`).join('; ');
}
