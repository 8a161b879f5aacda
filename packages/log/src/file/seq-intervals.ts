/**
 * A set of integers kept as sorted, disjoint, non-adjacent inclusive ranges, so the seqs of a
 * device that counts 1, 2, 3… cost one range however many there are. Adding the next seq
 * (the common case) and asking for a recent one are O(1); anything else is a binary search.
 */
export class SeqIntervals {
  /** [start0, end0, start1, end1, …], inclusive. */
  private readonly bounds: number[] = [];

  /**
   * A set from the bounds `toBounds()` gave: [start0, end0, start1, end1, …]. Throws a RangeError
   * unless they are safe integers in sorted, disjoint, non-adjacent inclusive ranges.
   */
  static fromBounds(bounds: readonly number[]): SeqIntervals {
    if (bounds.length % 2 !== 0) throw new RangeError('seq ranges need an even number of bounds');
    let previousEnd = -Infinity;
    for (let i = 0; i < bounds.length; i += 2) {
      const start = bounds[i];
      const end = bounds[i + 1];
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
        throw new RangeError('seq range bounds must be safe integers');
      }
      if (start === undefined || end === undefined || start > end || start <= previousEnd + 1) {
        throw new RangeError(`seq range [${String(start)}, ${String(end)}] is out of order or touches the one before`);
      }
      previousEnd = end;
    }
    const set = new SeqIntervals();
    set.bounds.push(...bounds);
    return set;
  }

  get isEmpty(): boolean {
    return this.bounds.length === 0;
  }

  /** Number of ranges (how fragmented the set is). */
  get rangeCount(): number {
    return this.bounds.length / 2;
  }

  has(seq: number): boolean {
    const i = this.rangeAtOrBefore(seq);
    return i >= 0 && seq <= this.end(i);
  }

  add(seq: number): void {
    const count = this.rangeCount;
    if (count > 0) {
      const lastEnd = this.end(count - 1);
      if (seq === lastEnd + 1) {
        this.bounds[2 * count - 1] = seq;
        return;
      }
      if (seq > lastEnd + 1) {
        this.bounds.push(seq, seq);
        return;
      }
    }
    const i = this.rangeAtOrBefore(seq);
    if (i >= 0 && seq <= this.end(i)) return;
    const joinsPrevious = i >= 0 && this.end(i) === seq - 1;
    const joinsNext = i + 1 < count && this.start(i + 1) === seq + 1;
    if (joinsPrevious && joinsNext) {
      this.bounds.splice(2 * i + 1, 2);
    } else if (joinsPrevious) {
      this.bounds[2 * i + 1] = seq;
    } else if (joinsNext) {
      this.bounds[2 * (i + 1)] = seq;
    } else {
      this.bounds.splice(2 * (i + 1), 0, seq, seq);
    }
  }

  /** Adds every seq from `start` to `end` (inclusive), merging the ranges it meets. */
  addRange(start: number, end: number): void {
    const count = this.rangeCount;
    if (count === 0 || start > this.end(count - 1) + 1) {
      this.bounds.push(start, end);
      return;
    }
    // Ranges are sorted and disjoint, so those touching [start, end] are consecutive: first the
    // one ending at or after start - 1, last the one starting at or before end + 1.
    let first = this.rangeAtOrBefore(start - 1);
    if (first < 0 || this.end(first) < start - 1) first++;
    const last = this.rangeAtOrBefore(end + 1);
    if (last < first) {
      this.bounds.splice(2 * first, 0, start, end);
      return;
    }
    const merged = [Math.min(start, this.start(first)), Math.max(end, this.end(last))];
    this.bounds.splice(2 * first, 2 * (last - first + 1), ...merged);
  }

  /**
   * Joins the two neighbouring ranges with the fewest seqs between them (the lowest such pair on
   * a tie), adding the seqs of that gap: how a bounded set stays bounded. No-op below two ranges.
   */
  bridgeSmallestGap(): void {
    let best = -1;
    let bestGap = Infinity;
    for (let i = 0; i + 1 < this.rangeCount; i++) {
      const gap = this.start(i + 1) - this.end(i);
      if (gap < bestGap) {
        bestGap = gap;
        best = i;
      }
    }
    if (best >= 0) this.bounds.splice(2 * best + 1, 2);
  }

  /** Calls `visit` with each range, lowest first. */
  forEachRange(visit: (start: number, end: number) => void): void {
    for (let i = 0; i < this.rangeCount; i++) visit(this.start(i), this.end(i));
  }

  /** The ranges as [start0, end0, start1, end1, …] (a copy), for storage. */
  toBounds(): number[] {
    return [...this.bounds];
  }

  delete(seq: number): void {
    const i = this.rangeAtOrBefore(seq);
    if (i < 0) return;
    const start = this.start(i);
    const end = this.end(i);
    if (seq > end) return;
    if (start === end) this.bounds.splice(2 * i, 2);
    else if (seq === start) this.bounds[2 * i] = seq + 1;
    else if (seq === end) this.bounds[2 * i + 1] = seq - 1;
    else this.bounds.splice(2 * i + 1, 0, seq - 1, seq + 1);
  }

  private start(i: number): number {
    return this.bounds[2 * i] ?? Number.NaN;
  }

  private end(i: number): number {
    return this.bounds[2 * i + 1] ?? Number.NaN;
  }

  /** Index of the last range starting at or before `seq`, or -1. */
  private rangeAtOrBefore(seq: number): number {
    let low = 0;
    let high = this.rangeCount - 1;
    if (high < 0 || seq < this.start(0)) return -1;
    if (seq >= this.start(high)) return high;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.start(mid) <= seq) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
