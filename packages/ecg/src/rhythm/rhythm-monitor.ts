import { irregularity, median, rmssd, sdnn } from './rr-stats.js';
import type { RhythmPolicy } from './rhythm-policy.js';
import type { QualitySecond } from './signal-quality.js';

/** The rhythm conditions the monitor judges (Challenge 2015 definitions, Dash 2009 AF flag). */
export type RhythmCondition = 'asystole' | 'bradycardia' | 'tachycardia' | 'irregular';

export interface RhythmChange {
  readonly condition: RhythmCondition;
  readonly active: boolean;
  /** Sample index (in the segment) where the condition began or ended. */
  readonly index: number;
  /** Heart rate over the defining run (bpm), or the pause length in seconds for asystole. */
  readonly value: number | null;
  readonly details: Readonly<Record<string, number | string>>;
}

export interface RhythmMetrics {
  readonly heartRateBpm: number | null;
  readonly lastRrMs: number | null;
  readonly sdnnMs: number | null;
  readonly rmssdMs: number | null;
  readonly rrCount: number;
}

/** The state at a metrics boundary: everything before `index` judged, nothing after. */
export interface MetricsSnapshot extends RhythmMetrics {
  readonly index: number;
  /** Mean SQI of the seconds since the last snapshot; the latest second's state. */
  readonly sqi: number | null;
  readonly quality: QualitySecond['state'] | null;
  /** Beats judged since the last snapshot (sample indices). */
  readonly beats: readonly number[];
}

interface Beat {
  readonly index: number;
}

/**
 * Judges rhythm conditions from confirmed beats and per-second signal quality, in sample order.
 * A beat counts only when its second's quality is usable (`good` or `low-amplitude`); a beat in
 * noise breaks every run and the RR chain, so noise can neither start nor prolong an arrhythmia.
 * Asystole is judged only over a pause whose every second is usable: a pause full of noise or a
 * flat line (lead off) is the signal-quality monitor's business (a technical alarm), not asystole.
 * Nothing is judged before `learnUntil` (the detector's learning after a start or a gap). Conditions
 * end only on evidence (beats), never because data went missing or noisy.
 */
export class RhythmMonitor {
  private readonly beats: Beat[] = [];
  private readonly seconds: QualitySecond[] = [];
  private qualityEnd = 0;
  /** Index in `seconds` of the first second not yet judged. */
  private nextSecond = 0;
  /** End of the last second that was not quiet, not counting the half second after a beat. */
  private lastUnquietEnd = 0;
  /** End of the last quality second judged. */
  private judgedUntil = 0;
  private processed = 0;
  private lastBeat: number | null = null;
  private prevUsable: number | null = null;
  private readonly rr: number[] = [];
  private readonly rrAt: number[] = [];
  private readonly active = new Set<RhythmCondition>();
  private bradyRun = 0;
  private tachyRun = 0;
  private bradyOff = 0;
  private tachyOff = 0;
  private irregularVotes = 0;
  private readonly msPerSample: number;
  private nextMetrics: number;
  private sinceMetrics = {
    beats: [] as number[],
    sqiSum: 0,
    sqiCount: 0,
    state: null as QualitySecond['state'] | null,
  };

  constructor(
    private readonly fsHz: number,
    private readonly policy: RhythmPolicy,
    private readonly learnUntil: number,
    activeAtStart: Iterable<RhythmCondition> = [],
    /** Samples between metrics snapshots (boundaries at multiples of it). */
    private readonly metricsEvery: number = Number.POSITIVE_INFINITY,
    firstMetricsAt: number = metricsEvery,
  ) {
    this.msPerSample = 1000 / fsHz;
    this.nextMetrics = firstMetricsAt;
    for (const c of activeAtStart) this.active.add(c);
  }

  isActive(condition: RhythmCondition): boolean {
    return this.active.has(condition);
  }

  addBeats(indices: readonly number[]): void {
    for (const index of indices) this.beats.push({ index });
  }

  addQuality(seconds: readonly QualitySecond[]): void {
    for (const s of seconds) {
      this.seconds.push(s);
      this.qualityEnd = s.endIndex;
    }
  }

  /**
   * Judges everything known up to `confirmedUpTo` (every beat before it has been added), with a
   * metrics snapshot at each boundary passed: the output depends on the data only, not on chunking.
   */
  advance(confirmedUpTo: number): (RhythmChange | MetricsSnapshot)[] {
    const until = Math.min(confirmedUpTo, this.qualityEnd);
    const out: (RhythmChange | MetricsSnapshot)[] = [];
    // Beats, quality seconds and metrics boundaries are judged merged, in sample order.
    for (;;) {
      const beat = this.beats[0];
      const second = this.seconds[this.nextSecond];
      const beatDue = beat !== undefined && beat.index < until;
      const secondDue = second !== undefined && second.endIndex <= until;
      const boundary = this.nextMetrics;
      const boundaryDue =
        boundary <= until && !(secondDue && second.endIndex <= boundary) && !(beatDue && beat.index < boundary);
      if (boundaryDue) {
        this.checkAsystole(boundary, out);
        out.push(this.snapshot(boundary));
        this.nextMetrics += this.metricsEvery;
      } else if (secondDue && (!beatDue || second.endIndex <= beat.index)) {
        this.nextSecond++;
        this.judgedUntil = second.endIndex;
        this.sinceMetrics.sqiSum += second.sqi;
        this.sinceMetrics.sqiCount++;
        this.sinceMetrics.state = second.state;
        const afterBeat = this.lastBeat !== null && second.startIndex < this.lastBeat + this.fsHz / 2;
        if (second.state !== 'low-amplitude' && !afterBeat) this.lastUnquietEnd = second.endIndex;
        this.checkAsystole(second.endIndex, out);
      } else if (beatDue) {
        this.beats.shift();
        this.sinceMetrics.beats.push(beat.index);
        this.checkAsystole(beat.index, out);
        this.onBeat(beat.index, out);
      } else break;
    }
    this.checkAsystole(until, out);
    this.processed = Math.max(this.processed, until);
    this.prune();
    return out;
  }

  private snapshot(index: number): MetricsSnapshot {
    const since = this.sinceMetrics;
    this.sinceMetrics = { beats: [], sqiSum: 0, sqiCount: 0, state: since.state };
    return {
      index,
      ...this.metricsAt(index),
      sqi: since.sqiCount === 0 ? null : Math.round((since.sqiSum / since.sqiCount) * 100) / 100,
      quality: since.state,
      beats: since.beats,
    };
  }

  /** Heart rate, last RR and HRV over the window ending at `index`. */
  private metricsAt(index: number): RhythmMetrics {
    const recent = this.rr.slice(-this.policy.heartRateBeats);
    const med = median(recent);
    const windowStart = index - (this.policy.hrvWindowMs * this.fsHz) / 1000;
    const hrv = this.rr.filter((_, i) => this.rrAt[i]! >= windowStart);
    // No heart rate once beats have stopped for as long as asystole takes (a pause, or no signal).
    const stopped =
      this.lastBeat === null || ((index - this.lastBeat) * 1000) / this.fsHz > this.policy.asystole.noQrsMs;
    return {
      heartRateBpm: med === null || stopped ? null : round1(60_000 / med),
      lastRrMs: round1(this.rr.at(-1) ?? null),
      sdnnMs: round1(sdnn(hrv)),
      rmssdMs: round1(rmssd(hrv)),
      rrCount: hrv.length,
    };
  }

  private quality(index: number): QualitySecond | undefined {
    for (let i = this.seconds.length - 1; i >= 0; i--) {
      const s = this.seconds[i]!;
      if (s.startIndex <= index && index < s.endIndex) return s;
      if (s.endIndex <= index) return undefined;
    }
    return undefined;
  }

  private usable(index: number): boolean {
    const state = this.quality(index)?.state;
    return state === 'good' || state === 'low-amplitude';
  }

  /**
   * No QRS for `noQrsMs` over quiet signal. The pause runs from the later of the last beat and the
   * last second that was not quiet (its QRS and T wave aside, the half second after a beat is not
   * judged): a pause in noise, over a flat line (lead off) or over large deflections the detector
   * did not call beats proves nothing, so it is not asystole.
   */
  private checkAsystole(until: number, out: (RhythmChange | MetricsSnapshot)[]): void {
    // Only the judged part of the pause counts: its seconds must all have been graded.
    const at = Math.min(until, this.judgedUntil);
    if (this.active.has('asystole') || at < this.learnUntil) return;
    const from = Math.max(this.lastBeat ?? 0, this.lastUnquietEnd);
    const noQrs = Math.round((this.policy.asystole.noQrsMs * this.fsHz) / 1000);
    if (at - from < noQrs) return;
    this.active.add('asystole');
    out.push({
      condition: 'asystole',
      active: true,
      index: Math.max(from + noQrs, this.learnUntil),
      value: round1(this.policy.asystole.noQrsMs / 1000),
      details: { noQrsMs: this.policy.asystole.noQrsMs },
    });
  }

  private onBeat(index: number, out: (RhythmChange | MetricsSnapshot)[]): void {
    if (!this.usable(index)) {
      // A "beat" in noise proves nothing: it ends no asystole and breaks every run.
      this.prevUsable = null;
      this.bradyRun = 0;
      this.tachyRun = 0;
      return;
    }
    if (this.active.has('asystole')) {
      this.active.delete('asystole');
      const pauseS = this.lastBeat === null ? null : round1(((index - this.lastBeat) * 1000) / this.fsHz / 1000);
      out.push({ condition: 'asystole', active: false, index, value: pauseS, details: {} });
    }
    this.lastBeat = index;
    const prev = this.prevUsable;
    this.prevUsable = index;
    if (prev === null) return;
    const rrMs = (index - prev) * this.msPerSample;
    this.rr.push(rrMs);
    this.rrAt.push(index);
    if (index < this.learnUntil) return;
    const bpm = 60_000 / rrMs;
    this.judgeRun('bradycardia', bpm < this.policy.bradycardia.belowBpm, index, out);
    this.judgeRun('tachycardia', bpm > this.policy.tachycardia.aboveBpm, index, out);
    this.judgeIrregular(index, out);
  }

  private judgeRun(
    condition: 'bradycardia' | 'tachycardia',
    inRun: boolean,
    index: number,
    out: (RhythmChange | MetricsSnapshot)[],
  ): void {
    const brady = condition === 'bradycardia';
    const needed = brady ? this.policy.bradycardia.beats : this.policy.tachycardia.beats;
    let run = brady ? this.bradyRun : this.tachyRun;
    let off = brady ? this.bradyOff : this.tachyOff;
    run = inRun ? run + 1 : 0;
    off = inRun ? 0 : off + 1;
    if (brady) [this.bradyRun, this.bradyOff] = [run, off];
    else [this.tachyRun, this.tachyOff] = [run, off];
    // `run` counts RR intervals: N beats span N − 1 intervals.
    const runRate = (): number => {
      const intervals = this.rr.slice(-Math.max(1, needed - 1));
      return round1(60_000 / (intervals.reduce((s, v) => s + v, 0) / intervals.length))!;
    };
    if (!this.active.has(condition) && run >= needed - 1) {
      this.active.add(condition);
      out.push({ condition, active: true, index, value: runRate(), details: { beats: needed } });
    } else if (this.active.has(condition) && off >= this.policy.endAfterBeats) {
      this.active.delete(condition);
      out.push({ condition, active: false, index, value: runRate(), details: {} });
    }
  }

  private judgeIrregular(index: number, out: (RhythmChange | MetricsSnapshot)[]): void {
    const p = this.policy.irregular;
    if (this.rr.length < p.rrIntervals) return;
    const m = irregularity(this.rr.slice(-p.rrIntervals), p.dropExtremes);
    if (m === null) return;
    const [tprLow, tprHigh] = p.turningPointRatio;
    const af =
      m.rmssdRatio > p.rmssdRatioAbove &&
      m.entropy > p.entropyAbove &&
      m.turningPointRatio >= tprLow &&
      m.turningPointRatio <= tprHigh;
    const active = this.active.has('irregular');
    this.irregularVotes = af !== active ? this.irregularVotes + 1 : 0;
    if (this.irregularVotes < p.persistBeats) return;
    this.irregularVotes = 0;
    if (af) this.active.add('irregular');
    else this.active.delete('irregular');
    out.push({
      condition: 'irregular',
      active: af,
      index,
      value: this.metricsAt(index).heartRateBpm,
      details: {
        rmssdRatio: round3(m.rmssdRatio),
        entropy: round3(m.entropy),
        turningPointRatio: round3(m.turningPointRatio),
      },
    });
  }

  /** Keeps memory bounded: RR for the HRV window (and the irregularity window), quality for two minutes. */
  private prune(): void {
    const keepRr = Math.max(this.policy.irregular.rrIntervals, 1);
    const hrvStart = this.processed - (this.policy.hrvWindowMs * this.fsHz) / 1000;
    while (this.rr.length > keepRr && this.rrAt[0]! < hrvStart) {
      this.rr.shift();
      this.rrAt.shift();
    }
    // Quality is looked up for beats, which are confirmed a few seconds behind: keep half a minute.
    const keepFrom = this.processed - 30 * this.fsHz;
    while (this.nextSecond > 0 && this.seconds[0]!.endIndex < keepFrom) {
      this.seconds.shift();
      this.nextSecond--;
    }
  }
}

function round1(v: number | null): number | null {
  return v === null ? null : Math.round(v * 10) / 10;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
