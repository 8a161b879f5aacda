/**
 * An exact running sum of float64 values: Shewchuk's non-overlapping partials, rounded once at the
 * end the way CPython's `math.fsum` does (Shewchuk, "Adaptive Precision Floating-Point Arithmetic
 * and Fast Robust Geometric Predicates", 1997). The result is the correctly rounded sum whatever
 * the order or grouping of the additions, so a mean computed from per-chunk summaries is the same
 * before and after compaction regroups the chunks. Overflow to ±Infinity is not handled.
 */
export class ExactSum {
  private readonly partials: number[] = [];

  add(value: number): void {
    const partials = this.partials;
    let x = value;
    let used = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j] as number;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[used++] = lo;
      x = hi;
    }
    partials.length = used;
    partials.push(x);
  }

  /** Adds another exact sum (its partials), keeping the result exact. */
  addParts(parts: ArrayLike<number>): void {
    for (let i = 0; i < parts.length; i++) this.add(parts[i] as number);
  }

  /** The partials, for storing with a chunk summary. */
  parts(): readonly number[] {
    return this.partials;
  }

  /** The exact sum, correctly rounded to the nearest float64. */
  value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n] as number;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n] as number;
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    // Round half-even correctly when the remaining partials push the tie one way.
    if (n > 0) {
      const next = p[n - 1] as number;
      if ((lo < 0 && next < 0) || (lo > 0 && next > 0)) {
        const y = lo * 2;
        const x = hi + y;
        if (y === x - hi) hi = x;
      }
    }
    return hi;
  }
}
