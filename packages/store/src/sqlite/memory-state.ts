import type { IngestRecord } from '@wardstream/domain';
import type { Checkpoint, StoredWaveform, WriteResult } from '../reading-store.js';
import { MessageKeys, type EncodedSeqSet } from './message-keys.js';
import { SeriesRegistry, type Series } from './series.js';

/** What one flush makes durable, taken from memory in one synchronous step. */
export interface FlushSnapshot {
  /** Series whose head moved to `flushing`. */
  readonly series: readonly Series[];
  readonly waveforms: readonly StoredWaveform[];
  readonly seqSets: readonly EncodedSeqSet[];
  /** The checkpoint to store, or undefined when it has not changed. */
  readonly checkpointJson: string | undefined;
  readonly readings: number;
}

/**
 * Everything the store holds in memory: the series with their heads and latest samples, the
 * message keys, waveforms not yet durable, and the checkpoints. Writes land here and are visible
 * at once; a flush takes a snapshot and lets go of it in the step in which the main thread hears
 * that the writer thread committed it.
 */
export class MemoryState {
  readonly registry = new SeriesRegistry();
  readonly keys = new MessageKeys();
  headWaveforms: StoredWaveform[] = [];
  flushingWaveforms: readonly StoredWaveform[] = [];
  durableCheckpoint: Checkpoint | undefined;
  /** Id of the latest flush that wrote rows (flush ids only grow). */
  lastFlushId = 0;
  /** Readings written but not yet durable. */
  pendingReadings = 0;
  /** Readings held, durable or not. */
  readings = 0;

  private queued: Series[] = [];
  private pendingCheckpointJson: string | undefined;
  private keysChanged = false;

  /** True when a flush would write something. */
  get hasUnflushed(): boolean {
    return (
      this.queued.length > 0 ||
      this.headWaveforms.length > 0 ||
      this.keysChanged ||
      this.pendingCheckpointJson !== undefined
    );
  }

  /** Applies checked records: each message whose key is new is stored whole, the others counted. */
  apply(records: readonly IngestRecord[], checkpointJson: string): WriteResult {
    let stored = 0;
    let duplicates = 0;
    let readings = 0;
    for (const record of records) {
      const { deviceId, patientId, boot, seq, observedAt, receivedAt } = record;
      if (!this.keys.claim(deviceId, boot, seq)) {
        duplicates++;
        continue;
      }
      stored++;
      const codes = record.readings.length > 0 ? this.registry.codesOf(patientId, deviceId) : undefined;
      for (const r of record.readings) {
        const series = codes?.get(r.code) ?? this.registry.create(patientId, deviceId, r.code);
        series.append(observedAt, r.value, receivedAt, seq, r.quality, boot, r.unit);
        if (!series.queued) {
          series.queued = true;
          this.queued.push(series);
        }
      }
      readings += record.readings.length;
      for (const w of record.waveforms) {
        const { code, unit, fsHz, startAt, quality } = w;
        const samples = Array.from(w.samples);
        this.headWaveforms.push({ deviceId, patientId, code, unit, fsHz, startAt, samples, boot, seq, quality });
      }
    }
    if (stored > 0) this.keysChanged = true;
    this.pendingCheckpointJson = checkpointJson;
    this.pendingReadings += readings;
    this.readings += readings;
    return { stored, duplicates, readings };
  }

  /** Takes what a flush makes durable; undefined when there is nothing to write. */
  takeSnapshot(): FlushSnapshot | undefined {
    if (!this.hasUnflushed) return undefined;
    const series = this.queued;
    this.queued = [];
    let readings = 0;
    for (const s of series) {
      s.queued = false;
      readings += s.takeHead().length;
    }
    this.flushingWaveforms = this.headWaveforms;
    this.headWaveforms = [];
    const seqSets = this.keys.takeChanged();
    this.keysChanged = false;
    const checkpointJson = this.pendingCheckpointJson;
    this.pendingCheckpointJson = undefined;
    return { series, waveforms: this.flushingWaveforms, seqSets, checkpointJson, readings };
  }

  /**
   * Lets go of a snapshot once its transaction has committed; call in the same synchronous step as
   * the query side starts showing that flush's rows (see query-connection.ts).
   */
  committed(snapshot: FlushSnapshot): void {
    for (const s of snapshot.series) s.flushed();
    this.flushingWaveforms = [];
    this.pendingReadings -= snapshot.readings;
    if (snapshot.checkpointJson !== undefined) {
      this.durableCheckpoint = JSON.parse(snapshot.checkpointJson) as Checkpoint;
    }
  }
}
