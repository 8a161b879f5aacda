import type { CatalogueEntry } from './catalogue.js';
import { isImplausible } from './plausibility.js';
import { QualityFlag, type Quality } from './quality.js';
import type { DeviceStatus, NormalizedReading, NormalizedWaveform } from './reading.js';
import type { ItemProblem, WireContext } from './wire.js';
import { parseEventTime } from './wire-time.js';

/**
 * Validation of the items of a telemetry message (readings, waveforms, status). Each bad item is
 * reported in `problems` and left out; the good ones are returned normalised.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

export function validateReadings(
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

export function validateWaveforms(
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

/** 1-64 printable ASCII characters (space to tilde): shown to operators as is, so nothing invisible. */
function isFirmwareVersion(text: string): boolean {
  if (text.length === 0 || text.length > 64) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

export function validateStatus(raw: unknown, problems: ItemProblem[]): DeviceStatus | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.push({ path: 'status', reason: 'schema', detail: 'status must be an object' });
    return undefined;
  }
  const { battery, rssi, errors, firmware } = raw;
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
  // The firmware version is for display: a bad one is refused on its own, and never takes the rest of
  // the status (battery, a lead-off error) with it, which the clinical engine needs.
  const goodFirmware = typeof firmware === 'string' && isFirmwareVersion(firmware);
  if (firmware !== undefined && !goodFirmware) {
    problems.push({
      path: 'status.firmware',
      reason: 'schema',
      detail: 'firmware must be a string of 1-64 printable ASCII characters',
    });
  }
  return {
    ...(battery === undefined ? {} : { batteryFraction: battery }),
    ...(rssi === undefined ? {} : { rssiDbm: rssi }),
    errors: (errors as string[] | undefined) ?? [],
    ...(goodFirmware ? { firmware } : {}),
  };
}
