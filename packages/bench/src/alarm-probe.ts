import { Histogram } from './histogram.js';
import { sseEvents } from './sse.js';

/** The heart rate a trigger carries (MDC_ECG_HEART_RATE); the other messages stay within 72–76 /min. */
export const TRIGGER_HEART_RATE_BPM = 150;

/** Which devices send alarm triggers, and where their alarms are expected. */
export interface AlarmProbeSpec {
  readonly apiUrl: string;
  /** Device i (in device order) is admitted to patient i; these devices send the triggers. */
  readonly patientIds: readonly string[];
  /** Every `every`-th message of those devices is a trigger. */
  readonly every: number;
  /** The rule whose `raised` events are timed (its onset is the trigger's `ts`). */
  readonly ruleId: string;
}

export interface AlarmProbeResult {
  /** Publish → `event: alarm` parsed, for triggers published inside the measured window. */
  readonly alarmLatencyMs: { p50: number; p99: number; max: number; count: number };
  /** Triggers published inside the measured window, and how many of them were seen raised. */
  readonly alarmsExpected: number;
  readonly alarmsSeen: number;
  /** Raised alarms of the rule whose onset matched no trigger (e.g. placed at receipt, not at `ts`). */
  readonly alarmsUnmatched: number;
  /** Live feeds the server ended before the run did (`event: overflow`, or closed). */
  readonly feedsLost: number;
}

interface Trigger {
  readonly publishedAt: number;
  readonly measured: boolean;
}

interface AlarmEventJson {
  readonly type: string;
  readonly alarm: { readonly ruleId: string; readonly onsetAt: string };
}

/**
 * Times device publish → alarm visible on the patient live feed, both ends in this process. The
 * load generator tells it of each trigger it publishes (its `ts`, unique per device, and the
 * `performance.now()` of the publish); the probe follows each patient's `/live` feed and matches a
 * `raised` event of the rule to its trigger by `Date.parse(alarm.onsetAt)`.
 */
export class AlarmProbe {
  private readonly triggers: Map<number, Trigger>[];
  private readonly hist = new Histogram();
  private readonly stop = new AbortController();
  private feeds: Promise<void>[] = [];
  private expected = 0;
  private seen = 0;
  private unmatched = 0;
  private lost = 0;

  constructor(readonly spec: AlarmProbeSpec) {
    this.triggers = spec.patientIds.map(() => new Map<number, Trigger>());
  }

  /** Whether message `seq` of device `index` (0-based) is a trigger. */
  isTrigger(index: number, seq: number): boolean {
    return index < this.spec.patientIds.length && seq % this.spec.every === 0;
  }

  /** Follows every patient's live feed; resolves once each has answered `event: ready`. */
  async start(): Promise<void> {
    const ready = this.spec.patientIds.map((patientId, i) => {
      let onReady = () => {};
      const isReady = new Promise<void>((resolve) => (onReady = resolve));
      const feed = this.follow(patientId, i, onReady);
      this.feeds.push(feed);
      return Promise.race([isReady, feed]);
    });
    await Promise.all(ready);
  }

  published(index: number, ts: number, publishedAt: number, measured: boolean): void {
    this.triggers[index]?.set(ts, { publishedAt, measured });
    if (measured) this.expected++;
  }

  /** Waits until every measured trigger has been seen or `graceMs` passed, then stops following. */
  async finish(graceMs: number): Promise<AlarmProbeResult> {
    const until = performance.now() + graceMs;
    while (this.seen < this.expected && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.stop.abort();
    await Promise.allSettled(this.feeds);
    return {
      alarmLatencyMs: this.hist.summary(),
      alarmsExpected: this.expected,
      alarmsSeen: this.seen,
      alarmsUnmatched: this.unmatched,
      feedsLost: this.lost,
    };
  }

  private async follow(patientId: string, index: number, onReady: () => void): Promise<void> {
    const url = `${this.spec.apiUrl}/api/v1/patients/${encodeURIComponent(patientId)}/live`;
    for await (const event of sseEvents(url, this.stop.signal)) {
      if (event.name === 'ready') onReady();
      if (event.name !== 'alarm') continue;
      const alarm = JSON.parse(event.data) as AlarmEventJson;
      const now = performance.now();
      if (alarm.type !== 'raised' || alarm.alarm.ruleId !== this.spec.ruleId) continue;
      const onset = Date.parse(alarm.alarm.onsetAt);
      const trigger = this.triggers[index]?.get(onset);
      if (trigger === undefined) {
        this.unmatched++;
        continue;
      }
      this.triggers[index]?.delete(onset);
      if (!trigger.measured) continue;
      this.seen++;
      this.hist.record(now - trigger.publishedAt);
    }
    if (!this.stop.signal.aborted) this.lost++;
  }
}
