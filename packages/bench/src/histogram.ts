/** Latency samples in ms with exact percentiles (the benchmark keeps at most a few million). */
export class Histogram {
  private samples: number[] = [];

  record(valueMs: number): void {
    this.samples.push(valueMs);
  }

  summary(): { p50: number; p99: number; max: number; count: number } {
    const sorted = Float64Array.from(this.samples).sort();
    const at = (q: number) =>
      sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
    const round = (v: number) => Math.round(v * 100) / 100;
    return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(at(1)), count: sorted.length };
  }
}
