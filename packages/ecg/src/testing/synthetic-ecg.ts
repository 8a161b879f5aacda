/**
 * Synthetic ECG strips with known beats, for tests of rhythm conditions: each beat is a P wave,
 * a narrow QRS (Gaussian R, small Q and S) and a T wave; the baseline carries a little noise from
 * a seeded generator so the signal is never a perfect flat line. Episodes are described as parts.
 */
export type StripPart =
  | { readonly kind: 'rhythm'; readonly bpm: number; readonly seconds: number }
  /** No QRS: a quiet baseline with its noise (what asystole looks like). */
  | { readonly kind: 'pause'; readonly seconds: number }
  /** Ventricular standstill: P waves at `bpm` and no QRS (asystole with atrial activity). */
  | { readonly kind: 'standstill'; readonly bpm: number; readonly seconds: number }
  /** Lead off: a constant value. */
  | { readonly kind: 'flat'; readonly seconds: number }
  /** Beats at `bpm` buried in large broadband noise (motion artifact). */
  | { readonly kind: 'noise'; readonly bpm: number; readonly seconds: number; readonly mv: number }
  /** Beats at the given RR intervals (ms); lasts as long as they do. */
  | { readonly kind: 'intervals'; readonly rrMs: readonly number[] };

export interface Strip {
  readonly fsHz: number;
  readonly samples: Float64Array;
  /** Sample index of every R peak. */
  readonly beats: readonly number[];
}

export interface StripOptions {
  /** Peak-to-peak of the baseline noise, mV (default 0.02). */
  readonly noiseMv?: number;
  /** Breathing baseline wander: a sine of this peak-to-peak (mV) and frequency. */
  readonly wander?: { readonly mv: number; readonly hz: number };
}

export function syntheticStrip(fsHz: number, parts: readonly StripPart[], seed = 1, options: StripOptions = {}): Strip {
  const seconds = (p: StripPart): number =>
    p.kind === 'intervals' ? p.rrMs.reduce((s, v) => s + v, 0) / 1000 : p.seconds;
  const total = Math.round(parts.reduce((s, p) => s + seconds(p), 0) * fsHz);
  const samples = new Float64Array(total);
  const beats: number[] = [];
  let random = seed >>> 0 || 1;
  const next = (): number => {
    random ^= random << 13;
    random >>>= 0;
    random ^= random >>> 17;
    random ^= random << 5;
    random >>>= 0;
    return random / 0x1_0000_0000 - 0.5;
  };
  const noise = options.noiseMv ?? 0.02;
  const wander = options.wander;
  for (let i = 0; i < total; i++) {
    samples[i] =
      noise * next() + (wander === undefined ? 0 : (wander.mv / 2) * Math.sin((2 * Math.PI * wander.hz * i) / fsHz));
  }
  let at = 0;
  let nextBeat = 0;
  for (const part of parts) {
    const end = at + Math.round(seconds(part) * fsHz);
    if (part.kind === 'intervals') {
      let beat = nextBeat;
      for (const rr of part.rrMs) {
        beat += Math.round((rr * fsHz) / 1000);
        if (beat >= total) break;
        addBeat(samples, fsHz, beat);
        beats.push(beat);
      }
      nextBeat = beat + Math.round((part.rrMs.at(-1)! * fsHz) / 1000);
    } else if (part.kind === 'flat') {
      samples.fill(0.1, at, end);
      nextBeat = end;
    } else if (part.kind === 'pause') {
      nextBeat = end;
    } else if (part.kind === 'standstill') {
      const pp = Math.round((60 / part.bpm) * fsHz);
      for (let p = Math.max(nextBeat, at + Math.round(0.3 * fsHz)); p < end; p += pp) addBeat(samples, fsHz, p, true);
      nextBeat = end;
    } else {
      const rr = Math.round((60 / part.bpm) * fsHz);
      let beat = Math.max(nextBeat, at + Math.round(0.3 * fsHz));
      for (; beat < end; beat += rr) {
        addBeat(samples, fsHz, beat);
        beats.push(beat);
      }
      nextBeat = beat;
      if (part.kind === 'noise') for (let i = at; i < end; i++) samples[i]! += part.mv * 2 * next();
    }
    at = end;
  }
  return { fsHz, samples, beats };
}

function addBeat(samples: Float64Array, fsHz: number, r: number, atrialOnly = false): void {
  const wave = (centerS: number, widthS: number, mv: number): void => {
    const c = r + centerS * fsHz;
    const w = widthS * fsHz;
    for (let i = Math.floor(c - 4 * w); i <= Math.ceil(c + 4 * w); i++) {
      if (i < 0 || i >= samples.length) continue;
      samples[i]! += mv * Math.exp(-0.5 * ((i - c) / w) ** 2);
    }
  };
  wave(-0.16, 0.02, 0.12); // P
  if (atrialOnly) return;
  wave(-0.025, 0.008, -0.1); // Q
  wave(0, 0.01, 1.2); // R
  wave(0.027, 0.009, -0.25); // S
  wave(0.28, 0.05, 0.3); // T
}
