import type { AlarmEvent, EcgMetrics, ScoreRecord } from '@wardstream/clinical';
import {
  canonicalReadings,
  type CanonicalReading,
  type DeviceId,
  type IngestRecord,
  type PatientId,
} from '@wardstream/domain';
import type { WaveformSegment } from './json.js';

/** What a live subscriber follows: some patients (one, or a ward's) or one device. */
export type LiveTopic =
  | { readonly kind: 'patients'; readonly patientIds: ReadonlySet<PatientId> }
  | { readonly kind: 'device'; readonly deviceId: DeviceId };

/** A waveform segment of a stored record, as live subscribers receive it (samples in the canonical unit). */
export type LiveWaveform = WaveformSegment & { readonly deviceId: DeviceId; readonly patientId: PatientId | null };

/** One delivery to a subscriber: a batch of readings, a waveform segment, an alarm state change, or a score. */
export type LiveEvent =
  | { readonly kind: 'readings'; readonly readings: readonly CanonicalReading[] }
  | { readonly kind: 'waveform'; readonly waveform: LiveWaveform }
  | { readonly kind: 'alarm'; readonly event: AlarmEvent }
  | { readonly kind: 'score'; readonly score: ScoreRecord }
  | { readonly kind: 'ecg'; readonly ecg: EcgMetrics };

export type LiveListener = (event: LiveEvent) => void;

/** How a subscriber follows its topic. */
export interface LiveOptions {
  /**
   * Also deliver the waveform segments of the topic's records (full resolution: a 250 Hz ECG is 250
   * numbers a second per code). Default false, so that only those who ask pay for them.
   */
  readonly waveforms?: boolean;
}

interface Subscriber {
  readonly topic: LiveTopic;
  readonly listener: LiveListener;
  readonly waveforms: boolean;
}

/**
 * Fans readings, waveform segments, alarm events and scores out to live subscribers (the SSE feeds)
 * as they are stored. Subscribers are indexed by patient and device, so a batch costs one lookup per
 * record, not per subscriber; waveforms are looked at only while someone subscribed to them. A
 * patient topic hears of its patients' readings, waveforms, alarms and scores; a device topic of the
 * device's readings and waveforms and of alarms whose `deviceId` is that device. A listener must not
 * block; the SSE layer bounds its own queue.
 */
export class LiveHub {
  private readonly byPatient = new Map<PatientId, Set<Subscriber>>();
  private readonly byDevice = new Map<DeviceId, Set<Subscriber>>();
  /** Subscribers that asked for waveforms: while 0, `publish` never looks at a record's waveforms. */
  private waveformSubscribers = 0;

  /** Starts following `topic`; returns a function that stops it (calling it again does nothing). */
  subscribe(topic: LiveTopic, listener: LiveListener, options: LiveOptions = {}): () => void {
    const subscriber: Subscriber = { topic, listener, waveforms: options.waveforms === true };
    this.index(subscriber, true);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.index(subscriber, false);
    };
  }

  /**
   * Delivers the readings of stored records to every subscriber that follows them, one `readings`
   * event per subscriber for the whole batch, then each waveform segment, in record order, as its
   * own `waveform` event to those that asked for waveforms.
   */
  publish(records: readonly IngestRecord[]): void {
    if (this.byPatient.size === 0 && this.byDevice.size === 0) return;
    const batches = new Map<Subscriber, CanonicalReading[]>();
    const segments: { subscriber: Subscriber; waveform: LiveWaveform }[] = [];
    for (const record of records) {
      const targets = [
        ...(record.patientId === null ? [] : (this.byPatient.get(record.patientId) ?? [])),
        ...(this.byDevice.get(record.deviceId) ?? []),
      ];
      if (targets.length === 0) continue;
      const readings = canonicalReadings(record);
      for (const target of targets) {
        const batch = batches.get(target);
        if (batch === undefined) batches.set(target, [...readings]);
        else batch.push(...readings);
      }
      if (this.waveformSubscribers > 0 && record.waveforms.length > 0) collectWaveforms(record, targets, segments);
    }
    for (const [subscriber, readings] of batches) {
      if (readings.length > 0) subscriber.listener({ kind: 'readings', readings });
    }
    for (const { subscriber, waveform } of segments) subscriber.listener({ kind: 'waveform', waveform });
  }

  /** Delivers a stored alarm event to the subscribers of its patient and of its device. */
  publishAlarm(event: AlarmEvent): void {
    const { patientId, deviceId } = event.alarm;
    const delivery: LiveEvent = { kind: 'alarm', event };
    if (patientId !== null) this.deliver(this.byPatient.get(patientId), delivery);
    if (deviceId !== null) this.deliver(this.byDevice.get(deviceId), delivery);
  }

  /** Delivers an ECG metrics window (heart rate, HRV, quality, beats) to its patient's and device's subscribers. */
  publishEcg(ecg: EcgMetrics): void {
    const delivery: LiveEvent = { kind: 'ecg', ecg };
    if (ecg.patientId !== null) this.deliver(this.byPatient.get(ecg.patientId), delivery);
    this.deliver(this.byDevice.get(ecg.deviceId), delivery);
  }

  /** Delivers a stored score to the subscribers of its patient. */
  publishScore(score: ScoreRecord): void {
    this.deliver(this.byPatient.get(score.patientId), { kind: 'score', score });
  }

  // A subscriber follows either patients or one device, so it sits in one of the two indexes only:
  // delivering to both sets of an alarm never reaches the same subscriber twice.
  private deliver(subscribers: ReadonlySet<Subscriber> | undefined, event: LiveEvent): void {
    if (subscribers === undefined) return;
    for (const subscriber of subscribers) subscriber.listener(event);
  }

  private index(subscriber: Subscriber, add: boolean): void {
    const { topic } = subscriber;
    if (subscriber.waveforms) this.waveformSubscribers += add ? 1 : -1;
    const entries: [Map<string, Set<Subscriber>>, string][] =
      topic.kind === 'device'
        ? [[this.byDevice, topic.deviceId]]
        : [...topic.patientIds].map((p) => [this.byPatient as Map<string, Set<Subscriber>>, p]);
    for (const [map, key] of entries) {
      let set = map.get(key);
      if (add) {
        if (set === undefined) map.set(key, (set = new Set()));
        set.add(subscriber);
      } else if (set !== undefined) {
        set.delete(subscriber);
        if (set.size === 0) map.delete(key);
      }
    }
  }
}

/** Adds each waveform segment of `record` for each of `targets` that asked for waveforms. */
function collectWaveforms(
  record: IngestRecord,
  targets: readonly Subscriber[],
  out: { subscriber: Subscriber; waveform: LiveWaveform }[],
): void {
  const wanting = targets.filter((t) => t.waveforms);
  if (wanting.length === 0) return;
  for (const w of record.waveforms) {
    // The samples array is shared, not copied: records are immutable once stored.
    const waveform: LiveWaveform = {
      deviceId: record.deviceId,
      patientId: record.patientId,
      code: w.code,
      unit: w.unit,
      fsHz: w.fsHz,
      startAt: w.startAt,
      samples: w.samples,
      boot: record.boot,
      seq: record.seq,
      quality: w.quality,
    };
    for (const subscriber of wanting) out.push({ subscriber, waveform });
  }
}
