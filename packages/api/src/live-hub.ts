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

export type LiveListener = (readings: readonly CanonicalReading[]) => void;

interface Subscriber {
  topic: LiveTopic;
  listener: LiveListener;
}

/**
 * Fans readings out to live subscribers (the SSE feeds) as the processor stores them. Subscribers
 * are indexed by patient and device, so a batch costs one lookup per reading, not per subscriber.
 * A listener must not block; the SSE layer bounds its own queue.
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
    for (const [subscriber, readings] of batches) if (readings.length > 0) subscriber.listener(readings);
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
