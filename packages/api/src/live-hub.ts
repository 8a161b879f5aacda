import type { AlarmEvent, ScoreRecord } from '@wardstream/clinical';
import {
  canonicalReadings,
  type CanonicalReading,
  type DeviceId,
  type IngestRecord,
  type PatientId,
} from '@wardstream/domain';

/** What a live subscriber follows: some patients (one, or a ward's) or one device. */
export type LiveTopic =
  | { readonly kind: 'patients'; readonly patientIds: ReadonlySet<PatientId> }
  | { readonly kind: 'device'; readonly deviceId: DeviceId };

/** One delivery to a subscriber: a batch of readings, an alarm state change, or a score. */
export type LiveEvent =
  | { readonly kind: 'readings'; readonly readings: readonly CanonicalReading[] }
  | { readonly kind: 'alarm'; readonly event: AlarmEvent }
  | { readonly kind: 'score'; readonly score: ScoreRecord };

export type LiveListener = (event: LiveEvent) => void;

interface Subscriber {
  topic: LiveTopic;
  listener: LiveListener;
}

/**
 * Fans readings, alarm events and scores out to live subscribers (the SSE feeds) as they are stored.
 * Subscribers are indexed by patient and device, so a batch costs one lookup per reading, not per
 * subscriber. A patient topic hears of its patients' readings, alarms and scores; a device topic of
 * the device's readings and of alarms whose `deviceId` is that device. A listener must not block;
 * the SSE layer bounds its own queue.
 */
export class LiveHub {
  private readonly byPatient = new Map<PatientId, Set<Subscriber>>();
  private readonly byDevice = new Map<DeviceId, Set<Subscriber>>();

  /** Starts following `topic`; returns a function that stops it. */
  subscribe(topic: LiveTopic, listener: LiveListener): () => void {
    const subscriber: Subscriber = { topic, listener };
    this.index(subscriber, true);
    return () => {
      this.index(subscriber, false);
    };
  }

  /** Delivers the readings of stored records to every subscriber that follows them. */
  publish(records: readonly IngestRecord[]): void {
    if (this.byPatient.size === 0 && this.byDevice.size === 0) return;
    const batches = new Map<Subscriber, CanonicalReading[]>();
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
    }
    for (const [subscriber, readings] of batches) {
      if (readings.length > 0) subscriber.listener({ kind: 'readings', readings });
    }
  }

  /** Delivers a stored alarm event to the subscribers of its patient and of its device. */
  publishAlarm(event: AlarmEvent): void {
    const { patientId, deviceId } = event.alarm;
    const delivery: LiveEvent = { kind: 'alarm', event };
    if (patientId !== null) this.deliver(this.byPatient.get(patientId), delivery);
    if (deviceId !== null) this.deliver(this.byDevice.get(deviceId), delivery);
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
