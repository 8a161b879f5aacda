import type { Catalogue, CatalogueEntry } from './catalogue.js';
import type { DeviceId } from './ids.js';
import { isImplausible, type PlausibilityLimits } from './plausibility.js';
import { QualityFlag, type Quality } from './quality.js';
import type { DeviceMessage, DeviceStatus, NormalizedReading, NormalizedWaveform } from './reading.js';

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

// Epoch ms within ±275,000 years of 1970: the ECMAScript Date range (ECMA-262 21.4.1.22).
const MAX_EPOCH_MS = 8.64e15;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

function reject(reason: RejectReason, detail: string): WireVerdict {
  return { kind: 'rejected', reason, detail };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses `ts`/`t0`: epoch milliseconds or an ISO-8601 date-time with an offset. */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_MS ? Math.trunc(value) : undefined;
  }
  if (typeof value === 'string' && ISO_8601.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
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

function resolveCode(
  ctx: WireContext,
  item: Record<string, unknown>,
  path: string,
  kind: CatalogueEntry['kind'],
  problems: ItemProblem[],
): { entry: CatalogueEntry; convert: (v: number) => number } | undefined {
  const { code, unit } = item;
  if (typeof code !== 'string') {
    problems.push({ path, reason: 'schema', detail: 'code must be a string' });
    return undefined;
  }
  const entry = ctx.catalogue.lookup(code);
  if (entry?.kind !== kind) {
    problems.push({ path, reason: 'unknown-code', detail: `"${code.slice(0, 64)}" is not a known ${kind} code` });
    return undefined;
  }
  if (typeof unit !== 'string') {
    problems.push({ path, reason: 'schema', detail: 'unit must be a UCUM string' });
    return undefined;
  }
  const convert = ctx.catalogue.conversion(entry, unit);
  if (convert === undefined) {
    const accepted = ctx.catalogue.acceptedUnits(entry).join(', ');
    problems.push({
      path,
      reason: 'unknown-unit',
      detail: `"${unit.slice(0, 32)}" for ${entry.code}; accepted: ${accepted}`,
    });
    return undefined;
  }
  return { entry, convert };
}

function validateReadings(
  ctx: WireContext,
  raw: unknown[],
  skewed: Quality,
  problems: ItemProblem[],
): NormalizedReading[] {
  const out: NormalizedReading[] = [];
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const path = `readings[${i}]`;
    if (!isRecord(item)) {
      problems.push({ path, reason: 'schema', detail: 'a reading must be an object' });
      return;
    }
    const resolved = resolveCode(ctx, item, path, 'numeric', problems);
    if (resolved === undefined) return;
    const { value } = item;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push({ path, reason: 'schema', detail: 'value must be a finite number' });
      return;
    }
    const { entry } = resolved;
    // The idempotency key is (deviceId, boot, seq, code): a code may appear once per message.
    if (seen.has(entry.code)) {
      problems.push({ path, reason: 'duplicate-code', detail: `${entry.code} appears twice in one message` });
      return;
    }
    seen.add(entry.code);
    const canonical = resolved.convert(value);
    let quality = skewed;
    if (isImplausible(ctx.plausibility, entry.code, canonical)) quality |= QualityFlag.implausible;
    if (item['artifact'] === true) quality |= QualityFlag.artifact;
    out.push({ code: entry.code, value: canonical, unit: entry.unit, quality });
  });
  return out;
}

function validateWaveforms(
  ctx: WireContext,
  raw: unknown[],
  skewed: Quality,
  problems: ItemProblem[],
): NormalizedWaveform[] {
  const { limits } = ctx;
  const out: NormalizedWaveform[] = [];
  raw.forEach((item, i) => {
    const path = `waveforms[${i}]`;
    if (!isRecord(item)) {
      problems.push({ path, reason: 'schema', detail: 'a waveform must be an object' });
      return;
    }
    const resolved = resolveCode(ctx, item, path, 'waveform', problems);
    if (resolved === undefined) return;
    const { fs, samples } = item;
    if (typeof fs !== 'number' || !Number.isFinite(fs) || fs <= 0 || fs > limits.maxSampleRateHz) {
      problems.push({
        path,
        reason: 'schema',
        detail: `fs must be a sample rate in Hz, 0 < fs <= ${limits.maxSampleRateHz}`,
      });
      return;
    }
    const startAt = parseEventTime(item['t0']);
    if (startAt === undefined) {
      problems.push({ path, reason: 'bad-timestamp', detail: 't0 must be epoch milliseconds or ISO-8601' });
      return;
    }
    if (!Array.isArray(samples) || samples.length === 0) {
      problems.push({ path, reason: 'schema', detail: 'samples must be a non-empty array of numbers' });
      return;
    }
    if (samples.length > limits.maxSamplesPerWaveform) {
      problems.push({
        path,
        reason: 'too-many-items',
        detail: `${samples.length} samples; the limit is ${limits.maxSamplesPerWaveform}`,
      });
      return;
    }
    const converted: number[] = new Array<number>(samples.length);
    for (let s = 0; s < samples.length; s++) {
      const v: unknown = samples[s];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        problems.push({ path: `${path}.samples[${s}]`, reason: 'schema', detail: 'a sample must be a finite number' });
        return;
      }
      converted[s] = resolved.convert(v);
    }
    const quality = skewed | (item['artifact'] === true ? QualityFlag.artifact : 0);
    out.push({ code: resolved.entry.code, unit: resolved.entry.unit, fsHz: fs, startAt, samples: converted, quality });
  });
  return out;
}

function validateStatus(raw: unknown, problems: ItemProblem[]): DeviceStatus | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.push({ path: 'status', reason: 'schema', detail: 'status must be an object' });
    return undefined;
  }
  const { battery, rssi, errors } = raw;
  if (battery !== undefined && (typeof battery !== 'number' || !(battery >= 0 && battery <= 1))) {
    problems.push({ path: 'status.battery', reason: 'schema', detail: 'battery must be a fraction 0..1' });
    return undefined;
  }
  if (rssi !== undefined && (typeof rssi !== 'number' || !Number.isFinite(rssi))) {
    problems.push({ path: 'status.rssi', reason: 'schema', detail: 'rssi must be a number (dBm)' });
    return undefined;
  }
  if (
    errors !== undefined &&
    (!Array.isArray(errors) || errors.some((e) => typeof e !== 'string' || e.length > 128) || errors.length > 32)
  ) {
    problems.push({
      path: 'status.errors',
      reason: 'schema',
      detail: 'errors must be an array of at most 32 strings of at most 128 characters',
    });
    return undefined;
  }
  return {
    ...(battery === undefined ? {} : { batteryFraction: battery }),
    ...(rssi === undefined ? {} : { rssiDbm: rssi }),
    errors: (errors as string[] | undefined) ?? [],
  };
}
