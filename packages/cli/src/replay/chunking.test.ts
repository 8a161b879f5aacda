import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_WIRE_LIMITS } from '@wardstream/domain';
import type { ReplayChannel } from './channel-map.js';
import {
  ChunkCursor,
  ChunkError,
  chunkPayload,
  gridStep,
  planChunks,
  type Chunk,
  type ChunkPlan,
  type ChunkRequest,
} from './chunking.js';

const T0 = Date.UTC(2026, 10, 25, 8);

function channel(code: string, samples: number[]): ReplayChannel {
  return { name: code, code, unit: code.includes('ECG') ? 'mV' : '1', samples };
}

/** 1,001 samples of a ramp, with decimals that JSON spells out in full. */
const ECG = channel(
  'MDC_ECG_ELEC_POTL_II',
  Array.from({ length: 1_001 }, (_, k) => (k - 500) / 200),
);
const PLETH = channel(
  'MDC_PULS_OXIM_PLETH',
  Array.from({ length: 1_001 }, (_, k) => k / 1_250),
);

function request(fsHz: number, chunkMs = 250, more: Partial<ChunkRequest> = {}): ChunkRequest {
  return {
    fsHz,
    chunkMs,
    explicit: false,
    channels: [ECG, PLETH],
    boot: 'replay-x',
    limits: DEFAULT_WIRE_LIMITS,
    ...more,
  };
}

function all(cursor: ChunkCursor, max = 10_000): Chunk[] {
  const out: Chunk[] = [];
  for (let c = cursor.next(); c !== undefined && out.length < max; c = cursor.next()) out.push(c);
  return out;
}

describe('wardstream replay: chunking', () => {
  it('cuts chunks on whole milliseconds: the grid step of the rate', () => {
    assert.equal(gridStep(250, 8192), 1);
    assert.equal(gridStep(360, 8192), 9);
    assert.equal(gridStep(125, 8192), 1);
    assert.equal(gridStep(256, 8192), 32);
    assert.equal(gridStep(1000 / 3, 8192), 1);
    assert.equal(gridStep(Math.PI * 100, 8192), null);
    assert.deepEqual([planChunks(request(360)).samplesPerChunk, planChunks(request(360)).chunkMs], [90, 250]);
    assert.deepEqual([planChunks(request(256)).samplesPerChunk, planChunks(request(256)).chunkMs], [64, 250]);
    assert.equal(planChunks(request(360, 1)).samplesPerChunk, 9);
  });

  it('gives back every sample once, in order, with contiguous t0s, for any chunk size', () => {
    for (const [fs, chunkMs] of [
      [360, 250],
      [360, 100],
      [250, 250],
      [256, 40],
      [125, 1_000],
    ] as const) {
      const plan = planChunks(request(fs, chunkMs));
      const chunks = all(new ChunkCursor(plan, { from: 0, to: 1_001 }, fs, T0, false));
      const payloads = chunks.map((c) => chunkPayload(c, [ECG, PLETH], 'replay-x', fs));
      for (const [i, ch] of [ECG, PLETH].entries()) {
        const sent = payloads.flatMap((p) => p.waveforms[i]!.samples);
        assert.deepEqual(sent, ch.samples, `${fs} Hz, ${chunkMs} ms: ${ch.code}`);
      }
      assert.deepEqual(
        chunks.map((c) => c.seq),
        chunks.map((_, i) => i + 1),
      );
      chunks.forEach((c, i) => {
        const payload = payloads[i]!;
        assert.equal(payload.ts, c.t0);
        assert.ok(payload.waveforms.every((w) => w.t0 === c.t0 && w.fs === fs));
        assert.ok(Number.isInteger(c.t0), `t0 ${c.t0} is whole milliseconds`);
        assert.equal(c.t0, T0 + (c.from * 1000) / fs, 't0 = start + index / fs');
        const next = chunks[i + 1];
        if (next !== undefined) assert.equal(next.t0, c.t0 + ((c.to - c.from) * 1000) / fs, 'contiguous');
      });
      const last = chunks.at(-1)!;
      assert.equal(last.to, 1_001);
      assert.ok(chunks.every((c) => c.to - c.from <= plan.samplesPerChunk));
    }
  });

  it('replays a section, and with --loop starts each pass on the next whole millisecond', () => {
    const plan = planChunks(request(360));
    const cursor = new ChunkCursor(plan, { from: 100, to: 280 }, 360, T0, true);
    const chunks = all(cursor, 5);
    assert.deepEqual(
      chunks.map((c) => [c.pass, c.from, c.to, c.t0 - T0]),
      [
        [0, 100, 190, 0],
        [0, 190, 280, 250],
        [1, 100, 190, 500],
        [1, 190, 280, 750],
        [2, 100, 190, 1_000],
      ],
    );
    // 181 samples at 360 Hz: the pass is rounded up to 189 samples (525 ms), the next one starts there.
    const odd = all(new ChunkCursor(plan, { from: 0, to: 181 }, 360, T0, true), 4);
    assert.deepEqual(
      odd.map((c) => [c.pass, c.to - c.from, c.t0 - T0]),
      [
        [0, 90, 0],
        [0, 90, 250],
        [0, 1, 500],
        [1, 90, 525],
      ],
    );
    assert.throws(() => new ChunkCursor(plan, { from: 5, to: 5 }, 360, T0, false), ChunkError);
  });

  it('keeps within 8,192 samples a segment and the payload limit, shortening the default or refusing an explicit chunk', () => {
    const LONG = -0.0012345678901234567;
    const long = [channel('MDC_ECG_ELEC_POTL_II', [LONG]), channel('MDC_PULS_OXIM_PLETH', [LONG])];
    /** The bytes of a chunk of `plan` whose every sample is as long as LONG, at its longest seq and t0. */
    const worst = (plan: ChunkPlan, fs: number) => {
      const n = plan.samplesPerChunk;
      const full = long.map((c) => ({ ...c, samples: Array.from({ length: n }, () => LONG) }));
      const cursor = new ChunkCursor(plan, { from: 0, to: n }, fs, -8.64e15, false);
      const payload = { ...chunkPayload(cursor.next()!, full, 'replay-x', fs), seq: Number.MAX_SAFE_INTEGER };
      return new TextEncoder().encode(JSON.stringify(payload)).byteLength;
    };
    const fitted = planChunks(request(10_000, 250, { channels: long }));
    assert.ok(
      fitted.samplesPerChunk < 2_500,
      'the default 250 ms of two channels of 22-character samples does not fit 64 KiB',
    );
    assert.match(fitted.note ?? '', /chunks shortened to \d+ samples/);
    assert.ok(fitted.worstPayloadBytes <= 65_536);
    assert.equal(worst(fitted, 10_000), fitted.worstPayloadBytes);
    const longer = fitted.samplesPerChunk + (fitted.gridStep ?? 1);
    assert.ok(worst({ ...fitted, samplesPerChunk: longer }, 10_000) > 65_536, 'the longest that fits');
    assert.throws(
      () => planChunks(request(10_000, 250, { channels: long, explicit: true })),
      /--chunk-ms 250: a message could take \d+ bytes, above the 65536-byte payload limit: use --chunk-ms \d+ or less/,
    );
    assert.throws(
      () => planChunks(request(250, 40_000, { explicit: true })),
      /--chunk-ms 40000 is 10000 samples at 250 Hz; a waveform segment holds at most 8192: use --chunk-ms 32768 or less/,
    );
    assert.equal(
      planChunks(request(250, 40_000, { channels: [channel('MDC_ECG_ELEC_POTL_II', [1])] })).samplesPerChunk,
      8_192,
    );
    assert.throws(() => planChunks(request(20_000)), /outside the wire contract's 0 < fs <= 10000 Hz/);
    assert.throws(
      () => planChunks(request(360, 250, { limits: { ...DEFAULT_WIRE_LIMITS, maxPayloadBytes: 300 } })),
      /even the shortest chunk \(9 samples, 25 ms\) of 2 channels can take \d+ bytes/,
    );
  });
});
