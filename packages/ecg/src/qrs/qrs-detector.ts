import type { BeatDetector } from './beat-detector.js';

export const QRS_METHOD = 'Pan & Tompkins 1985 / Hamilton & Tompkins 1986 (draft)';

export interface QrsDetectorOptions {
  readonly thresholdFraction: number;
  readonly refractoryMs: number;
  readonly searchBackRr: number;
  readonly tWaveMs: number;
  // experimental knobs
  readonly lpMs: number;
  readonly hpMs: number;
  readonly mwiMs: number;
  readonly median: boolean;
  readonly sbFraction: number;
  readonly relearnMs: number;
  readonly minMv: number;
  readonly replace: boolean;
  readonly bls: boolean;
}

const DEFAULTS: QrsDetectorOptions = {
  thresholdFraction: 0.3125,
  refractoryMs: 200,
  searchBackRr: 1.66,
  tWaveMs: 360,
  lpMs: 25,
  hpMs: 125,
  mwiMs: 150,
  median: false,
  sbFraction: 0.5,
  relearnMs: 8000,
  minMv: 0.05,
  replace: true,
  bls: false,
};

const LEVELS = 8;
const DBG = process.env['DBG']?.split(',').map(Number);
const RECENT = 16;

function odd(v: number): number {
  const r = Math.max(1, Math.round(v));
  return r % 2 === 1 ? r : r + 1;
}

export class QrsDetector implements BeatDetector {
  readonly fsHz: number;
  private readonly o: QrsDetectorOptions;
  private fed = 0;
  private n = 0;
  private lastX = 0;
  // filter geometry
  private readonly mask: number;
  private readonly lpLen: number;
  private readonly hpLen: number;
  private readonly dLag: number;
  private readonly mwiLen: number;
  private readonly dB: number;
  private readonly dD: number;
  private readonly dM: number;
  private readonly dScale: number;
  // rings
  private readonly xR: Float64Array;
  private readonly l1R: Float64Array;
  private readonly l2R: Float64Array;
  private readonly bR: Float64Array;
  private readonly eR: Float64Array;
  private s1 = 0;
  private s2 = 0;
  private sH = 0;
  private sE = 0;
  private lastM = 0;
  // peak detector
  private pkMax = 0;
  private pkTime = 0;
  private tmpH = 0;
  private tmpT = 0;
  private blank = 0;
  // timing constants (samples)
  private readonly preBlank: number;
  private readonly pkTimeout: number;
  private readonly refractory: number;
  private readonly tWave: number;
  private readonly locWin: number;
  private readonly learnLen: number;
  private readonly relearnLen: number;
  private readonly sbCap: number;
  readonly minLevel: number;
  // recent candidates
  private readonly rcLoc = new Float64Array(RECENT);
  private readonly rcH = new Float64Array(RECENT);
  private readonly rcSlope = new Float64Array(RECENT);
  private rcNext = 0;
  // classification state
  private learned = false;
  private learnAt = 0;
  private readonly qLev = new Float64Array(LEVELS);
  private readonly nLev = new Float64Array(LEVELS);
  private readonly rrs = new Float64Array(LEVELS);
  private qi = 0;
  private ni = 0;
  private ri = 0;
  private thr = 0;
  private rrMean: number;
  private lastBeat = Number.NEGATIVE_INFINITY;
  private prevBeat = Number.NEGATIVE_INFINITY;
  private pendingH = 0;
  private pending = false;
  private confirmDelay = 0;
  private lastActivity = 0;
  private lastSlope = 0;
  private sbH = 0;
  private sbLoc = 0;
  private sbSlope = 0;
  private out: number[] = [];
  private limit = Number.POSITIVE_INFINITY;
  private readonly bls150 = 54;

  constructor(fsHz: number, options: Partial<QrsDetectorOptions> = {}) {
    if (!(fsHz > 0)) throw new RangeError(`fsHz must be positive, got ${fsHz}`);
    this.fsHz = fsHz;
    this.o = { ...DEFAULTS, ...options };
    const ms = (v: number): number => Math.round((v * fsHz) / 1000);
    this.lpLen = odd(ms(this.o.lpMs));
    this.hpLen = odd(ms(this.o.hpMs));
    this.dLag = Math.max(1, ms(4));
    this.mwiLen = odd(ms(this.o.mwiMs));
    this.dB = this.lpLen - 1 + (this.hpLen - 1) / 2;
    this.dD = this.dB + this.dLag;
    this.dM = this.dD + (this.mwiLen - 1) / 2;
    this.dScale = fsHz / (2 * this.dLag);
    let size = 1;
    while (size < Math.max(fsHz, 4 * this.hpLen)) size *= 2;
    this.mask = size - 1;
    this.xR = new Float64Array(size);
    this.l1R = new Float64Array(size);
    this.l2R = new Float64Array(size);
    this.bR = new Float64Array(size);
    this.eR = new Float64Array(size);
    this.preBlank = ms(200);
    this.pkTimeout = ms(95);
    this.refractory = ms(this.o.refractoryMs);
    this.tWave = ms(this.o.tWaveMs);
    this.locWin = ms(75);
    this.learnLen = ms(2000);
    this.relearnLen = ms(this.o.relearnMs);
    this.sbCap = ms(1500);
    this.confirmDelay = this.refractory + this.locWin + this.pkTimeout + this.preBlank;
    this.learnAt = this.learnLen;
    this.rrMean = fsHz;
    this.rrs.fill(fsHz);
    this.rcLoc.fill(Number.NEGATIVE_INFINITY);
    this.minLevel = this.minLevelFor(this.o.minMv);
  }

  /** Feature peak of a Gaussian QRS of amplitude `mv` (σ 10 ms): the floor below which a peak is ignored. */
  private minLevelFor(mv: number): number {
    const probe = new QrsDetectorCore(this.fsHz, this.lpLen, this.hpLen, this.dLag, this.mwiLen);
    return probe.gaussianPeak(mv);
  }

  get position(): number {
    return this.fed;
  }

  push(samples: ArrayLike<number>): number[] {
    this.out = [];
    for (let i = 0; i < samples.length; i++) this.step(samples[i]!);
    this.fed += samples.length;
    return this.out;
  }

  flush(): number[] {
    this.out = [];
    this.limit = this.fed;
    const drain = this.dM + this.pkTimeout + this.preBlank + this.locWin + 2;
    for (let i = 0; i < drain; i++) this.step(this.lastX);
    if (!this.learned) this.learn(this.n - this.dM);
    if (this.pending) this.confirm();
    return this.out;
  }

  private prime(x: number): void {
    this.xR.fill(x);
    this.l1R.fill(x);
    this.l2R.fill(x);
    this.s1 = x * this.lpLen;
    this.s2 = x * this.lpLen;
    this.sH = x * this.hpLen;
  }

  private step(raw: number): void {
    const n = this.n;
    const mask = this.mask;
    let x = raw;
    if (x - x !== 0) x = this.lastX;
    this.lastX = x;
    if (n === 0) this.prime(x);
    const i = n & mask;
    const L = this.lpLen;
    const H = this.hpLen;
    this.xR[i] = x;
    this.s1 += x - this.xR[(n - L) & mask]!;
    const l1 = this.s1 / L;
    this.l1R[i] = l1;
    this.s2 += l1 - this.l1R[(n - L) & mask]!;
    const l2 = this.s2 / L;
    this.l2R[i] = l2;
    this.sH += l2 - this.l2R[(n - H) & mask]!;
    const b = this.l2R[(n - (H - 1) / 2) & mask]! - this.sH / H;
    this.bR[i] = b;
    const d = (b - this.bR[(n - 2 * this.dLag) & mask]!) * this.dScale;
    this.eR[i] = d;
    const dOld = this.eR[(n - this.mwiLen) & mask]!;
    this.sE += d * d - dOld * dOld;
    const m = this.sE / this.mwiLen;
    this.n = n + 1;
    this.detectPeak(m, n);
  }

  private detectPeak(m: number, n: number): void {
    let peak = 0;
    let peakT = 0;
    if (m > this.lastM && m > this.pkMax) {
      this.pkMax = m;
      this.pkTime = n;
    } else if (this.pkMax > 0 && (m < this.pkMax * 0.5 || n - this.pkTime > this.pkTimeout)) {
      peak = this.pkMax;
      peakT = this.pkTime;
      this.pkMax = 0;
    }
    this.lastM = m;
    if (peak < this.minLevel) peak = 0;
    if (peak > 0) {
      if (this.blank === 0 || peak > this.tmpH) {
        this.tmpH = peak;
        this.tmpT = peakT;
        this.blank = this.preBlank;
      } else if (--this.blank === 0) this.candidate(this.tmpH, this.tmpT);
    } else if (this.blank > 0 && --this.blank === 0) this.candidate(this.tmpH, this.tmpT);
    this.tick(n - this.dM);
  }

  /** Per-sample timers (in signal time `now`): learning, search-back, re-learning. */
  private tick(now: number): void {
    if (this.pending && now >= this.lastBeat + this.confirmDelay) this.confirm();
    if (!this.learned) {
      if (now >= this.learnAt) this.learn(now);
      return;
    }
    if (now - this.lastBeat > Math.min(this.o.searchBackRr * this.rrMean, this.sbCap) && this.sbH > 0) {
      if (this.sbH > this.thr * this.o.sbFraction) this.accept(this.sbH, this.sbLoc, this.sbSlope);
      this.sbH = 0;
    }
    if (now - this.lastActivity > this.relearnLen) {
      this.learned = false;
      this.learn(now);
    }
  }

  private candidate(h: number, t: number): void {
    const s = t - this.dM;
    const mask = this.mask;
    let loc = s;
    let best = -1;
    let slope = 0;
    let dMax = 0,
      dMin = 0,
      tMax = 0,
      tMin = 0;
    for (let j = s - this.locWin; j <= s + this.locWin; j++) {
      const v = Math.abs(this.bR[(j + this.dB) & mask]!);
      if (v > best) {
        best = v;
        loc = j;
      }
      const dv = this.eR[(j + this.dD) & mask]!;
      const e = dv * dv;
      if (e > slope) slope = e;
      if (dv > dMax) {
        dMax = dv;
        tMax = j;
      }
      if (dv < dMin) {
        dMin = dv;
        tMin = j;
      }
    }
    if (this.o.bls && !(dMax > -dMin / 8 && -dMin > dMax / 8 && Math.abs(tMax - tMin) < this.bls150)) return;
    const k = this.rcNext;
    this.rcLoc[k] = loc;
    this.rcH[k] = h;
    this.rcSlope[k] = slope;
    this.rcNext = (k + 1) % RECENT;
    if (this.learned) this.classify(h, loc, slope);
    else if (this.learnAt === Number.POSITIVE_INFINITY) this.learnAt = loc + this.learnLen;
  }

  /**
   * Sets the levels from the candidates of the last 2 s and classifies them; with none, waits
   * for the first candidate and learns 2 s after it.
   */
  private learn(now: number): void {
    let max = 0;
    for (let k = 0; k < RECENT; k++) {
      const loc = this.rcLoc[k]!;
      if (loc > now - this.learnLen && loc > this.lastBeat && this.rcH[k]! > max) max = this.rcH[k]!;
    }
    if (max === 0) {
      this.learnAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.learned = true;
    this.lastActivity = now;
    this.qLev.fill(max);
    this.nLev.fill(0);
    this.updateThreshold();
    this.sbH = 0;
    for (let j = 0; j < RECENT; j++) {
      const k = (this.rcNext + j) % RECENT;
      const loc = this.rcLoc[k]!;
      if (loc > now - this.learnLen && loc > this.lastBeat) this.classify(this.rcH[k]!, loc, this.rcSlope[k]!);
    }
  }

  private classify(h: number, loc: number, slope: number): void {
    if (DBG && loc > DBG[0]! * 360 && loc < DBG[1]! * 360)
      console.log(
        'cand',
        (loc / 360).toFixed(2),
        'h',
        h.toFixed(1),
        'thr',
        this.thr.toFixed(1),
        'q',
        this.level(this.qLev).toFixed(1),
        'n',
        this.level(this.nLev).toFixed(1),
        'slope',
        (slope / this.lastSlope).toFixed(2),
        'since',
        loc - this.lastBeat,
      );
    const since = loc - this.lastBeat;
    const tWave = since < this.tWave && slope < this.lastSlope * 0.25;
    if (h > this.thr && since >= this.refractory && !tWave) {
      this.accept(h, loc, slope);
      return;
    }
    if (this.o.replace && this.pending && since < this.refractory && h > this.thr && h > this.pendingH) {
      this.replace(h, loc, slope);
      return;
    }
    this.nLev[this.ni] = h;
    this.ni = (this.ni + 1) % LEVELS;
    this.updateThreshold();
    if (since >= this.tWave && h > this.sbH) {
      this.sbH = h;
      this.sbLoc = loc;
      this.sbSlope = slope;
    }
  }

  private confirm(): void {
    this.pending = false;
    if (this.lastBeat < this.limit) this.out.push(this.lastBeat);
  }

  private replace(h: number, loc: number, slope: number): void {
    this.nLev[this.ni] = this.pendingH;
    this.ni = (this.ni + 1) % LEVELS;
    this.qi = (this.qi + LEVELS - 1) % LEVELS;
    if (this.prevBeat > Number.NEGATIVE_INFINITY) this.ri = (this.ri + LEVELS - 1) % LEVELS;
    this.lastBeat = this.prevBeat;
    this.pending = false;
    this.accept(h, loc, slope);
  }

  private accept(h: number, loc: number, slope: number): void {
    if (this.pending) this.confirm();
    this.pending = true;
    this.pendingH = h;
    this.prevBeat = this.lastBeat;
    this.qLev[this.qi] = h;
    this.qi = (this.qi + 1) % LEVELS;
    if (this.lastBeat > Number.NEGATIVE_INFINITY) {
      this.rrs[this.ri] = loc - this.lastBeat;
      this.ri = (this.ri + 1) % LEVELS;
      let sum = 0;
      for (let k = 0; k < LEVELS; k++) sum += this.rrs[k]!;
      this.rrMean = sum / LEVELS;
    }
    this.updateThreshold();
    this.lastBeat = loc;
    this.lastActivity = loc;
    this.lastSlope = slope;
    this.sbH = 0;
  }

  private level(buf: Float64Array): number {
    if (this.o.median) {
      const s = Float64Array.from(buf).sort();
      return (s[3]! + s[4]!) / 2;
    }
    let sum = 0;
    for (let k = 0; k < LEVELS; k++) sum += buf[k]!;
    return sum / LEVELS;
  }

  private updateThreshold(): void {
    const q = this.level(this.qLev);
    const nz = this.level(this.nLev);
    this.thr = nz + this.o.thresholdFraction * (q - nz);
  }
}

class QrsDetectorCore {
  constructor(
    private readonly fs: number,
    private readonly L: number,
    private readonly H: number,
    private readonly k: number,
    private readonly W: number,
  ) {}
  gaussianPeak(mv: number): number {
    const len = this.fs * 2;
    const x = new Float64Array(len);
    const sigma = 0.01 * this.fs;
    for (let i = 0; i < len; i++) x[i] = mv * Math.exp(-(((i - this.fs) / sigma) ** 2) / 2);
    const ma = (v: Float64Array, n: number): Float64Array => {
      const o = new Float64Array(v.length);
      let s = 0;
      for (let i = 0; i < v.length; i++) {
        s += v[i]! - (i >= n ? v[i - n]! : 0);
        o[i] = s / n;
      }
      return o;
    };
    const l = ma(ma(x, this.L), this.L);
    const h = ma(l, this.H);
    const b = l.map((v, i) => (i >= (this.H - 1) / 2 ? l[i - (this.H - 1) / 2]! : 0) - h[i]!);
    const e = b.map((v, i) => (i >= 2 * this.k ? ((v - b[i - 2 * this.k]!) * this.fs) / (2 * this.k) : 0) ** 2);
    return Math.max(...ma(e, this.W));
  }
}
