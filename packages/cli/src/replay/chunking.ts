import type { ReplayChannel } from './channel-map.js';

/**
 * How a recording is cut into device messages. A chunk is a run of samples of every replayed channel;
 * its `t0` is the replay's start plus its first sample's index / fs. Chunks are whole multiples of the
 * *grid step* — the fewest samples spanning a whole number of milliseconds (1 at 250 Hz, 9 at 360 Hz,
 * 32 at 256 Hz) — because the wire carries `t0` in whole milliseconds: so every `t0` is exact and the
 * segments of consecutive messages join without gap or overlap.
 */

/** The wire contract's limits that shape a chunk (`DEFAULT_WIRE_LIMITS` of the platform). */
export interface ChunkLimits {
  readonly maxPayloadBytes: number;
  readonly maxSamplesPerWaveform: number;
  readonly maxSampleRateHz: number;
}

/** A chunking that cannot meet the limits; the message says which option to change and to what. */
export class ChunkError extends Error {
  override readonly name = 'ChunkError';
}

export interface ChunkPlan {
  readonly samplesPerChunk: number;
  /** The chunk's duration, samplesPerChunk × 1000 / fs (it may differ a little from the one asked for). */
  readonly chunkMs: number;
  /** See the module comment; null when no step of at most `maxSamplesPerWaveform` samples exists. */
  readonly gridStep: number | null;
  /** The largest payload a chunk can make, in bytes: at most the limit. */
  readonly worstPayloadBytes: number;
  /** Said on stderr when the chunk had to be shortened to fit the payload limit. */
  readonly note?: string;
}

export interface ChunkRequest {
  readonly fsHz: number;
  readonly chunkMs: number;
  /** `--chunk-ms` was given: refuse rather than shorten it. */
  readonly explicit: boolean;
  readonly channels: readonly ReplayChannel[];
  readonly boot: string;
  readonly limits: ChunkLimits;
}

/** The fewest samples (≤ `max`) that span a whole number of milliseconds at `fsHz`, or null. */
export function gridStep(fsHz: number, max: number): number | null {
  for (let k = 1; k <= max; k++) {
    const ms = (k * 1000) / fsHz;
    if (Math.abs(ms - Math.round(ms)) <= 1e-9 * Math.max(1, ms)) return k;
  }
  return null;
}

/** The longest text a sample of `samples` takes in JSON. */
export function maxSampleChars(samples: ArrayLike<number>): number {
  let longest = 1;
  for (let i = 0; i < samples.length; i++) longest = Math.max(longest, String(samples[i]).length);
  return longest;
}

/**
 * The chunk size for a request: `chunkMs` rounded to the grid step, within the samples-per-segment
 * limit and the payload limit (each sample counted at the longest text its channel has). Shortens a
 * default chunk to fit and says so in `note`; refuses (ChunkError) an explicit one that does not fit, or
 * a recording no chunk can carry.
 */
export function planChunks(r: ChunkRequest): ChunkPlan {
  const { fsHz, limits } = r;
  if (!(fsHz > 0 && fsHz <= limits.maxSampleRateHz)) {
    throw new ChunkError(
      `the recording's rate ${fsHz} Hz is outside the wire contract's 0 < fs <= ${limits.maxSampleRateHz} Hz`,
    );
  }
  const grid = gridStep(fsHz, limits.maxSamplesPerWaveform);
  const step = grid ?? 1;
  const ms = (n: number) => (n * 1000) / fsHz;
  const wanted = Math.max(step, Math.round((r.chunkMs * fsHz) / 1000 / step) * step);
  const segmentCap = Math.floor(limits.maxSamplesPerWaveform / step) * step;
  if (wanted > segmentCap && r.explicit) {
    throw new ChunkError(
      `--chunk-ms ${r.chunkMs} is ${wanted} samples at ${fsHz} Hz; a waveform segment holds at most ${limits.maxSamplesPerWaveform}: ` +
        `use --chunk-ms ${Math.floor(ms(segmentCap))} or less`,
    );
  }
  const perSample = r.channels.reduce((sum, c) => sum + maxSampleChars(c.samples) + 1, 0);
  const base = envelopeBytes(r);
  const bytes = (n: number) => base + n * perSample - r.channels.length;
  const fitting = Math.floor(Math.floor((limits.maxPayloadBytes - base + r.channels.length) / perSample) / step) * step;
  const chosen = Math.min(wanted, segmentCap);
  if (fitting < step) {
    throw new ChunkError(
      `even the shortest chunk (${step} samples, ${ms(step)} ms) of ${r.channels.length} channels can take ${bytes(step)} bytes, ` +
        `above the ${limits.maxPayloadBytes}-byte payload limit: replay fewer channels (--channels)`,
    );
  }
  if (chosen <= fitting) {
    return { samplesPerChunk: chosen, chunkMs: ms(chosen), gridStep: grid, worstPayloadBytes: bytes(chosen) };
  }
  if (r.explicit) {
    throw new ChunkError(
      `--chunk-ms ${r.chunkMs}: a message could take ${bytes(chosen)} bytes, above the ${limits.maxPayloadBytes}-byte payload limit: ` +
        `use --chunk-ms ${Math.floor(ms(fitting))} or less, or fewer --channels`,
    );
  }
  return {
    samplesPerChunk: fitting,
    chunkMs: ms(fitting),
    gridStep: grid,
    worstPayloadBytes: bytes(fitting),
    note: `chunks shortened to ${fitting} samples (${ms(fitting)} ms) to stay within the ${limits.maxPayloadBytes}-byte payload limit`,
  };
}

/** Bytes of a message with no samples, at its longest (largest seq, widest instants). */
function envelopeBytes(r: ChunkRequest): number {
  const widest = -8.64e15;
  const payload = {
    seq: Number.MAX_SAFE_INTEGER,
    boot: r.boot,
    ts: widest,
    waveforms: r.channels.map((c) => ({ code: c.code, fs: r.fsHz, t0: widest, unit: c.unit, samples: [] })),
  };
  return new TextEncoder().encode(JSON.stringify(payload)).byteLength;
}

/** The part of the recording replayed: samples [from, to). */
export interface Section {
  readonly from: number;
  readonly to: number;
}

/** One message's worth of the recording. */
export interface Chunk {
  readonly seq: number;
  /** 0 for the first pass through the section, 1 for the second (`--loop`), … */
  readonly pass: number;
  /** Samples [from, to) of the recording. */
  readonly from: number;
  readonly to: number;
  /** Event time of the first sample, epoch ms. */
  readonly t0: number;
  /** Event time just after the last sample, as an offset from the replay's start in ms (for pacing). */
  readonly endOffsetMs: number;
}

/**
 * The chunks of a replay, in order, seq from 1. Pass p (with `loop`) starts at the replay's start plus
 * p times the section's length rounded up to the grid step, so its `t0`s stay whole milliseconds: at
 * the seam between passes there may be a gap of less than one grid step.
 */
export class ChunkCursor {
  private seq = 0;
  private pass = 0;
  private offset = 0;
  private readonly passSamples: number;

  constructor(
    private readonly plan: ChunkPlan,
    private readonly section: Section,
    private readonly fsHz: number,
    private readonly startAt: number,
    private readonly loop: boolean,
  ) {
    if (!(section.to > section.from)) throw new ChunkError('the section to replay is empty');
    const step = plan.gridStep ?? 1;
    this.passSamples = Math.ceil((section.to - section.from) / step) * step;
  }

  /** The next chunk, or undefined at the end of the section (never with `loop`). */
  next(): Chunk | undefined {
    const length = this.section.to - this.section.from;
    if (this.offset >= length) {
      if (!this.loop) return undefined;
      this.pass++;
      this.offset = 0;
    }
    const size = Math.min(this.plan.samplesPerChunk, length - this.offset);
    const sampleIndex = this.pass * this.passSamples + this.offset;
    const chunk: Chunk = {
      seq: ++this.seq,
      pass: this.pass,
      from: this.section.from + this.offset,
      to: this.section.from + this.offset + size,
      t0: this.startAt + Math.round((sampleIndex * 1000) / this.fsHz),
      endOffsetMs: ((sampleIndex + size) * 1000) / this.fsHz,
    };
    this.offset += size;
    return chunk;
  }
}

/** The device message of a chunk: `waveforms[]` with each channel's samples, `ts` = `t0`. */
export function chunkPayload(chunk: Chunk, channels: readonly ReplayChannel[], boot: string, fsHz: number) {
  return {
    seq: chunk.seq,
    boot,
    ts: chunk.t0,
    waveforms: channels.map((c) => ({
      code: c.code,
      fs: fsHz,
      t0: chunk.t0,
      unit: c.unit,
      samples: sliceOf(c.samples, chunk.from, chunk.to),
    })),
  };
}

function sliceOf(samples: ArrayLike<number>, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = samples[i] as number;
  return out;
}
