import { WardstreamError, type CanonicalReading, type IngestRecord, type PatientId } from '@wardstream/domain';
import type {
  AggregateQuery,
  Bucket,
  Checkpoint,
  RangePage,
  RangeQuery,
  ReadingStore,
  StoreStats,
  StoredWaveform,
  Subject,
  UnassignedDevice,
  WaveformQuery,
  WriteResult,
} from '@wardstream/store';

/**
 * A ReadingStore that forwards to whichever store instance is open now, so the API keeps one
 * reference while the processing supervisor reopens the store after a failure. Between instances
 * every call fails with UNAVAILABLE (the API answers 503).
 */
export class ForwardingReadingStore implements ReadingStore {
  private current: ReadingStore | undefined;
  private reason = 'the reading store is not open';

  /** Points at `store`, or at nothing (with the reason callers will hear). */
  set(store: ReadingStore | undefined, reason?: string): void {
    this.current = store;
    if (reason !== undefined) this.reason = reason;
  }

  private get target(): ReadingStore {
    if (this.current === undefined) throw new WardstreamError('UNAVAILABLE', this.reason);
    return this.current;
  }

  private call<T>(use: (store: ReadingStore) => Promise<T>): Promise<T> {
    try {
      return use(this.target);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  write(records: readonly IngestRecord[], checkpoint: Checkpoint): Promise<WriteResult> {
    return this.call((s) => s.write(records, checkpoint));
  }
  flush(): Promise<void> {
    return this.call((s) => s.flush());
  }
  checkpoint(): Promise<Checkpoint | undefined> {
    return this.call((s) => s.checkpoint());
  }
  range(query: RangeQuery): Promise<RangePage> {
    return this.call((s) => s.range(query));
  }
  latest(subject: Subject): Promise<CanonicalReading[]> {
    return this.call((s) => s.latest(subject));
  }
  latestForPatients(patientIds: readonly PatientId[]): Promise<Map<PatientId, CanonicalReading[]>> {
    return this.call((s) => s.latestForPatients(patientIds));
  }
  aggregate(query: AggregateQuery): Promise<Bucket[]> {
    return this.call((s) => s.aggregate(query));
  }
  waveforms(query: WaveformQuery): Promise<StoredWaveform[]> {
    return this.call((s) => s.waveforms(query));
  }
  unassignedDevices(): Promise<UnassignedDevice[]> {
    return this.call((s) => s.unassignedDevices());
  }
  stats(): Promise<StoreStats> {
    return this.call((s) => s.stats());
  }
  close(): Promise<void> {
    const store = this.current;
    this.current = undefined;
    return store === undefined ? Promise.resolve() : store.close();
  }
}
