/**
 * A streaming beat detector: fed samples in chunks of any size, it reports each beat once, as an
 * absolute sample index (0 = the first sample it was fed), in ascending order. Feeding a signal in
 * any chunking gives the same beats as feeding it at once.
 */
export interface BeatDetector {
  readonly fsHz: number;
  /** Samples fed so far. */
  readonly position: number;
  /** Feeds samples (physical units, mV for ECG); returns the beats confirmed by them. */
  push(samples: ArrayLike<number>): number[];
  /** Ends the stream: returns the beats still pending confirmation. */
  flush(): number[];
}

/** Every beat of a whole signal, fed to `detector` in chunks of `chunk` samples as a stream would bring them. */
export function detectBeats(detector: BeatDetector, signal: Float64Array, chunk: number): number[] {
  const beats: number[] = [];
  for (let at = 0; at < signal.length; at += chunk) beats.push(...detector.push(signal.subarray(at, at + chunk)));
  beats.push(...detector.flush());
  return beats;
}
