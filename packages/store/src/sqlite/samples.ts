/**
 * The samples of one series (one patient-or-none, device and code) in columns, sorted by
 * (observedAt, boot, seq) — the reading order of the port with deviceId and code fixed.
 * Boot and unit are ids into small per-column dictionaries (a series rarely has more than one of
 * each), so every column is numeric.
 */
export interface SampleColumns {
  readonly length: number;
  readonly observedAt: ArrayLike<number>;
  readonly value: ArrayLike<number>;
  readonly receivedAt: ArrayLike<number>;
  readonly seq: ArrayLike<number>;
  readonly quality: ArrayLike<number>;
  readonly bootId: ArrayLike<number>;
  readonly boots: readonly string[];
  readonly unitId: ArrayLike<number>;
  readonly units: readonly string[];
}

export function bootAt(columns: SampleColumns, i: number): string {
  return columns.boots[columns.bootId[i] as number] as string;
}

export function unitAt(columns: SampleColumns, i: number): string {
  return columns.units[columns.unitId[i] as number] as string;
}

/** Compares sample i of `a` with sample j of `b` in series order. */
export function compareSamples(a: SampleColumns, i: number, b: SampleColumns, j: number): number {
  const ta = a.observedAt[i] as number;
  const tb = b.observedAt[j] as number;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ba = bootAt(a, i);
  const bb = bootAt(b, j);
  if (ba !== bb) return ba < bb ? -1 : 1;
  return (a.seq[i] as number) - (b.seq[j] as number);
}

/** The first index whose observedAt is ≥ `at` (`length` when none is). */
export function lowerBound(columns: SampleColumns, at: number): number {
  let lo = 0;
  let hi = columns.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((columns.observedAt[mid] as number) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const COLUMNS = 7;

/**
 * A growable, sorted set of samples: a series' in-memory head, or the output of a merge. All
 * columns live in one Float64Array, outside the JavaScript heap, so a head of a second's readings
 * costs the garbage collector nothing to move.
 */
export class SampleBuffer implements SampleColumns {
  observedAt!: Float64Array;
  value!: Float64Array;
  receivedAt!: Float64Array;
  seq!: Float64Array;
  quality!: Float64Array;
  bootId!: Float64Array;
  unitId!: Float64Array;
  readonly boots: string[] = [];
  readonly units: string[] = [];
  private data!: Float64Array;
  private capacity = 0;
  private count = 0;

  constructor(initialCapacity = 16) {
    this.grow(Math.max(1, initialCapacity));
  }

  get length(): number {
    return this.count;
  }

  /** Samples it can hold before it must grow. */
  get allocated(): number {
    return this.capacity;
  }

  /** Empties it, keeping its memory for reuse. */
  clear(): void {
    this.count = 0;
    this.boots.length = 0;
    this.units.length = 0;
  }

  /** Adds a sample at its place in series order; appending in order costs O(1). */
  add(
    observedAt: number,
    value: number,
    receivedAt: number,
    seq: number,
    quality: number,
    boot: string,
    unit: string,
  ): void {
    if (this.count === this.capacity) this.grow(this.capacity * 2);
    let at = this.count;
    if (at > 0 && this.sortsBefore(observedAt, boot, seq, at - 1)) {
      let lo = 0;
      let hi = at - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.sortsBefore(observedAt, boot, seq, mid)) hi = mid;
        else lo = mid + 1;
      }
      at = lo;
      for (const column of this.columns()) column.copyWithin(at + 1, at, this.count);
    }
    this.observedAt[at] = observedAt;
    this.value[at] = value;
    this.receivedAt[at] = receivedAt;
    this.seq[at] = seq;
    this.quality[at] = quality;
    this.bootId[at] = idOf(this.boots, boot);
    this.unitId[at] = idOf(this.units, unit);
    this.count++;
  }

  /** Appends sample i of `from`, which must not sort before the last sample held. */
  copyFrom(from: SampleColumns, i: number): void {
    if (this.count === this.capacity) this.grow(this.capacity * 2);
    const at = this.count++;
    this.observedAt[at] = from.observedAt[i] as number;
    this.value[at] = from.value[i] as number;
    this.receivedAt[at] = from.receivedAt[i] as number;
    this.seq[at] = from.seq[i] as number;
    this.quality[at] = from.quality[i] as number;
    this.bootId[at] = idOf(this.boots, bootAt(from, i));
    this.unitId[at] = idOf(this.units, unitAt(from, i));
  }

  private columns(): Float64Array[] {
    return [this.observedAt, this.value, this.receivedAt, this.seq, this.quality, this.bootId, this.unitId];
  }

  private grow(capacity: number): void {
    const data = new Float64Array(capacity * COLUMNS);
    for (let c = 0; c < COLUMNS && this.capacity > 0; c++) {
      data.set(this.data.subarray(c * this.capacity, c * this.capacity + this.count), c * capacity);
    }
    this.data = data;
    this.capacity = capacity;
    const view = (c: number) => data.subarray(c * capacity, (c + 1) * capacity);
    this.observedAt = view(0);
    this.value = view(1);
    this.receivedAt = view(2);
    this.seq = view(3);
    this.quality = view(4);
    this.bootId = view(5);
    this.unitId = view(6);
  }

  /** True when (observedAt, boot, seq) sorts strictly before the sample at `i`. */
  private sortsBefore(observedAt: number, boot: string, seq: number, i: number): boolean {
    const t = this.observedAt[i] as number;
    if (observedAt !== t) return observedAt < t;
    const b = this.boots[this.bootId[i] as number] as string;
    if (boot !== b) return boot < b;
    return seq < (this.seq[i] as number);
  }
}

/** The id of `s` in a small dictionary, added when new (the last entry is checked first). */
function idOf(dictionary: string[], s: string): number {
  const last = dictionary.length - 1;
  if (last >= 0 && dictionary[last] === s) return last;
  const found = dictionary.indexOf(s);
  if (found >= 0) return found;
  dictionary.push(s);
  return last + 1;
}

/** Merges sorted column sets into one sorted buffer (compaction merges up to thousands of chunks). */
export function mergeSamples(sources: readonly SampleColumns[]): SampleBuffer {
  const owner: number[] = [];
  const index: number[] = [];
  for (let k = 0; k < sources.length; k++) {
    const n = (sources[k] as SampleColumns).length;
    for (let i = 0; i < n; i++) {
      owner.push(k);
      index.push(i);
    }
  }
  const order = owner.map((_, p) => p);
  order.sort((p, q) =>
    compareSamples(
      sources[owner[p] as number] as SampleColumns,
      index[p] as number,
      sources[owner[q] as number] as SampleColumns,
      index[q] as number,
    ),
  );
  const out = new SampleBuffer(order.length);
  for (const p of order) out.copyFrom(sources[owner[p] as number] as SampleColumns, index[p] as number);
  return out;
}
