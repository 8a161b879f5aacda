/**
 * The patient view's ECG strip, apart from the page so Node tests can run it: which lead to show,
 * the last seconds of its samples at full resolution, and where they fall on ECG paper.
 */

/** A waveform segment as `…/waveforms` (no `points`) serves it (fields used here). */
export interface ApiWaveform {
  /** The device that recorded it: a patient may have two monitors bound (a handover). */
  readonly deviceId: string;
  readonly code: string;
  readonly unit: string;
  readonly fsHz: number;
  /** Event time of the first sample, epoch ms; sample k is at `startAt + k·1000/fsHz`. */
  readonly startAt: number;
  readonly samples: readonly number[];
}

/** The conventional paper: 25 mm/s, 10 mm/mV; a strip of 10 s is 250 mm wide. */
export const ECG_PAPER = {
  mmPerS: 25,
  mmPerMv: 10,
  durationMs: 10_000,
  widthMm: 250,
  /** 3 mV: a QRS of a normal adult lead II fits. */
  heightMm: 30,
  /** The baseline sits 2 mV from the top (a QRS rises higher than it falls). */
  baselineFromTopMm: 20,
} as const;

export const LEAD_II = 'MDC_ECG_ELEC_POTL_II';
const ECG_PREFIX = 'MDC_ECG_ELEC_POTL_';

/** The lead to show: lead II when present, else the first ECG lead by name; undefined when none is. */
export function chooseEcgCode(codes: Iterable<string>): string | undefined {
  const leads = [...new Set(codes)].filter((c) => c.startsWith(ECG_PREFIX)).sort();
  return leads.includes(LEAD_II) ? LEAD_II : leads[0];
}

/** The last `durationMs` of one lead: `samples[k]` is at `startAt + k·1000/fsHz`, NaN where none was sent. */
export interface EcgStrip {
  /** The one device whose samples these are. */
  readonly deviceId: string;
  readonly code: string;
  readonly unit: string;
  readonly fsHz: number;
  readonly startAt: number;
  readonly endAt: number;
  readonly samples: Float64Array;
  /** Samples present (not NaN). */
  readonly drawn: number;
}

/**
 * How much older the device shown may fall behind another device's newest sample before the strip
 * moves to that device: two monitors streaming at once (a handover) would otherwise swap the strip
 * between them on every read, as their segments arrive in turn.
 */
export const KEEP_DEVICE_MS = 3_000;

export interface EcgStripOptions {
  /** The strip's length (default the paper's 10 s). */
  readonly durationMs?: number;
  /** The device shown so far: kept while it is within `KEEP_DEVICE_MS` of the newest sample. */
  readonly keepDeviceId?: string | undefined;
}

/**
 * The strip of `code` from one device, ending at that device's newest sample: the device of the
 * newest segment (or `keepDeviceId`, see `KEEP_DEVICE_MS`), never samples of two devices mixed — two
 * monitors bound during a handover record the same heart with different electrodes, timing and gain,
 * and merged they drew one trace of alternating chunks (issue 6, review defect 5). Overlapping
 * segments of that device: the later segment's sample wins; at the sampling rate of its newest
 * segment. Undefined when no segment of `code` has samples.
 */
export function ecgStrip(
  segments: readonly ApiWaveform[],
  code: string,
  options: EcgStripOptions = {},
): EcgStrip | undefined {
  const durationMs = options.durationMs ?? ECG_PAPER.durationMs;
  const leads = segments.filter((s) => s.code === code && s.samples.length > 0 && s.fsHz > 0);
  const newestOf = (of: readonly ApiWaveform[]) =>
    of.reduce<ApiWaveform | undefined>((a, s) => (a === undefined || segmentEnd(s) > segmentEnd(a) ? s : a), undefined);
  const newestOverall = newestOf(leads);
  if (newestOverall === undefined) return undefined;
  const kept = newestOf(leads.filter((s) => s.deviceId === options.keepDeviceId));
  const newest =
    kept !== undefined && segmentEnd(kept) >= segmentEnd(newestOverall) - KEEP_DEVICE_MS ? kept : newestOverall;
  const { deviceId, fsHz } = newest;
  const endAt = segmentEnd(newest);
  const length = Math.round((durationMs * fsHz) / 1000);
  const startAt = endAt - (length * 1000) / fsHz;
  const samples = new Float64Array(length).fill(Number.NaN);
  for (const s of leads) {
    if (s.deviceId !== deviceId || s.fsHz !== fsHz) continue;
    const offset = Math.round(((s.startAt - startAt) * fsHz) / 1000);
    for (let k = Math.max(0, -offset); k < s.samples.length && offset + k < length; k++) {
      const v = s.samples[k];
      if (v !== undefined && Number.isFinite(v)) samples[offset + k] = v;
    }
  }
  let drawn = 0;
  for (const v of samples) if (!Number.isNaN(v)) drawn++;
  return { deviceId, code, unit: newest.unit, fsHz, startAt, endAt, samples, drawn };
}

function segmentEnd(s: ApiWaveform): number {
  return s.startAt + (s.samples.length * 1000) / s.fsHz;
}

/** The median of the samples present (the strip's isoelectric line, near enough); 0 when none. */
export function stripBaseline(samples: Float64Array): number {
  const present = [...samples].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (present.length === 0) return 0;
  const mid = Math.floor(present.length / 2);
  return present.length % 2 === 1 ? (present[mid] ?? 0) : ((present[mid - 1] ?? 0) + (present[mid] ?? 0)) / 2;
}

/**
 * Where sample `k` of the strip falls on the paper, in mm from its top left corner: 25 mm per second
 * across, 10 mm per mV up from the baseline (the paper's edges clip what lies beyond).
 */
export function paperPoint(strip: EcgStrip, k: number, baselineMv: number): { xMm: number; yMm: number } {
  const value = strip.samples[k] ?? Number.NaN;
  return {
    xMm: (k / strip.fsHz) * ECG_PAPER.mmPerS,
    yMm: ECG_PAPER.baselineFromTopMm - (value - baselineMv) * ECG_PAPER.mmPerMv,
  };
}

/** The ECG analysis window as `…/ecg` serves it (fields used here). */
export interface ApiEcgWindow {
  readonly code: string;
  readonly at: string;
  readonly heartRateBpm: number | null;
  readonly sdnnMs: number | null;
  readonly rmssdMs: number | null;
  readonly sqi: number | null;
  readonly quality: string | null;
}

/** The analysis of the newest window, one short phrase each, in the order shown. */
export function ecgSummary(latest: ApiEcgWindow): string[] {
  const parts = [
    `ECG HR ${latest.heartRateBpm === null ? '—' : Math.round(latest.heartRateBpm)} /min`,
    `signal ${latest.quality ?? 'unknown'}${latest.sqi === null ? '' : ` (SQI ${latest.sqi.toFixed(2)})`}`,
  ];
  if (latest.sdnnMs !== null) parts.push(`SDNN ${Math.round(latest.sdnnMs)} ms`);
  if (latest.rmssdMs !== null) parts.push(`RMSSD ${Math.round(latest.rmssdMs)} ms`);
  return parts;
}
