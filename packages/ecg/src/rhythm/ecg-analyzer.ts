import type { BeatDetector } from '../qrs/beat-detector.js';
import { RhythmMonitor, type RhythmCondition, type RhythmMetrics } from './rhythm-monitor.js';
import { DEFAULT_RHYTHM_POLICY, type RhythmPolicy } from './rhythm-policy.js';
import { SignalQuality, type QualitySecond, type QualityState } from './signal-quality.js';

/** Clock disagreement (ms) from which a contiguous chunk re-anchors the segment's time to the device's. */
const DRIFT_STEP_MS = 1;

/** Technical conditions of the lead: no signal (flat) or a signal too poor to analyse. */
export type LeadCondition = 'no-signal' | 'poor-signal';

export type EcgEvent =
  | {
      readonly kind: 'rhythm';
      readonly condition: RhythmCondition;
      readonly active: boolean;
      /** Event time, epoch ms. */
      readonly at: number;
      readonly value: number | null;
      readonly details: Readonly<Record<string, number | string>>;
    }
  | {
      readonly kind: 'lead';
      readonly condition: LeadCondition;
      readonly active: boolean;
      readonly at: number;
      readonly details: Readonly<Record<string, number | string>>;
    }
  | ({
      readonly kind: 'metrics';
      /** Event time of the boundary: the metrics cover the signal before it. */
      readonly at: number;
      /** Mean SQI (0–1) of the seconds since the last metrics, and the latest second's state. */
      readonly sqi: number | null;
      readonly quality: QualityState | null;
      /** Beats since the last metrics (event time, epoch ms). */
      readonly beatsAt: readonly number[];
    } & RhythmMetrics);

export interface EcgAnalyzerOptions {
  readonly policy: RhythmPolicy;
  readonly makeDetector: (fsHz: number) => BeatDetector;
  /** Longest delay between a QRS and the detector confirming it; beats older than this are final. */
  readonly confirmDelayMs: number;
  /** A chunk starting within this of where the last one ended continues it; a larger jump is a gap. */
  readonly gapToleranceMs: number;
  readonly metricsEveryMs: number;
  /** Conditions already active (restored after a restart): not raised again, ended on evidence. */
  readonly activeAtStart: Iterable<RhythmCondition | LeadCondition>;
}

interface Segment {
  /** Event time of sample 0; follows a slowly drifting device clock (see `push`). */
  startAt: number;
  fed: number;
  readonly detector: BeatDetector;
  readonly quality: SignalQuality;
  readonly rhythm: RhythmMonitor;
}

/**
 * One ECG lead of one device, analysed as it streams: chunks of samples with the event time of
 * their first sample. Contiguous chunks continue the analysis; a gap (or a restart) begins a new
 * segment whose detector learns again, and no rhythm condition is judged during that learning.
 * Overlapping samples (a re-sent chunk) are skipped. Out: rhythm condition changes, technical lead
 * conditions (no signal, poor signal: they gate the rhythm conditions) and periodic metrics (heart
 * rate, RR, SDNN, RMSSD, SQI, the beats), all in event time, deterministic for the same input.
 */
export class EcgAnalyzer {
  private readonly options: EcgAnalyzerOptions;
  private segment: Segment | null = null;
  private readonly leadActive = new Set<LeadCondition>();
  private unusableMs = 0;
  private usableMs = 0;
  private flatMs = 0;
  private readonly carried = new Set<RhythmCondition>();
  /** The patient's QRS activity learned by the last segment: the next one starts from it. */
  private qualityReference: number | null = null;
  /** Lead changes are known at once, rhythm ones after the detector's delay: held back to keep event order. */
  private pendingLead: EcgEvent[] = [];

  constructor(
    readonly fsHz: number,
    options: Partial<EcgAnalyzerOptions> & Pick<EcgAnalyzerOptions, 'makeDetector'>,
  ) {
    this.options = {
      policy: DEFAULT_RHYTHM_POLICY,
      confirmDelayMs: 2500,
      gapToleranceMs: 50,
      metricsEveryMs: 5000,
      activeAtStart: [],
      ...options,
    };
    for (const c of this.options.activeAtStart) {
      if (c === 'no-signal' || c === 'poor-signal') this.leadActive.add(c);
      else this.carried.add(c);
    }
  }

  /**
   * Whether rhythm is being judged now: past the learning of the current segment and with no lead
   * condition (no signal, poor signal) active. While it is not, other sources must not stand down.
   */
  get judging(): boolean {
    const segment = this.segment;
    if (segment === null || this.leadActive.size > 0) return false;
    return segment.fed >= Math.round((this.options.policy.learnMs * this.fsHz) / 1000);
  }

  push(samples: ArrayLike<number>, t0: number): EcgEvent[] {
    const out: EcgEvent[] = [];
    let from = 0;
    const seg = this.segment;
    if (seg !== null) {
      const expectedAt = seg.startAt + (seg.fed * 1000) / this.fsHz;
      const delta = t0 - expectedAt;
      if (delta < -this.options.gapToleranceMs) {
        from = Math.round((-delta * this.fsHz) / 1000);
        if (from >= samples.length) return out; // already analysed
      } else if (delta > this.options.gapToleranceMs) {
        this.endSegment(out);
      } else if (Math.abs(delta) >= DRIFT_STEP_MS) {
        // Contiguous, but the device's clock and its sample count disagree a little (a clock running
        // fast or slow): follow the device's times so the drift never adds up to a false gap.
        seg.startAt += delta;
      }
    }
    const segment = this.segment ?? this.startSegment(from === 0 ? t0 : t0 + (from * 1000) / this.fsHz);
    const chunk = from === 0 ? samples : Array.prototype.slice.call(samples, from);
    segment.rhythm.addBeats(segment.detector.push(chunk));
    const seconds = segment.quality.push(chunk);
    this.judgeLead(segment, seconds);
    segment.rhythm.addQuality(seconds);
    segment.fed += chunk.length;
    const confirmed = segment.fed - Math.round((this.options.confirmDelayMs * this.fsHz) / 1000);
    this.collect(segment, segment.rhythm.advance(confirmed), out);
    this.releaseLead(this.timeOf(segment, confirmed), out);
    return out;
  }

  /** Ends the stream (or a long pause): pending beats are judged. */
  flush(): EcgEvent[] {
    const out: EcgEvent[] = [];
    this.endSegment(out);
    return out;
  }

  private startSegment(startAt: number): Segment {
    const fs = this.fsHz;
    const learnUntil = Math.round((this.options.policy.learnMs * fs) / 1000);
    const carried = this.segment === null ? [...this.carried] : [];
    const segment: Segment = {
      startAt,
      fed: 0,
      detector: this.options.makeDetector(fs),
      quality: new SignalQuality(fs, this.options.policy.quality, this.qualityReference),
      rhythm: new RhythmMonitor(
        fs,
        this.options.policy,
        learnUntil,
        carried,
        Math.round((this.options.metricsEveryMs * fs) / 1000),
      ),
    };
    this.segment = segment;
    return segment;
  }

  private endSegment(out: EcgEvent[]): void {
    const segment = this.segment;
    if (segment === null) return;
    segment.rhythm.addBeats(segment.detector.flush());
    this.collect(segment, segment.rhythm.advance(segment.fed), out);
    this.releaseLead(Number.POSITIVE_INFINITY, out);
    this.qualityReference = segment.quality.reference;
    // Conditions carry over a gap: they end on evidence in the next segment, never by data missing.
    this.carried.clear();
    for (const c of ['asystole', 'bradycardia', 'tachycardia', 'irregular'] as const) {
      if (segment.rhythm.isActive(c)) this.carried.add(c);
    }
    this.segment = null;
  }

  private timeOf(segment: Segment, index: number): number {
    return Math.round(segment.startAt + (index * 1000) / this.fsHz);
  }

  private collect(segment: Segment, changes: ReturnType<RhythmMonitor['advance']>, out: EcgEvent[]): void {
    for (const c of changes) {
      this.releaseLead(this.timeOf(segment, c.index), out);
      if ('condition' in c) {
        out.push({
          kind: 'rhythm',
          condition: c.condition,
          active: c.active,
          at: this.timeOf(segment, c.index),
          value: c.value,
          details: c.details,
        });
        continue;
      }
      const { index, beats, ...metrics } = c;
      out.push({
        kind: 'metrics',
        ...metrics,
        at: this.timeOf(segment, index),
        beatsAt: beats.map((b) => this.timeOf(segment, b)),
      });
    }
  }

  private releaseLead(upTo: number, out: EcgEvent[]): void {
    while (this.pendingLead.length > 0 && this.pendingLead[0]!.at <= upTo) out.push(this.pendingLead.shift()!);
  }

  /** Technical conditions of the lead, debounced: raised after `alarmAfterMs` of unusable signal, ended after `clearAfterMs` of usable. */
  private judgeLead(segment: Segment, seconds: readonly QualitySecond[]): void {
    const p = this.options.policy.quality;
    const out = this.pendingLead;
    for (const s of seconds) {
      const ms = ((s.endIndex - s.startIndex) * 1000) / this.fsHz;
      const at = this.timeOf(segment, s.endIndex);
      if (s.state === 'good' || s.state === 'low-amplitude') {
        this.usableMs += ms;
        this.unusableMs = 0;
        this.flatMs = 0;
        if (this.usableMs >= p.clearAfterMs) {
          for (const c of [...this.leadActive]) {
            this.leadActive.delete(c);
            out.push({ kind: 'lead', condition: c, active: false, at, details: {} });
          }
        }
        continue;
      }
      this.usableMs = 0;
      this.unusableMs += ms;
      this.flatMs = s.state === 'flat' ? this.flatMs + ms : 0;
      if (this.unusableMs < p.alarmAfterMs) continue;
      const condition: LeadCondition = this.flatMs >= p.alarmAfterMs ? 'no-signal' : 'poor-signal';
      if (this.leadActive.has(condition)) continue;
      const other: LeadCondition = condition === 'no-signal' ? 'poor-signal' : 'no-signal';
      if (this.leadActive.delete(other)) out.push({ kind: 'lead', condition: other, active: false, at, details: {} });
      this.leadActive.add(condition);
      out.push({
        kind: 'lead',
        condition,
        active: true,
        at,
        details: { state: s.state, sqi: s.sqi, kurtosis: Math.round(s.kurtosis * 10) / 10 },
      });
    }
  }
}
