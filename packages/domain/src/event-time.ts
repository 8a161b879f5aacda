/**
 * Event time (DESIGN 3.3): per-partition watermarks with a bounded out-of-orderness.
 * The watermark of a partition is the greatest event time seen there minus `maxOutOfOrdernessMs`;
 * a reading older than the watermark by more than `allowedLatenessMs` is late: it is stored and
 * flagged, never dropped. Readings flagged clock-skew do not move the watermark, so one device
 * with a wrong clock cannot make its neighbours' readings late.
 */
export interface EventTimePolicy {
  readonly maxOutOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
}

export const DEFAULT_EVENT_TIME_POLICY: EventTimePolicy = {
  maxOutOfOrdernessMs: 5_000,
  allowedLatenessMs: 120_000,
};

/** Greatest event time seen per partition; serialisable so a replay after a crash decides alike. */
export type WatermarkState = Readonly<Record<number, number>>;

/** The watermarks of every partition one processor owns; state() and the constructor round-trip them. */
export class PartitionWatermarks {
  private readonly maxSeen = new Map<number, number>();

  constructor(
    private readonly policy: EventTimePolicy,
    state: WatermarkState = {},
  ) {
    for (const [partition, at] of Object.entries(state)) this.maxSeen.set(Number(partition), at);
  }

  /** The watermark of `partition`, or -Infinity before its first reading. */
  watermark(partition: number): number {
    const seen = this.maxSeen.get(partition);
    return seen === undefined ? -Infinity : seen - this.policy.maxOutOfOrdernessMs;
  }

  /**
   * Classifies a reading observed at `observedAt` in `partition`, then lets it advance the
   * watermark unless `advances` is false (clock-skewed data). Returns true when it is late.
   */
  observe(partition: number, observedAt: number, advances = true): boolean {
    const late = observedAt < this.watermark(partition) - this.policy.allowedLatenessMs;
    if (advances) {
      const seen = this.maxSeen.get(partition);
      if (seen === undefined || observedAt > seen) this.maxSeen.set(partition, observedAt);
    }
    return late;
  }

  state(): WatermarkState {
    return Object.fromEntries(this.maxSeen);
  }
}
