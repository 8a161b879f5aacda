import type { StoredWaveform } from '../reading-store.js';
import type { CompactionReport, SliceLimits } from './compactor.js';
import type { FlushSnapshot } from './memory-state.js';
import type { EncodedSeqSet } from './message-keys.js';
import type { SampleColumns } from './samples.js';

/**
 * Messages between the store (main thread) and its writer thread, which owns the only writing
 * SQLite connection. The heads of a flush travel as transferred arrays (see `PackedHeads`).
 */

/**
 * The heads of one flush, packed for transfer: per series its seven columns one after the other,
 * `length` values each, with boot and unit ids pointing into one flush-wide string table.
 */
export interface PackedHeads {
  readonly samples: Float64Array;
  /** Per series: id, offset into `samples`, length. */
  readonly index: Float64Array;
  readonly strings: readonly string[];
}

/** A series row to create in the flush transaction. */
export interface NewSeriesRow {
  readonly id: number;
  readonly deviceId: string;
  readonly code: string;
  readonly patientId: string | null;
}

export interface FlushRequest {
  readonly kind: 'flush';
  /** Sequence number of this flush; its chunks and waveforms carry it (see `flush_id`). */
  readonly flushId: number;
  readonly writtenAt: number;
  readonly newSeries: readonly NewSeriesRow[];
  readonly heads: PackedHeads;
  readonly waveforms: readonly StoredWaveform[];
  readonly seqSets: readonly EncodedSeqSet[];
  readonly checkpointJson: string | undefined;
}

export interface CompactRequest extends SliceLimits {
  readonly kind: 'compact';
}

export interface CloseRequest {
  readonly kind: 'close';
}

export type WriterRequest = FlushRequest | CompactRequest | CloseRequest;

/** What the writer thread reports for a flush. */
export interface FlushOutcome {
  readonly chunks: number;
  /** The whole transaction on the writer thread, ms. */
  readonly transactionMs: number;
  /** The COMMIT with its fsync, ms. */
  readonly commitMs: number;
  /** Copying the WAL into the database file afterwards, ms. */
  readonly walCheckpointMs: number;
  /** Bytes in the WAL when it was copied (what this flush, and compaction since the last, wrote). */
  readonly walBytes: number;
}

export interface ReplyOf {
  flush: FlushOutcome;
  compact: CompactionReport;
  close: null;
}

/** A request as posted: with the id its reply carries. */
export type Envelope = WriterRequest & { readonly id: number };

export type Reply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { message: string; code?: string; stack?: string } };

/** The request that makes a snapshot durable: heads packed, new series listed. */
export function flushRequest(snapshot: FlushSnapshot, flushId: number, writtenAt: number): FlushRequest {
  const heads: { seriesId: number; columns: SampleColumns }[] = [];
  for (const s of snapshot.series) if (s.flushing !== undefined) heads.push({ seriesId: s.id, columns: s.flushing });
  return {
    kind: 'flush',
    flushId,
    writtenAt,
    newSeries: snapshot.series
      .filter((s) => !s.persisted)
      .map((s) => ({ id: s.id, deviceId: s.deviceId, code: s.code, patientId: s.patientId })),
    heads: packHeads(heads),
    waveforms: snapshot.waveforms,
    seqSets: snapshot.seqSets,
    checkpointJson: snapshot.checkpointJson,
  };
}

/** Copies the given heads into transferable arrays. */
export function packHeads(heads: readonly { seriesId: number; columns: SampleColumns }[]): PackedHeads {
  let total = 0;
  for (const h of heads) total += h.columns.length * 7;
  const samples = new Float64Array(total);
  const index = new Float64Array(heads.length * 3);
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const global = (s: string): number => {
    let id = stringIds.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      stringIds.set(s, id);
    }
    return id;
  };
  let offset = 0;
  for (let k = 0; k < heads.length; k++) {
    const { seriesId, columns } = heads[k] as { seriesId: number; columns: SampleColumns };
    const n = columns.length;
    copy(samples, offset, columns.observedAt, n);
    copy(samples, offset + n, columns.value, n);
    copy(samples, offset + 2 * n, columns.receivedAt, n);
    copy(samples, offset + 3 * n, columns.seq, n);
    copy(samples, offset + 4 * n, columns.quality, n);
    const boots = columns.boots.map(global);
    const units = columns.units.map(global);
    for (let i = 0; i < n; i++) {
      samples[offset + 5 * n + i] = boots[columns.bootId[i] as number] as number;
      samples[offset + 6 * n + i] = units[columns.unitId[i] as number] as number;
    }
    index[k * 3] = seriesId;
    index[k * 3 + 1] = offset;
    index[k * 3 + 2] = n;
    offset += n * 7;
  }
  return { samples, index, strings };
}

function copy(to: Float64Array, at: number, from: ArrayLike<number>, n: number): void {
  if (n > 64 && from instanceof Float64Array) {
    to.set(from.subarray(0, n), at);
    return;
  }
  for (let i = 0; i < n; i++) to[at + i] = from[i] as number;
}

/** The heads of a packed flush: series id and columns (views into `samples`). */
export function* unpackHeads(packed: PackedHeads): Generator<{ seriesId: number; columns: SampleColumns }> {
  const { samples, index, strings } = packed;
  for (let k = 0; k < index.length; k += 3) {
    const offset = index[k + 1] as number;
    const n = index[k + 2] as number;
    const view = (c: number) => samples.subarray(offset + c * n, offset + (c + 1) * n);
    yield {
      seriesId: index[k] as number,
      columns: {
        length: n,
        observedAt: view(0),
        value: view(1),
        receivedAt: view(2),
        seq: view(3),
        quality: view(4),
        bootId: view(5),
        boots: strings,
        unitId: view(6),
        units: strings,
      },
    };
  }
}
