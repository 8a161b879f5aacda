import { WardstreamError } from '@wardstream/domain';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import { verifiedBody, withChecksum } from './checksum.js';
import { chunkQuality, type ChunkQuality } from './chunk-quality.js';
import { ExactSum } from './exact-sum.js';
import { readNumberColumn, writeNumberColumn } from './number-column.js';
import type { SampleColumns } from './samples.js';

/**
 * The chunk blob: a run of one series' samples in columns, sorted, with a CRC-32 trailer.
 *
 *   u8 version (1) · varint count
 *   number columns observedAt, value, receivedAt, seq, quality (see number-column.ts)
 *   string columns boot, unit: varint distinct count, the strings, then an index column when > 1
 *   u32 CRC-32 of everything before it
 *
 * A blob that fails its checksum or framing is never decoded into readings: `decodeChunk` throws
 * a `WardstreamError` with code CORRUPT.
 */

const VERSION = 1;

/** Every chunk lies within one aligned hour (see `cutChunks`), so a chunk spans less than this. */
export const CHUNK_SPAN_LIMIT_MS = 3_600_000;

/**
 * What the chunk row keeps beside the blob, for queries that need no decoding. Count, min, max and
 * sum are of every sample, whatever its flags; `flags` tells whether that is what a query wants.
 */
export interface ChunkSummary extends ChunkQuality {
  /** Earliest and latest observedAt in the chunk, epoch ms. */
  readonly startAt: number;
  readonly endAt: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  /** The sum rounded to float64, and its exact partials (see exact-sum.ts). */
  readonly sum: number;
  readonly sumParts: Uint8Array;
}

export interface EncodedChunk extends ChunkSummary {
  readonly data: Uint8Array;
}

/** A decoded chunk: typed-array columns. */
export interface DecodedChunk extends SampleColumns {
  readonly observedAt: Float64Array;
  readonly value: Float64Array;
  readonly receivedAt: Float64Array;
  readonly seq: Float64Array;
  readonly quality: Float64Array;
  readonly bootId: Float64Array;
  readonly unitId: Float64Array;
}

/**
 * Encodes samples [from, to) of sorted `columns` (to > from) into `w`, which is reset first: the
 * returned `data` is a view into `w`, valid until its next use (SQLite copies bound blobs).
 */
export function encodeChunk(columns: SampleColumns, from: number, to: number, w: ByteWriter): EncodedChunk {
  const count = to - from;
  w.reset();
  w.u8(VERSION);
  w.varint(count);
  writeNumberColumn(w, columns.observedAt, from, to);
  writeNumberColumn(w, columns.value, from, to);
  writeNumberColumn(w, columns.receivedAt, from, to);
  writeNumberColumn(w, columns.seq, from, to);
  writeNumberColumn(w, columns.quality, from, to);
  writeStringColumn(w, columns.bootId, columns.boots, from, to);
  writeStringColumn(w, columns.unitId, columns.units, from, to);
  const data = withChecksum(w);

  const sum = new ExactSum();
  let min = Infinity;
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const v = columns.value[i] as number;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum.add(v);
  }
  return {
    startAt: columns.observedAt[from] as number,
    endAt: columns.observedAt[to - 1] as number,
    count,
    min,
    max,
    sum: sum.value(),
    sumParts: encodeParts(sum.parts()),
    ...chunkQuality(columns, from, to),
    data,
  };
}

/** Decodes a chunk blob; throws `WardstreamError('CORRUPT')` when it fails its checksum or framing. */
export function decodeChunk(data: Uint8Array, label: string): DecodedChunk {
  const body = verifiedBody(data, label);
  try {
    const r = new ByteReader(body);
    const version = r.u8();
    if (version !== VERSION) throw new RangeError(`unknown chunk version ${version}`);
    const count = r.varint();
    const observedAt = readNumberColumn(r, count);
    const value = readNumberColumn(r, count);
    const receivedAt = readNumberColumn(r, count);
    const seq = readNumberColumn(r, count);
    const quality = readNumberColumn(r, count);
    const [bootId, boots] = readStringColumn(r, count);
    const [unitId, units] = readStringColumn(r, count);
    if (r.remaining !== 0) throw new RangeError('trailing bytes');
    return { length: count, observedAt, value, receivedAt, seq, quality, bootId, boots, unitId, units };
  } catch (err) {
    throw new WardstreamError('CORRUPT', `${label}: undecodable chunk`, { cause: err });
  }
}

export function encodeParts(parts: readonly number[]): Uint8Array {
  const w = new ByteWriter(parts.length * 8 + 1);
  for (const p of parts) w.f64(p);
  return w.finish();
}

export function decodeParts(bytes: Uint8Array): number[] {
  const r = new ByteReader(bytes);
  const parts: number[] = [];
  while (r.remaining > 0) parts.push(r.f64());
  return parts;
}

/** Writes the dictionary entries used by ids[from..to), then the ids renumbered, when more than one. */
function writeStringColumn(
  w: ByteWriter,
  ids: ArrayLike<number>,
  dictionary: readonly string[],
  from: number,
  to: number,
): void {
  const renumbered = new Map<number, number>();
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    const id = ids[i] as number;
    let next = renumbered.get(id);
    if (next === undefined) {
      next = renumbered.size;
      renumbered.set(id, next);
    }
    out.push(next);
  }
  w.varint(renumbered.size);
  for (const id of renumbered.keys()) w.string(dictionary[id] as string);
  if (renumbered.size > 1) writeNumberColumn(w, out, 0, out.length);
}

function readStringColumn(r: ByteReader, count: number): [Float64Array, string[]] {
  const distinct = r.varint();
  const dictionary: string[] = [];
  for (let i = 0; i < distinct; i++) dictionary.push(r.string());
  if (distinct <= 1) {
    if (distinct === 0 && count > 0) throw new RangeError('empty string dictionary');
    return [new Float64Array(count), dictionary];
  }
  const ids = readNumberColumn(r, count);
  for (let i = 0; i < count; i++) {
    const id = ids[i] as number;
    if (!(id >= 0 && id < distinct && Number.isInteger(id))) throw new RangeError('string id out of range');
  }
  return [ids, dictionary];
}

/**
 * Cuts sorted samples into chunks of at most `limit` samples, never across an hour boundary,
 * encoding each into `blob` (so each must be used before the next is taken).
 */
export function* cutChunks(columns: SampleColumns, limit: number, blob: ByteWriter): Generator<EncodedChunk> {
  let from = 0;
  while (from < columns.length) {
    const hour = Math.floor((columns.observedAt[from] as number) / CHUNK_SPAN_LIMIT_MS);
    let to = from + 1;
    const max = Math.min(columns.length, from + limit);
    while (to < max && Math.floor((columns.observedAt[to] as number) / CHUNK_SPAN_LIMIT_MS) === hour) to++;
    yield encodeChunk(columns, from, to, blob);
    from = to;
  }
}
