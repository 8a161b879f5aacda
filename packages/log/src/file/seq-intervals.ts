/**
 * A set of integers kept as sorted, disjoint, non-adjacent inclusive ranges, so the seqs of a
 * device that counts 1, 2, 3… cost one range however many there are. Adding the next seq
 * (the common case) and asking for a recent one are O(1); anything else is a binary search.
 */
export class SeqIntervals {
  /** [start0, end0, start1, end1, …], inclusive. */
  private readonly bounds: number[] = [];

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
