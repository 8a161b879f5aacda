import { DEFAULT_WIRE_LIMITS, type RejectReason } from '@wardstream/domain';
import { encodeJson, type TelemetryPayload } from './payload.js';

/** The kinds of bad message the `malformed` scenario sends. */
export type MalformedKind =
  | 'not-json'
  | 'missing-seq'
  | 'unknown-code'
  | 'unknown-unit'
  | 'oversize'
  | 'bad-value-type'
  | 'bad-seq-type'
  | 'bad-timestamp';

/** Every malformed kind, in a fixed order (the scenario picks among them at random). */
export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'not-json',
  'missing-seq',
  'unknown-code',
  'unknown-unit',
  'oversize',
  'bad-value-type',
  'bad-seq-type',
  'bad-timestamp',
];

/** A bad message and the answer it must get. */
export interface MalformedMessage {
  readonly kind: MalformedKind;
  readonly payload: Uint8Array;
  /** The rejection reason the gateway must give (the domain's `RejectReason`). */
  readonly expect: RejectReason;
  /**
   * Whether the gateway can read (boot, seq) from the payload and name them in its answer. When it
   * cannot, an answer on the errors topic is matched to the oldest such message still unanswered.
   */
  readonly identifiable: boolean;
}

/** A code no catalogue holds. */
export const UNKNOWN_CODE = 'MDC_SIM_NO_SUCH_CODE';
/** A unit no code accepts. */
export const UNKNOWN_UNIT = '[furlong_i]/[fortnight]';

/**
 * A malformed variant of a valid payload. Every variant carries no status and no valid reading, so the
 * whole message is rejected (a valid status alone would make it accepted), with exactly `expect`.
 * `maxPayloadBytes` sizes the oversize variant (default: the domain's wire limit).
 */
export function malformedPayload(
  kind: MalformedKind,
  valid: TelemetryPayload,
  maxPayloadBytes: number = DEFAULT_WIRE_LIMITS.maxPayloadBytes,
): MalformedMessage {
  const { seq, boot, ts } = valid;
  const hr = { code: 'MDC_ECG_HEART_RATE', value: 72, unit: '/min' };
  const body = { seq, boot, ts, readings: [hr] };
  switch (kind) {
    case 'not-json': {
      const text = JSON.stringify(body);
      return bad(kind, new TextEncoder().encode(text.slice(0, text.length - 9)), 'malformed-json', false);
    }
    case 'missing-seq':
      return bad(kind, encodeJson({ boot, ts, readings: [hr] }), 'missing-seq', false);
    case 'unknown-code':
      return bad(kind, encodeJson({ ...body, readings: [{ ...hr, code: UNKNOWN_CODE }] }), 'unknown-code', true);
    case 'unknown-unit':
      return bad(kind, encodeJson({ ...body, readings: [{ ...hr, unit: UNKNOWN_UNIT }] }), 'unknown-unit', true);
    case 'oversize': {
      const size = encodeJson(body).byteLength;
      const padding = 'x'.repeat(maxPayloadBytes - size + 64);
      return bad(kind, encodeJson({ ...body, padding }), 'payload-too-large', false);
    }
    case 'bad-value-type':
      return bad(kind, encodeJson({ ...body, readings: [{ ...hr, value: '72' }] }), 'schema', true);
    case 'bad-seq-type':
      return bad(kind, encodeJson({ ...body, seq: String(seq) }), 'schema', false);
    case 'bad-timestamp':
      return bad(kind, encodeJson({ ...body, ts: 'yesterday at noon' }), 'bad-timestamp', true);
  }
}

function bad(kind: MalformedKind, payload: Uint8Array, expect: RejectReason, identifiable: boolean): MalformedMessage {
  return { kind, payload, expect, identifiable };
}
