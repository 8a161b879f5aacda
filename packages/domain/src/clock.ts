/** The source of "now" for code that needs it; injected so tests and simulations control time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** A clock that a test moves by hand. */
export class ManualClock implements Clock {
  constructor(private nowMs = 0) {}
  now(): number {
    return this.nowMs;
  }
  set(nowMs: number): void {
    this.nowMs = nowMs;
  }
  advance(durationMs: number): void {
    this.nowMs += durationMs;
  }
}
