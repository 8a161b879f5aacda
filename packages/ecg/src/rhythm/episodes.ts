import type { BeatDetector } from '../qrs/beat-detector.js';
import { QrsDetector } from '../qrs/qrs-detector.js';
import { EcgAnalyzer, type EcgEvent } from './ecg-analyzer.js';
import type { RhythmPolicy } from './rhythm-policy.js';

/** One episode of a rhythm or lead condition over a recording; times in seconds from its start. */
export interface Episode {
  readonly condition: string;
  /** `rhythm` (physiological) or `lead` (technical: no signal, poor signal). */
  readonly kind: 'rhythm' | 'lead';
  readonly startS: number;
  /** Null when the recording ends during the episode. */
  readonly endS: number | null;
  /** Heart rate of the defining run (bpm) for brady/tachycardia; null otherwise. */
  readonly value: number | null;
}

export interface RecordingAnalysis {
  readonly episodes: readonly Episode[];
  readonly beats: number;
  /** Windows (5 s) by the quality of their last second. */
  readonly windowsByQuality: Readonly<Record<string, number>>;
}

/**
 * Runs the streaming analyser over a whole recording (fed in quarter-second chunks, as a monitor
 * would send it) and pairs condition starts and ends into episodes: what the platform would raise.
 */
export function analyseRecording(
  signal: Float64Array,
  fsHz: number,
  options: { policy?: RhythmPolicy; makeDetector?: (fsHz: number) => BeatDetector } = {},
): RecordingAnalysis {
  const analyzer = new EcgAnalyzer(fsHz, {
    makeDetector: options.makeDetector ?? ((fs) => new QrsDetector(fs)),
    ...(options.policy === undefined ? {} : { policy: options.policy }),
  });
  const events: EcgEvent[] = [];
  const chunk = Math.max(1, Math.round(fsHz / 4));
  for (let at = 0; at < signal.length; at += chunk) {
    events.push(...analyzer.push(signal.subarray(at, at + chunk), (at * 1000) / fsHz));
  }
  events.push(...analyzer.flush());
  const open = new Map<string, { startS: number; value: number | null; kind: 'rhythm' | 'lead' }>();
  const episodes: Episode[] = [];
  const windowsByQuality: Record<string, number> = {};
  let beats = 0;
  const seconds = (ms: number): number => Math.round(ms / 100) / 10;
  for (const e of events) {
    if (e.kind === 'metrics') {
      beats += e.beatsAt.length;
      const q = e.quality ?? 'none';
      windowsByQuality[q] = (windowsByQuality[q] ?? 0) + 1;
      continue;
    }
    if (e.active) {
      open.set(e.condition, { startS: seconds(e.at), value: e.kind === 'rhythm' ? e.value : null, kind: e.kind });
      continue;
    }
    const started = open.get(e.condition);
    open.delete(e.condition);
    episodes.push({
      condition: e.condition,
      kind: e.kind,
      startS: started?.startS ?? 0,
      endS: seconds(e.at),
      value: e.condition === 'bradycardia' || e.condition === 'tachycardia' ? (started?.value ?? null) : null,
    });
  }
  for (const [condition, started] of open) {
    episodes.push({
      condition,
      kind: started.kind,
      startS: started.startS,
      endS: null,
      value: condition === 'bradycardia' || condition === 'tachycardia' ? started.value : null,
    });
  }
  episodes.sort((a, b) => a.startS - b.startS);
  return { episodes, beats, windowsByQuality };
}
